import type { Problem } from '../model';
import type { DetailInfo } from '../requests';
import { createProblem, type RequestRule } from './rule';
import { capitalize, describeAnswer, presentValue } from './values';

/**
 * Returns the key under which two answers count as similar: NFC, trimmed, runs of white space collapsed
 * to one space, then lower-cased with `toLowerCase` (locale-independent).
 */
function similarityKey(answer: string): string {
  return answer.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/**
 * Reports an answer equal to an earlier one in the same request (after XML decoding), and warns
 * when two answers differ only in case or white space. IBKR does not document how it compares
 * answers, so the second case is a warning.
 */
export const checkAnswerDuplicate: RequestRule = (request) => {
  const problems: Problem[] = [];
  const firstByValue = new Map<string, { detail: DetailInfo; index: number }>();
  const firstByKey = new Map<string, { detail: DetailInfo; index: number }>();

  request.details.forEach((detail, index) => {
    const answer = presentValue(detail.answer);
    if (answer === undefined) {
      return;
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
        problems.push(
          createProblem('answer-duplicate', answer.valueSpan, `${subject} is the same as ${firstLabel}. IBKR requires 3 different answers: change one of them.`, {
            related,
            data: { firstIndex: similar.index },
          }),
        );
      } else {
        problems.push(
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
  });
  return problems;
};
