import type { Problem } from '../model';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';
import { capitalize, countCodePoints, countNoun, describeAnswer, presentValue, utf8ByteLength } from './values';

/** IBKR's documented maximum answer length ("Max 256 characters"). */
export const MAX_ANSWER_LENGTH = 256;

/**
 * Reports an answer over 256 characters, counted as code points of the decoded value. IBKR
 * does not say which unit it counts, so an answer within 256 characters but over 256 UTF-8
 * bytes gets a warning.
 */
export const checkAnswerLength: RequestRule = (request) => {
  let problems: Problem[] | undefined;
  const details = request.details;
  for (let index = 0; index < details.length; index++) {
    const detail = details[index]!;
    // At most 3 UTF-8 bytes per UTF-16 code unit, so an answer of at most 256 / 3 code units is
    // within both limits. Tested first, because almost every answer is that short.
    if (detail.answer === undefined || detail.answer.value.length <= MAX_ANSWER_LENGTH / 3) {
      continue;
    }
    const answer = presentValue(detail.answer);
    if (answer === undefined) {
      continue;
    }
    const length = countCodePoints(answer.value);
    const subject = capitalize(describeAnswer(detail, index));
    if (length > MAX_ANSWER_LENGTH) {
      (problems ??= []).push(
        createProblem(
          'answer-too-long',
          answer.valueSpan,
          `${subject} is ${length} characters long, but IBKR allows at most ${MAX_ANSWER_LENGTH}. Shorten it by ${countNoun(length - MAX_ANSWER_LENGTH, 'character')}.`,
          { data: { length, maxLength: MAX_ANSWER_LENGTH } },
        ),
      );
      continue;
    }
    const bytes = utf8ByteLength(answer.value);
    if (bytes > MAX_ANSWER_LENGTH) {
      (problems ??= []).push(
        createProblem(
          'answer-bytes',
          answer.valueSpan,
          `${subject} is ${length} characters but ${bytes} bytes in UTF-8. IBKR allows ${MAX_ANSWER_LENGTH} characters and does not say whether it counts characters or bytes, so it may reject this answer. Keep it within ${MAX_ANSWER_LENGTH} UTF-8 bytes to be safe.`,
          { data: { length, bytes, maxLength: MAX_ANSWER_LENGTH } },
        ),
      );
    }
  }
  return problems ?? NO_PROBLEMS;
};
