import { findQuestion } from '../catalog';
import type { Problem } from '../model';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';
import { isDecimalInteger, presentValue } from './values';

/** Reports a well-formed question id that the loaded question list does not contain. */
export const checkQuestionUnknown: RequestRule = (request, context) => {
  const catalog = context.catalog;
  if (catalog === undefined) {
    return NO_PROBLEMS;
  }
  let problems: Problem[] | undefined;
  for (const detail of request.details) {
    const question = presentValue(detail.question);
    if (question === undefined || !isDecimalInteger(question.value) || findQuestion(catalog, question.value) !== undefined) {
      continue;
    }
    (problems ??= []).push(
      createProblem(
        'question-unknown',
        question.valueSpan,
        `Question ${question.value} is not in the question list ${catalog.origin}. Pick an id from that list, or load a newer list with getEnumerations.`,
        { data: { questionId: question.value, origin: catalog.origin } },
      ),
    );
  }
  return problems ?? NO_PROBLEMS;
};
