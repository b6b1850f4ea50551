import type { Problem } from '../model';
import type { DetailInfo } from '../requests';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';
import { capitalize, describeAnswer, isAsciiWhiteSpace, PAIRWISE_LIMIT, presentValue } from './values';

/**
 * Returns the key under which two answers count as similar: NFC, trimmed, runs of white space collapsed
 * to one space, then lower-cased with `toLowerCase` (locale-independent).
 */
function similarityKey(answer: string): string {
  if (isOwnSimilarityKey(answer)) {
    return answer;
  }
  return answer.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/**
 * True when `answer` is its own similarity key: ASCII without capital letters, with no white
 * space but single spaces between words. Most answers are, and this loop is much faster than
 * computing the key.
 */
function isOwnSimilarityKey(answer: string): boolean {
  // Starts as if after a space, so that a leading space fails like a double space.
  let afterSpace = true;
  for (let index = 0; index < answer.length; index++) {
    const code = answer.charCodeAt(index);
    if (code === 0x20) {
      if (afterSpace) {
        return false;
      }
      afterSpace = true;
    } else if (code >= 0x80 || (code >= 0x41 && code <= 0x5a) || isAsciiWhiteSpace(code)) {
      // Non-ASCII (NFC or toLowerCase may change it), a capital letter, or white space other than a space.
      return false;
    } else {
      afterSpace = false;
    }
  }
  return !afterSpace;
}

/** True when two answers of `details` have the same similarity key, which two identical answers also have. */
function hasSimilarAnswers(details: readonly DetailInfo[]): boolean {
  for (let index = 1; index < details.length; index++) {
    const answer = presentValue(details[index]!.answer);
    if (answer === undefined) {
      continue;
    }
    for (let earlier = 0; earlier < index; earlier++) {
      const earlierAnswer = presentValue(details[earlier]!.answer);
      if (earlierAnswer !== undefined && !differInAsciiPrefix(answer.value, earlierAnswer.value) && similarityKey(answer.value) === similarityKey(earlierAnswer.value)) {
        return true;
      }
    }
  }
  return false;
}

/**
 * True when the similarity keys of two answers surely differ, found by reading both answers
 * only up to their first difference. False when that is not sure, and the keys must be compared.
 *
 * After leading white space, both answers must be ASCII and equal ignoring ASCII case, with
 * spaces (U+0020 only) at the same places, up to two letters or other characters (not white
 * space) that differ ignoring case. Each of those two must be followed by an ASCII character or the
 * end, so that NFC leaves everything read unchanged and the keys differ at that character.
 * Most pairs of answers differ within a few characters.
 */
function differInAsciiPrefix(first: string, second: string): boolean {
  let firstIndex = skipAsciiWhiteSpace(first);
  let secondIndex = skipAsciiWhiteSpace(second);
  while (firstIndex < first.length && secondIndex < second.length) {
    const firstCode = first.charCodeAt(firstIndex);
    const secondCode = second.charCodeAt(secondIndex);
    if (firstCode >= 0x80 || secondCode >= 0x80) {
      return false;
    }
    if (firstCode === 0x20 && secondCode === 0x20) {
      firstIndex++;
      secondIndex++;
      continue;
    }
    if (isAsciiWhiteSpace(firstCode) || isAsciiWhiteSpace(secondCode)) {
      return false;
    }
    if (toLowerAscii(firstCode) !== toLowerAscii(secondCode)) {
      return isAsciiOrEnd(first, firstIndex + 1) && isAsciiOrEnd(second, secondIndex + 1);
    }
    firstIndex++;
    secondIndex++;
  }
  return false;
}

function skipAsciiWhiteSpace(text: string): number {
  let index = 0;
  while (index < text.length && isAsciiWhiteSpace(text.charCodeAt(index))) {
    index++;
  }
  return index;
}

function isAsciiOrEnd(text: string, index: number): boolean {
  return index === text.length || text.charCodeAt(index) < 0x80;
}

function toLowerAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

/**
 * Reports an answer equal to an earlier one in the same request (after XML decoding), and warns
 * when two answers differ only in case or white space. IBKR does not document how it compares
 * answers, so the second case is a warning.
 */
export const checkAnswerDuplicate: RequestRule = (request) => {
  const details = request.details;
  if (details.length <= PAIRWISE_LIMIT && !hasSimilarAnswers(details)) {
    return NO_PROBLEMS;
  }
  let problems: Problem[] | undefined;
  const firstByValue = new Map<string, { detail: DetailInfo; index: number }>();
  const firstByKey = new Map<string, { detail: DetailInfo; index: number }>();

  for (let index = 0; index < details.length; index++) {
    const detail = details[index]!;
    const answer = presentValue(detail.answer);
    if (answer === undefined) {
      continue;
    }
    const key = similarityKey(answer.value);
    const identical = firstByValue.get(answer.value);
    const similar = identical ?? firstByKey.get(key);

    if (similar !== undefined) {
      const subject = capitalize(describeAnswer(detail, index));
      const firstAnswer = similar.detail.answer;
      const firstLabel = describeAnswer(similar.detail, similar.index);
      const related = firstAnswer === undefined ? [] : [{ span: firstAnswer.valueSpan, message: capitalize(firstLabel) }];
      if (identical !== undefined) {
        (problems ??= []).push(
          createProblem('answer-duplicate', answer.valueSpan, `${subject} is the same as ${firstLabel}. IBKR requires 3 different answers: change one of them.`, {
            related,
            data: { firstIndex: similar.index },
          }),
        );
      } else {
        (problems ??= []).push(
          createProblem(
            'answer-similar',
            answer.valueSpan,
            `${subject} differs from ${firstLabel} only in letter case, white space or Unicode normalization. IBKR requires different answers and may not count these as different: change one of them.`,
            { related, data: { firstIndex: similar.index } },
          ),
        );
      }
    }
    if (!firstByValue.has(answer.value)) {
      firstByValue.set(answer.value, { detail, index });
    }
    if (!firstByKey.has(key)) {
      firstByKey.set(key, { detail, index });
    }
  }
  return problems ?? NO_PROBLEMS;
};
