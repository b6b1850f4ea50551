import { canonicalQuestionId } from '../catalog';
import type { AttributeNode, Problem } from '../model';
import { createProblem, type RequestRule } from './rule';
import { DECIMAL_INTEGER, presentValue } from './values';

/** Reports a question id used twice in one request; ids compare as integers, so `007` equals `7`. */
export const checkQuestionDuplicate: RequestRule = (request) => {
  const problems: Problem[] = [];
  const firstById = new Map<string, { attribute: AttributeNode; index: number }>();

  request.details.forEach((detail, index) => {
    const question = presentValue(detail.question);
    if (question === undefined || !DECIMAL_INTEGER.test(question.value)) {
      return;
    }
    const key = canonicalQuestionId(question.value);
    const first = firstById.get(key);
    if (first === undefined) {
      firstById.set(key, { attribute: question, index });
      return;
    }
    problems.push(
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
  });
  return problems;
};
