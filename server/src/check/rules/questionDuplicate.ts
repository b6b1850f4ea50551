import { canonicalQuestionId } from '../catalog';
import type { AttributeNode, Problem } from '../model';
import type { DetailInfo } from '../requests';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';
import { isDecimalInteger, PAIRWISE_LIMIT, presentValue } from './values';

/** True when two question ids of `details` are the same integer. */
function hasRepeatedQuestion(details: readonly DetailInfo[]): boolean {
  for (let index = 1; index < details.length; index++) {
    const key = questionKey(details[index]!);
    if (key === undefined) {
      continue;
    }
    for (let earlier = 0; earlier < index; earlier++) {
      if (questionKey(details[earlier]!) === key) {
        return true;
      }
    }
  }
  return false;
}

/** Returns the canonical id of a present, decimal question id, else `undefined`. */
function questionKey(detail: DetailInfo): string | undefined {
  const question = presentValue(detail.question);
  return question !== undefined && isDecimalInteger(question.value) ? canonicalQuestionId(question.value) : undefined;
}

/** Reports a question id used twice in one request; ids compare as integers, so `007` equals `7`. */
export const checkQuestionDuplicate: RequestRule = (request) => {
  const details = request.details;
  if (details.length <= PAIRWISE_LIMIT && !hasRepeatedQuestion(details)) {
    return NO_PROBLEMS;
  }
  let problems: Problem[] | undefined;
  const firstById = new Map<string, { attribute: AttributeNode; index: number }>();

  for (let index = 0; index < details.length; index++) {
    const question = presentValue(details[index]!.question);
    if (question === undefined || !isDecimalInteger(question.value)) {
      continue;
    }
    const key = canonicalQuestionId(question.value);
    const first = firstById.get(key);
    if (first === undefined) {
      firstById.set(key, { attribute: question, index });
      continue;
    }
    (problems ??= []).push(
      createProblem(
        'question-duplicate',
        question.valueSpan,
        `Question ${question.value} is already used by Details ${first.index + 1} of this request. IBKR requires 3 different questions: pick another id.`,
        {
          related: [{ span: first.attribute.valueSpan, message: `First use of question ${first.attribute.value}` }],
          data: { questionId: key, firstSpan: first.attribute.valueSpan },
        },
      ),
    );
  }
  return problems ?? NO_PROBLEMS;
};
