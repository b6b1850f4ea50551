import { SECURITY_QUESTIONS } from '../requests';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';

/** Notes a request type other than SecurityQuestions, which this version does not check. */
export const checkRequestTypeUnchecked: RequestRule = (request) => {
  if (request.requestType === SECURITY_QUESTIONS) {
    return NO_PROBLEMS;
  }
  return [
    createProblem(
      'request-type-unchecked',
      request.element.nameSpan,
      `${request.element.name} is a request type that this version does not check; only SecurityQuestions is checked. Review it against IBKR's documentation for ${request.requestType} before you submit.`,
      { data: { requestType: request.requestType } },
    ),
  ];
};
