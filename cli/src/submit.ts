/**
 * `ibkr-am submit FILE`. It applies the editor's gate: no Error diagnostics, and production needs
 * the user name typed again. It warns when the submission record shows an earlier submission for
 * the same user, then calls `update`, prints the outcome and appends it to the record.
 */

import path from 'node:path';
import { defaultRecordFile, readSubmissions, recordSubmission, type EnvironmentName, type SubmissionEntry, type SubmitOutcome } from '../../eca/src/index';
import { findRequests, SECURITY_QUESTIONS } from '../../server/src/check/requests';
import type { CommandSpec, ParsedArgs } from './args';
import { checkText, loadQuestionList, type FileCheckResult } from './checkFiles';
import { formatTextReport } from './checkReport';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, openConnection, selectedEnvironment, toCliError } from './connection';
import { CliError, type ExitCodeValue } from './errors';
import { decodeUtf8, readFileBytes } from './files';
import { exitCodeOfOutcome, formatOutcomeText, outcomeJson } from './outcome';
import { printVerbose, printWarning, timed, writeError, writeOut } from './output';

export const SUBMIT_COMMAND: CommandSpec = {
  name: 'submit',
  summary: "Submit a request file to the ECA update endpoint and print IBKR's outcome",
  description: 'A file with Error diagnostics is rejected before anything is sent, and --env production needs --confirm-user.',
  positionalUsage: 'FILE',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    ...CONNECTION_OPTIONS,
    'confirm-user': {
      type: 'string',
      valueName: 'NAME',
      multiple: true,
      description: "Required with --env production: the reference_user_name of every request in the file, typed again.",
    },
    record: {
      type: 'string',
      valueName: 'FILE',
      description: 'Submission record (JSON Lines) to check for earlier submissions and to append to (default ~/.ibkr-am/submissions.jsonl).',
    },
    questions: { type: 'string', valueName: 'FILE', description: 'Question list to check the file against before sending (JSON array or CSV).' },
    format: { type: 'string', valueName: 'FORMAT', choices: ['text', 'json'], description: 'Output format of the outcome (default text).' },
    'show-raw': { type: 'boolean', description: 'Also print the decrypted response XML (in JSON as "responseXml").' },
  },
  notes: [
    CONNECTION_NOTES,
    '',
    'Exit codes: 0 PROCESSED, 2 ERROR, 3 PENDING, 4 rejected before sending, not processed, unreadable',
    'reply or unknown outcome (check with "ibkr-am status" before sending again).',
  ].join('\n'),
};

interface RequestSummary {
  requestType: string;
  userName: string | undefined;
  /** 1-based line of the request's start tag. */
  line: number;
}

function summarizeRequests(checked: FileCheckResult): RequestSummary[] {
  return findRequests(checked.parsed).map((request) => {
    const userName = request.userName?.value.trim();
    const line = checked.text.slice(0, request.element.span.start).split('\n').length;
    return { requestType: request.requestType, userName: userName === '' ? undefined : userName, line };
  });
}

/** Prints the diagnostics and rejects the file when any is an Error, as the editor's submit command does. */
function enforceNoErrors(checked: FileCheckResult): void {
  if (checked.diagnostics.length > 0) {
    writeError(formatTextReport([checked]));
  }
  if (checked.hasErrors) {
    const count = checked.diagnostics.filter((diagnostic) => diagnostic.severity === 1).length;
    throw new CliError(`${checked.file} has ${count} error${count === 1 ? '' : 's'} (listed above); fix them and submit again. Nothing was sent.`);
  }
}

/**
 * Requires `--confirm-user` for production. The confirmed names must be exactly the user names
 * of the file's requests, so that a file for the wrong user is not sent out of habit.
 */
function enforceProductionConfirmation(args: ParsedArgs, requests: readonly RequestSummary[]): void {
  const unnamed = requests.find((request) => request.userName === undefined);
  if (unnamed !== undefined) {
    throw new CliError(
      `the ${unnamed.requestType} request on line ${unnamed.line} has no reference_user_name, so it cannot be confirmed for production. Nothing was sent.`,
    );
  }
  const userNames = [...new Set(requests.map((request) => request.userName ?? ''))];
  const confirmed = [...new Set(args.list('confirm-user').map((name) => name.trim()))];
  const expected = userNames.map((name) => `--confirm-user ${name}`).join(' ');
  if (confirmed.length === 0) {
    throw new CliError(`--env production changes live accounts at once, so confirm the file's user name(s) with ${expected}. Nothing was sent.`);
  }
  const unexpected = confirmed.filter((name) => !userNames.includes(name));
  const unconfirmed = userNames.filter((name) => !confirmed.includes(name));
  if (unexpected.length > 0 || unconfirmed.length > 0) {
    const problems = [
      ...unexpected.map((name) => `"${name}" is not a user name in ${requests.length === 1 ? 'the request' : 'any request'}`),
      ...unconfirmed.map((name) => `user "${name}" is not confirmed`),
    ];
    throw new CliError(`--confirm-user does not match the file: ${problems.join('; ')}. The file's user name(s): ${userNames.join(', ')}. Nothing was sent.`);
  }
}

/** Returns whether an earlier submission may have taken effect, in which case IBKR will likely reject a second one. */
function mayHaveTakenEffect(entry: SubmissionEntry): boolean {
  return entry.outcome !== 'error' && entry.outcome !== 'not-processed';
}

/** Warns when the submission record already has a submission of the same request for the same user and environment. */
async function warnAboutEarlierSubmissions(recordFile: string, environment: EnvironmentName, requests: readonly RequestSummary[]): Promise<void> {
  let record: SubmissionEntry[];
  try {
    const read = await readSubmissions(recordFile);
    const [firstCorrupt] = read.corruptLines;
    if (firstCorrupt !== undefined) {
      printWarning(`${read.corruptLines.length} line(s) of the submission record were skipped; the first: ${firstCorrupt.message}`);
    }
    record = read.entries.filter((entry) => entry.environment === environment);
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

/**
 * Sends the file, and cancels the call on SIGINT. A call cancelled after sending ends with outcome
 * `unknown` and is still recorded. A call cancelled before sending raises, and nothing was sent.
 */
async function sendWithCancel(send: (signal: AbortSignal) => Promise<SubmitOutcome>): Promise<SubmitOutcome> {
  const controller = new AbortController();
  const onSignal = (): void => {
    printWarning('cancelling; the request may already have reached the server. Press Ctrl+C again to quit at once.');
    controller.abort();
  };
  // `once`, so that a second SIGINT gets Node's default handling and ends the process.
  process.once('SIGINT', onSignal);
  try {
    return await send(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
  }
}

export async function runSubmit(args: ParsedArgs): Promise<ExitCodeValue> {
  const file = args.positionals[0] ?? '';
  const format = args.choice<'text' | 'json'>('format', 'text');
  const environment = selectedEnvironment(args);
  const recordFile = args.string('record') ?? defaultRecordFile();

  // The exact bytes that were checked are the bytes that are sent.
  const bytes = readFileBytes(file, 'request file');
  const text = decodeUtf8(bytes, file, 'request file');
  const questionsFile = args.string('questions');
  const catalog = questionsFile !== undefined ? loadQuestionList(questionsFile) : undefined;
  const checked = checkText(file, text, catalog);
  enforceNoErrors(checked);

  const requests = summarizeRequests(checked);
  if (environment === 'production') {
    enforceProductionConfirmation(args, requests);
  }
  const { client } = await openConnection(args);
  await warnAboutEarlierSubmissions(recordFile, environment, requests);

  printVerbose(`submitting ${requests.map((request) => request.requestType).join(', ')} from ${file} to ${client.host} (${environment})`);
  let outcome: SubmitOutcome;
  try {
    outcome = await timed('update', () => sendWithCancel((signal) => client.update({ name: path.basename(file), data: bytes }, { signal })));
  } catch (error) {
    throw toCliError(error);
  }

  try {
    await recordSubmission({ recordFile, filePath: file, data: bytes, outcome });
  } catch (error) {
    printWarning(`the outcome was not added to the submission record: ${error instanceof Error ? error.message : String(error)}`);
  }

  if (format === 'json') {
    writeOut(`${JSON.stringify(outcomeJson(outcome, args.flag('show-raw')), null, 2)}\n`);
  } else {
    writeOut(formatOutcomeText(outcome));
    if (args.flag('show-raw')) {
      writeOut(`Response XML:\n${outcome.responseXml ?? '(none: no response was decrypted)'}\n`);
    }
  }
  return exitCodeOfOutcome(outcome);
}
