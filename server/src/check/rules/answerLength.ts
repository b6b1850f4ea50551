import type { Problem } from '../model';
import { createProblem, type RequestRule } from './rule';
import { capitalize, countCodePoints, countNoun, describeAnswer, presentValue, utf8ByteLength } from './values';

/** IBKR's documented maximum answer length ("Max 256 characters"). */
export const MAX_ANSWER_LENGTH = 256;

/**
 * Reports an answer over 256 characters, counted as code points of the decoded value. IBKR
 * does not say which unit it counts, so an answer within 256 characters but over 256 UTF-8
 * bytes gets a warning.
 */
export const checkAnswerLength: RequestRule = (request) => {
  const problems: Problem[] = [];
  request.details.forEach((detail, index) => {
    const answer = presentValue(detail.answer);
    if (answer === undefined) {
      return;
    }
    const length = countCodePoints(answer.value);
    if (length <= MAX_ANSWER_LENGTH && answer.value.length <= MAX_ANSWER_LENGTH / 3) {
      // At most 3 UTF-8 bytes per UTF-16 code unit, so this answer is within both limits.
      return;
    }
    const subject = capitalize(describeAnswer(detail, index));
    if (length > MAX_ANSWER_LENGTH) {
      problems.push(
        createProblem(
          'answer-too-long',
          answer.valueSpan,
          `${subject} is ${length} characters long, but IBKR allows at most ${MAX_ANSWER_LENGTH}. Shorten it by ${countNoun(length - MAX_ANSWER_LENGTH, 'character')}.`,
          { data: { length, maxLength: MAX_ANSWER_LENGTH } },
        ),
      );
      return;
    }
    const bytes = utf8ByteLength(answer.value);
    if (bytes > MAX_ANSWER_LENGTH) {
      problems.push(
        createProblem(
          'answer-bytes',
          answer.valueSpan,
          `${subject} is ${length} characters but ${bytes} bytes in UTF-8. IBKR allows ${MAX_ANSWER_LENGTH} characters and does not say whether it counts characters or bytes, so it may reject this answer. Keep it within ${MAX_ANSWER_LENGTH} UTF-8 bytes to be safe.`,
          { data: { length, bytes, maxLength: MAX_ANSWER_LENGTH } },
        ),
      );
    }
  });
  return problems;
};
