/**
 * `ibkr-am submit` and the submission record: the warning about earlier submissions for the same
 * user, the notice about corrupt lines, and appending each attempt.
 */

import {
  describeCorruptRecord,
  readSubmissions,
  recordSubmission,
  type EnvironmentName,
  type NotSentOutcome,
  type SubmissionEntry,
  type SubmitOutcome,
} from '../../eca/src/index';
import { SECURITY_QUESTIONS } from '../../server/src/check/requests';
import { printWarning } from './output';

/** Line numbers listed in the corrupt-lines warning; the rest are counted. */

export interface RecordedRequest {
  requestType: string;
  userName: string | undefined;
}

/**
 * Returns whether an entry counts as an earlier submission. `not-sent` attempts never reached
 * IBKR, and IBKR rejected `not-processed` files as a whole before reading any request.
 */
export function reachedIbkr(entry: SubmissionEntry): boolean {
  return entry.outcome !== 'not-sent' && entry.outcome !== 'not-processed';
}

/** Returns whether an earlier submission may have taken effect, in which case IBKR will likely reject a second one. */
function mayHaveTakenEffect(entry: SubmissionEntry): boolean {
  return reachedIbkr(entry) && entry.outcome !== 'error';
}


/** Warns when the submission record already has a submission of the same request for the same user and environment. */
export async function warnAboutEarlierSubmissions(recordFile: string, environment: EnvironmentName, requests: readonly RecordedRequest[]): Promise<void> {
  let record: SubmissionEntry[];
  try {
    const read = await readSubmissions(recordFile);
    const corrupt = describeCorruptRecord(recordFile, read);
    if (corrupt !== undefined) {
      printWarning(corrupt);
    }
    record = read.entries.filter((entry) => entry.environment === environment && reachedIbkr(entry));
  } catch (error) {
    printWarning(`earlier submissions cannot be checked: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }

  const warned = new Set<string>();
  for (const request of requests) {
    const key = `${request.requestType}\n${request.userName ?? ''}`;
    if (request.userName === undefined || warned.has(key)) {
      continue;
    }
    const entries = record.filter((entry) => entry.requestType === request.requestType && entry.userName === request.userName);
    const last = entries.at(-1);
    if (last === undefined) {
      continue;
    }
    warned.add(key);

    const summary = `${entries.length} earlier submission(s) of ${request.requestType} for user ${request.userName} in the ${environment} environment (last ${last.time}: ${last.outcome}, request id ${last.requestId ?? 'none'})`;
    let likely: string;
    if (!entries.some(mayHaveTakenEffect)) {
      likely = 'None of them took effect, so this one may still succeed.';
    } else if (request.requestType === SECURITY_QUESTIONS) {
      likely = 'IBKR accepts security questions once per user, so this submission will most likely end with ERROR.';
    } else {
      likely = 'Check with "ibkr-am status" that sending it again is intended.';
    }
    printWarning(`the submission record ${recordFile} has ${summary}. ${likely}`);
  }
}

/** Appends an attempt to the record, and warns instead of failing when the record cannot be written. */
export async function recordAttempt(recordFile: string, filePath: string, data: Uint8Array, outcome: SubmitOutcome | NotSentOutcome): Promise<void> {
  try {
    await recordSubmission({ recordFile, filePath, data, outcome });
  } catch (error) {
    printWarning(`this attempt was not added to the submission record: ${error instanceof Error ? error.message : String(error)}`);
  }
}
