import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';
import { countNoun, presentValue } from './values';

/** IBKR requires exactly three security questions per request. */
export const REQUIRED_DETAILS_COUNT = 3;

/** Reports a SecurityQuestions request without exactly 3 Details. */
export const checkDetailsCount: RequestRule = (request) => {
  const count = request.details.length;
  if (count === REQUIRED_DETAILS_COUNT) {
    return NO_PROBLEMS;
  }
  const user = presentValue(request.userName);
  const forUser = user === undefined ? '' : ` for user ${user.value.trim()}`;
  const difference = Math.abs(count - REQUIRED_DETAILS_COUNT);
  const fix = `${count < REQUIRED_DETAILS_COUNT ? 'Add' : 'Remove'} ${countNoun(difference, 'Details element')}`;
  return [
    createProblem(
      'details-count',
      request.element.nameSpan,
      `${request.element.localName}${forUser} has ${count} Details, but IBKR requires exactly ${REQUIRED_DETAILS_COUNT}, each with a different question. ${fix}.`,
      { data: { count, expected: REQUIRED_DETAILS_COUNT } },
    ),
  ];
};
