/**
 * Locating requests in a request file for the extension's own edits and diagnostics. It reads
 * the text with the language server's tolerant parser, so offsets match the editor's text
 * (UTF-16 code units, BOM and CRLF included).
 */

import type { Span } from '../../../server/src/check/model';
import { parseDocument } from '../../../server/src/check/parser';
import { findRequests, type RequestInfo } from '../../../server/src/check/requests';

export interface TextEdit {
  span: Span;
  newText: string;
}

export type UserNameEditResult = { edit: TextEdit } | { noRequest: true } | { error: string };

/** Escapes a value for a double-quoted XML attribute. */
export function escapeAttributeValue(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Computes the edit that sets `reference_user_name` of the SecurityQuestions request whose
 * element contains `offset`. `noRequest` means the cursor is in no such request.
 */
export function userNameEdit(text: string, offset: number, userName: string): UserNameEditResult {
  const request = findRequests(parseDocument(text)).find(
    (candidate) => candidate.requestType === 'SecurityQuestions' && contains(candidate.element.span, offset),
  );
  if (request === undefined) {
    return { noRequest: true };
  }
  const value = escapeAttributeValue(userName);
  const attribute = request.userName;
  if (attribute === undefined) {
    const at = request.element.nameSpan.end;
    return { edit: { span: { start: at, end: at }, newText: ` reference_user_name="${value}"` } };
  }
  if (!attribute.complete) {
    return { error: 'The reference_user_name attribute of this request has no quoted value. Fix it (e.g. reference_user_name="") and look up the user name again.' };
  }
  return { edit: { span: attribute.valueSpan, newText: value } };
}

export interface ResponseRequest {
  requestType: string;
  /** `reference_user_name` of the response, when it has one. */
  userName: string | undefined;
}

/**
 * Finds the request of the file that each response request answers: the same request type and
 * user name, else the request at the same position. IBKR's response does not echo positions,
 * so a file with two requests for one user maps by order among them.
 */
export function matchResponseRequests(text: string, responses: readonly ResponseRequest[]): (RequestInfo | undefined)[] {
  const requests = findRequests(parseDocument(text));
  const used = new Set<RequestInfo>();
  return responses.map((response, index) => {
    const byUser = requests.find(
      (request) =>
        !used.has(request) &&
        request.requestType === response.requestType &&
        response.userName !== undefined &&
        request.userName?.value === response.userName,
    );
    const fallback = requests[index];
    const match = byUser ?? (fallback !== undefined && !used.has(fallback) ? fallback : undefined);
    if (match !== undefined) {
      used.add(match);
    }
    return match;
  });
}

/** Every answer attribute value of the file, to redact from messages about a submission. */
export function answersOf(text: string): string[] {
  const answers: string[] = [];
  for (const request of findRequests(parseDocument(text))) {
    for (const detail of request.details) {
      if (detail.answer !== undefined) {
        answers.push(detail.answer.value, detail.answer.rawValue);
      }
    }
  }
  return answers;
}

function contains(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}
