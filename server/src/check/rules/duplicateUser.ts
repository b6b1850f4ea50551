import type { AttributeNode, Problem } from '../model';
import { SECURITY_QUESTIONS } from '../requests';
import { createProblem, type DocumentRule } from './rule';
import { presentValue } from './values';

/**
 * Reports a second SecurityQuestions request for the same user in one file, because IBKR
 * accepts security answers once per user and the second request would fail.
 */
export const checkDuplicateUser: DocumentRule = (_parsed, requests) => {
  const problems: Problem[] = [];
  const firstByUser = new Map<string, AttributeNode>();

  for (const request of requests) {
    if (request.requestType !== SECURITY_QUESTIONS) {
      continue;
    }
    const userName = presentValue(request.userName);
    if (userName === undefined) {
      continue;
    }
    // NOTE: IBKR does not document whether user names are case-sensitive; they are compared
    // ignoring case so that a likely duplicate is not missed.
    const name = userName.value.trim();
    const key = name.toLowerCase();
    const first = firstByUser.get(key);
    if (first === undefined) {
      firstByUser.set(key, userName);
      continue;
    }
    problems.push(
      createProblem(
        'duplicate-user',
        userName.valueSpan,
        `User ${name} already has a SecurityQuestions request earlier in this file (user names are compared ignoring case). IBKR accepts security answers once per user, so this request would fail. Remove one of the two requests.`,
        { related: [{ span: first.valueSpan, message: `First SecurityQuestions request for user ${first.value.trim()}` }], data: { userName: name } },
      ),
    );
  }
  return problems;
};
