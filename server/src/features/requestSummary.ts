/**
 * `ibkr/requestSummary`: what a request file would submit, for the confirmation the extension
 * shows before a submit. It carries user names and question ids, never answer text.
 */

import { DECIMAL_INTEGER } from '../check/rules/values';
import type { Analysis } from '../documents';
import type { RequestSummaryResult } from '../protocol';

export function summarizeRequests(analysis: Analysis): RequestSummaryResult {
  if (!analysis.result.applies) return { isRequestFile: false, requests: [], errorCount: 0 };

  const document = analysis.document;
  return {
    isRequestFile: true,
    requests: analysis.requests.map((request) => ({
      requestType: request.requestType,
      userName: request.userName?.value.trim(),
      // A question value that is not a decimal integer may be an answer typed into the wrong
      // attribute, so it is not shown.
      questionIds: request.details
        .map((detail) => detail.question?.value.trim() ?? '')
        .filter((id) => id !== '')
        .map((id) => (DECIMAL_INTEGER.test(id) ? id : '(invalid question id)')),
      line: document.positionAt(request.element.startTagSpan.start).line,
    })),
    errorCount: analysis.result.problems.filter((problem) => problem.severity === 'error').length,
  };
}
