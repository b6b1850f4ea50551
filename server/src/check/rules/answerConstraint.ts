import { findQuestion } from '../catalog';
import type { Problem, SecurityQuestion } from '../model';
import { createProblem, type RequestRule } from './rule';
import { capitalize, countCodePoints, countNoun, DECIMAL_INTEGER, describeAnswer, presentValue } from './values';

/** Decimal digits of any script (Unicode category Nd), the set that Java's `Character.isDigit` accepts. */
const ALL_DIGITS = /^\p{Nd}+$/u;

/** Length of the longest run of one code point repeated consecutively (case-sensitive). */
export function longestRepeatedRun(text: string): number {
  let longest = 0;
  let current = 0;
  let previous: string | undefined;
  for (const character of text) {
    current = character === previous ? current + 1 : 1;
    previous = character;
    longest = Math.max(longest, current);
  }
  return longest;
}

/** Returns one message per rule of `question` that `answer` breaks, without showing the answer. */
function findBrokenConstraints(answer: string, question: SecurityQuestion, describe: () => string, origin: string): { message: string; constraint: string; limit: number | boolean }[] {
  const broken: { message: string; constraint: string; limit: number | boolean }[] = [];

  const minimum = question.minAnswerLength;
  const length = countCodePoints(answer);
  if (minimum !== undefined && length < minimum) {
    broken.push({
      constraint: 'minAnswerLength',
      limit: minimum,
      message: `${describe()} is ${countNoun(length, 'character')} long, but question ${question.id} requires at least ${minimum} (minAnswerLength in ${origin}).`,
    });
  }

  // NOTE: IBKR does not define "can be number". Here an answer breaks it when, trimmed, it is
  // digits only; "12.5" or "1 000" pass.
  if (question.canBeNumber === false && ALL_DIGITS.test(answer.trim())) {
    broken.push({
      constraint: 'canBeNumber',
      limit: false,
      message: `${describe()} is a number, but question ${question.id} does not accept numeric answers (canBeNumber is false in ${origin}). Write the answer in words.`,
    });
  }

  // NOTE: IBKR does not define "repeatable chars". Here it is the longest run of one character
  // repeated consecutively, so with a limit of 2 "aab" passes and "aaab" breaks it. A limit
  // below 1 would reject every answer, so it is read as "no limit".
  const maximum = question.maxRepeatableCharsCount;
  if (maximum !== undefined && maximum >= 1) {
    const run = longestRepeatedRun(answer);
    if (run > maximum) {
      broken.push({
        constraint: 'maxRepeatableCharsCount',
        limit: maximum,
        message: `${describe()} repeats one character ${run} times in a row, but question ${question.id} allows at most ${maximum} (maxRepeatableCharsCount in ${origin}).`,
      });
    }
  }
  return broken;
}

/** Reports an answer that breaks a rule of its question in the loaded question list, one problem per broken rule. */
export const checkAnswerConstraints: RequestRule = (request, context) => {
  const catalog = context.catalog;
  if (catalog === undefined) {
    return [];
  }
  const problems: Problem[] = [];
  request.details.forEach((detail, index) => {
    const answer = presentValue(detail.answer);
    const questionId = presentValue(detail.question);
    if (answer === undefined || questionId === undefined || !DECIMAL_INTEGER.test(questionId.value)) {
      return;
    }
    const question = findQuestion(catalog, questionId.value);
    if (question === undefined) {
      return;
    }
    for (const broken of findBrokenConstraints(answer.value, question, () => capitalize(describeAnswer(detail, index)), catalog.origin)) {
      problems.push(createProblem('answer-constraint', answer.valueSpan, broken.message, { data: { questionId: question.id, constraint: broken.constraint, limit: broken.limit } }));
    }
  });
  return problems;
};
