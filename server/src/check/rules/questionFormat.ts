import type { Problem } from '../model';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';
import { isDecimalInteger, presentValue } from './values';

/**
 * Reports a question id that is not a decimal integer, such as `9161083 ` or `Q1`. A value that
 * is not an integer even when trimmed may be an answer typed in the wrong attribute, so it is
 * never quoted, neither in the message nor in the problem's data.
 */
export const checkQuestionFormat: RequestRule = (request) => {
  let problems: Problem[] | undefined;
  for (const detail of request.details) {
    const question = presentValue(detail.question);
    if (question === undefined || isDecimalInteger(question.value)) {
      continue;
    }
    const trimmed = question.value.trim();
    (problems ??= []).push(
      isDecimalInteger(trimmed)
        ? createProblem('question-format', question.valueSpan, `Question id "${question.value}" is not a decimal integer. Remove the white space around it.`, {
            data: { questionId: question.value, trimmed },
          })
        : createProblem(
            'question-format',
            question.valueSpan,
            'The question id is not a decimal integer. Write the id from the SECURITY_QUESTIONS list, digits only (e.g. 9161083), not the question text or an answer.',
          ),
    );
  }
  return problems ?? NO_PROBLEMS;
};
