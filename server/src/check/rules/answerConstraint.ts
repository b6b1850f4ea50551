import { findQuestion } from '../catalog';
import type { Problem, SecurityQuestion } from '../model';
import type { DetailInfo } from '../requests';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';
import { capitalize, countCodePoints, countNoun, describeAnswer, isAsciiWhiteSpace, isDecimalInteger, presentValue } from './values';

/** Decimal digits of any script (Unicode category Nd), the set that Java's `Character.isDigit` accepts. */
const ALL_DIGITS = /^\p{Nd}+$/u;

/** Length of the longest run of one code point repeated consecutively (case-sensitive). */
export function longestRepeatedRun(text: string): number {
  let longest = 0;
  let current = 0;
  let previous = -1;
  // Code points read with `codePointAt`, because the string iterator creates a string per character.
  // Like the iterator, it reads a surrogate pair as one code point and a lone surrogate as itself.
  for (let index = 0; index < text.length; ) {
    const codePoint = text.codePointAt(index) ?? 0;
    current = codePoint === previous ? current + 1 : 1;
    previous = codePoint;
    if (current > longest) {
      longest = current;
    }
    index += codePoint > 0xffff ? 2 : 1;
  }
  return longest;
}

/** True when `answer`, trimmed, is digits only: `ALL_DIGITS.test(answer.trim())`. */
function isNumber(answer: string): boolean {
  // In ASCII, Nd contains only 0-9 and `trim` removes only 0x09-0x0D and space, so the regex is
  // needed only for an answer with a non-ASCII character before the loop can decide.
  let digitSeen = false;
  let spaceAfterDigit = false;
  for (let index = 0; index < answer.length; index++) {
    const code = answer.charCodeAt(index);
    if (code >= 0x30 && code <= 0x39) {
      if (spaceAfterDigit) {
        return false;
      }
      digitSeen = true;
    } else if (isAsciiWhiteSpace(code)) {
      spaceAfterDigit = digitSeen;
    } else if (code < 0x80) {
      return false;
    } else {
      return ALL_DIGITS.test(answer.trim());
    }
  }
  return digitSeen;
}

/** Names the answer at the start of a message, e.g. "The answer of question 9161083". */
function subjectOf(detail: DetailInfo, index: number): string {
  return capitalize(describeAnswer(detail, index));
}

interface BrokenConstraint {
  message: string;
  constraint: string;
  limit: number | boolean;
}

/** Returns one message per rule of `question` that `answer` breaks, without showing the answer, or `undefined` when it breaks none. */
function findBrokenConstraints(answer: string, question: SecurityQuestion, detail: DetailInfo, index: number, origin: string): BrokenConstraint[] | undefined {
  let broken: BrokenConstraint[] | undefined;

  const minimum = question.minAnswerLength;
  // A code point is at most 2 UTF-16 code units, so an answer of 2 * minimum units or more is long enough.
  if (minimum !== undefined && answer.length < 2 * minimum) {
    const length = countCodePoints(answer);
    if (length < minimum) {
      (broken ??= []).push({
        constraint: 'minAnswerLength',
        limit: minimum,
        message: `${subjectOf(detail, index)} is ${countNoun(length, 'character')} long, but question ${question.id} requires at least ${minimum} (minAnswerLength in ${origin}).`,
      });
    }
  }

  // NOTE: IBKR does not define "can be number". Here an answer breaks it when, trimmed, it is
  // digits only; "12.5" or "1 000" pass.
  if (question.canBeNumber === false && isNumber(answer)) {
    (broken ??= []).push({
      constraint: 'canBeNumber',
      limit: false,
      message: `${subjectOf(detail, index)} is a number, but question ${question.id} does not accept numeric answers (canBeNumber is false in ${origin}). Write the answer in words.`,
    });
  }

  // NOTE: IBKR does not define "repeatable chars". Here it is the longest run of one character
  // repeated consecutively, so with a limit of 2 "aab" passes and "aaab" breaks it. A limit
  // below 1 would reject every answer, so it is read as "no limit".
  const maximum = question.maxRepeatableCharsCount;
  if (maximum !== undefined && maximum >= 1) {
    const run = longestRepeatedRun(answer);
    if (run > maximum) {
      (broken ??= []).push({
        constraint: 'maxRepeatableCharsCount',
        limit: maximum,
        message: `${subjectOf(detail, index)} repeats one character ${run} times in a row, but question ${question.id} allows at most ${maximum} (maxRepeatableCharsCount in ${origin}).`,
      });
    }
  }
  return broken;
}

/** Reports an answer that breaks a rule of its question in the loaded question list, one problem per broken rule. */
export const checkAnswerConstraints: RequestRule = (request, context) => {
  const catalog = context.catalog;
  if (catalog === undefined) {
    return NO_PROBLEMS;
  }
  let problems: Problem[] | undefined;
  const details = request.details;
  for (let index = 0; index < details.length; index++) {
    const detail = details[index]!;
    const answer = presentValue(detail.answer);
    const questionId = presentValue(detail.question);
    if (answer === undefined || questionId === undefined || !isDecimalInteger(questionId.value)) {
      continue;
    }
    const question = findQuestion(catalog, questionId.value);
    if (question === undefined) {
      continue;
    }
    const brokenConstraints = findBrokenConstraints(answer.value, question, detail, index, catalog.origin);
    if (brokenConstraints === undefined) {
      continue;
    }
    for (const broken of brokenConstraints) {
      (problems ??= []).push(createProblem('answer-constraint', answer.valueSpan, broken.message, { data: { questionId: question.id, constraint: broken.constraint, limit: broken.limit } }));
    }
  }
  return problems ?? NO_PROBLEMS;
};
