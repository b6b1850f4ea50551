/**
 * The warning shown before a request file is sent for a user who already has a submission in
 * the local record. IBKR accepts security questions once per user, so a second submission is
 * usually a mistake that ends in `ERROR`.
 */

import type { EnvironmentName, SubmissionEntry } from '../../../eca/src/index';

export const SUBMIT_ANYWAY_BUTTON = 'Submit Anyway';
/** Entries listed in the warning; older ones are counted. */
const MAX_LISTED = 5;
/** Line numbers listed in the corrupt-record warning; the rest are counted. */

export interface PreviousSubmissionWarning {
  message: string;
  detail: string;
}

/**
 * Picks the entries that count as an earlier submission of the same request: same environment,
 * user name and request type. `not-sent` entries are left out, because those attempts failed
 * before the request left this machine. `not-processed` entries are left out too, because IBKR
 * rejected those files as a whole before reading any request.
 */
export function earlierSubmissions(
  entries: readonly SubmissionEntry[],
  environment: EnvironmentName,
  requests: readonly { requestType: string; userName: string | undefined }[],
): SubmissionEntry[] {
  return entries.filter(
    (entry) =>
      entry.environment === environment &&
      entry.outcome !== 'not-sent' &&
      entry.outcome !== 'not-processed' &&
      requests.some((request) => request.userName !== undefined && request.userName === entry.userName && request.requestType === entry.requestType),
  );
}

/** Builds the modal warning, newest entries first; undefined when there is nothing to warn about. */
export function previousSubmissionWarning(entries: readonly SubmissionEntry[], environment: EnvironmentName): PreviousSubmissionWarning | undefined {
  if (entries.length === 0) {
    return undefined;
  }
  const users = [...new Set(entries.map((entry) => entry.userName ?? ''))];
  const what = users.length === 1 ? `A request for user ${users[0]} was` : `Requests for users ${users.join(', ')} were`;
  const message = `${what} already submitted to IBKR ${environment}. Submit again?`;

  const newestFirst = [...entries].sort((a, b) => b.time.localeCompare(a.time));
  const lines = newestFirst.slice(0, MAX_LISTED).map(describeEntry);
  if (newestFirst.length > MAX_LISTED) {
    lines.push(`... and ${newestFirst.length - MAX_LISTED} earlier.`);
  }
  lines.push('', 'IBKR accepts security questions once per user: questions already answered cannot be changed, and a second submission gets ERROR.');
  return { message, detail: lines.join('\n') };
}

export function describeEntry(entry: SubmissionEntry): string {
  const id = entry.requestId === null ? 'no request id' : `request ${entry.requestId}`;
  const status = entry.status ?? entry.outcome;
  return `${entry.time}: ${entry.requestType} for ${entry.userName ?? 'no user name'}, ${id}, ${status} (${entry.filePath})`;
}

