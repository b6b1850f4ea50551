import type { Problem } from '../model';
import { createProblem, type RequestRule } from './rule';
import { DECIMAL_INTEGER, presentValue } from './values';

/** Reports a question id that is not a decimal integer, such as `9161083 ` or `Q1`. */
export const checkQuestionFormat: RequestRule = (request) => {
  const problems: Problem[] = [];
  for (const detail of request.details) {
    const question = presentValue(detail.question);
    if (question === undefined || DECIMAL_INTEGER.test(question.value)) {
      continue;
    }
    const advice = DECIMAL_INTEGER.test(question.value.trim())
      ? 'Remove the white space around it.'
      : 'Write the id from the SECURITY_QUESTIONS list, digits only (e.g. 9161083), not the question text.';
    problems.push(
      createProblem('question-format', question.valueSpan, `Question id "${question.value}" is not a decimal integer. ${advice}`, { data: { questionId: question.value } }),
    );
  }
  return problems;
};
