/**
 * Texts of the modal confirmation shown before a request file is sent. They name the target
 * and what the file submits, and never contain an answer.
 */

import type { RequestSummaryEntry } from '../../../server/src/protocol';
import type { ResolvedEnvironment } from './environments';

export const SUBMIT_BUTTON = 'Submit';

export interface Confirmation {
  message: string;
  detail: string;
}

export function submitConfirmation(environment: ResolvedEnvironment, fileName: string, requests: readonly RequestSummaryEntry[]): Confirmation {
  const message =
    environment.name === 'production'
      ? `Submit ${fileName} to IBKR PRODUCTION? Changes take effect at once and cannot be undone.`
      : `Submit ${fileName} to IBKR ${environment.name}?`;
  const lines = [`Environment: ${environment.name}`, `Host: ${environment.host}`, `File: ${fileName}`, ''];
  for (const request of requests) {
    lines.push(describeRequest(request));
  }
  return { message, detail: lines.join('\n') };
}

/** Describes a request in one line: its type, user name, line and question ids. Answers are only counted. */
export function describeRequest(request: RequestSummaryEntry): string {
  const user = request.userName === undefined || request.userName === '' ? 'no user name' : `user ${request.userName}`;
  const where = `line ${request.line + 1}`;
  if (request.questionIds.length === 0) {
    return `${request.requestType} for ${user} (${where})`;
  }
  const count = request.questionIds.length;
  return `${request.requestType} for ${user} (${where}): questions ${request.questionIds.join(', ')}; ${count} ${count === 1 ? 'answer' : 'answers'} (hidden)`;
}

/** Lists the distinct user names of the requests, in file order. */
export function userNames(requests: readonly RequestSummaryEntry[]): string[] {
  const names: string[] = [];
  for (const request of requests) {
    if (request.userName !== undefined && request.userName !== '' && !names.includes(request.userName)) {
      names.push(request.userName);
    }
  }
  return names;
}

/** Builds the prompt of the input box in which the user types the user names to confirm a production submit. */
export function typedConfirmationPrompt(names: readonly string[]): string {
  if (names.length === 1) {
    return `Type the user name ${names[0]} to submit to IBKR production.`;
  }
  return `Type the user names ${names.join(', ')} (separated by commas) to submit to IBKR production.`;
}

/** True when the typed text names exactly the expected user names, in any order, case-sensitive. */
export function matchesTypedConfirmation(typed: string, names: readonly string[]): boolean {
  const typedNames = typed
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (typedNames.length !== names.length) {
    return false;
  }
  const expected = new Set(names);
  return typedNames.every((name) => expected.has(name)) && new Set(typedNames).size === expected.size;
}
