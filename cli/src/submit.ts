/**
 * `ibkr-am submit FILE`. It applies the editor's gate: no Error diagnostics, and production needs
 * the user name typed again. It warns when the submission record shows an earlier submission for
 * the same user, then calls `update`, prints the outcome and appends it to the record. An attempt
 * that failed before sending is recorded as `not-sent`, which never counts as an earlier submission.
 */

import path from 'node:path';
import { defaultRecordFile, EcaError, hostOf, resolveBaseUrl, type EnvironmentName, type NotSentOutcome, type SubmitOutcome } from '../../eca/src/index';
import { findRequests } from '../../server/src/check/requests';
import type { CommandSpec, ParsedArgs } from './args';
import { checkText, loadQuestionList, type FileCheckResult } from './checkFiles';
import { formatTextReport } from './checkReport';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, openConnection, selectedEnvironment, toCliError } from './connection';
import { CliError, type ExitCodeValue } from './errors';
import { decodeUtf8, readFileBytes } from './files';
import { exitCodeOfOutcome, formatOutcomeText, formatRawReply, outcomeJson } from './outcome';
import { printVerbose, printWarning, timed, writeError, writeOut } from './output';
import { recordAttempt, warnAboutEarlierSubmissions } from './submissionRecord';

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
    'show-raw': {
      type: 'boolean',
      description:
        'Also print the decrypted response XML, or the start of the reply as received when none was decrypted (in JSON as "responseXml" and "rawReply", the CSID masked).',
    },
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
 * Rejects a file with an `encoding-declaration` warning: IBKR then reads the non-ASCII answers
 * as ASCII, and answers can be set only once, so the mistake cannot be corrected by sending again.
 */
function enforceEncodingDeclaration(checked: FileCheckResult): void {
  const diagnostic = checked.diagnostics.find((candidate) => candidate.code === 'encoding-declaration');
  if (diagnostic !== undefined) {
    throw new CliError(
      `${checked.file} has non-ASCII text but no XML declaration naming UTF-8 (line ${diagnostic.range.start.line + 1}), so IBKR would read it as ASCII and store garbled answers, which cannot be set again. Add <?xml version="1.0" encoding="UTF-8"?> as the first line and submit again. Nothing was sent.`,
    );
  }
}

/** Returns the record entry of an attempt that failed before the client could send anything (a key or setting error). */
function notSentBeforeClient(args: ParsedArgs, environment: EnvironmentName, file: string, message: string): NotSentOutcome {
  let host = 'unknown host';
  try {
    host = hostOf(resolveBaseUrl(environment, args.string('url')));
  } catch {
    // The URL itself is what failed; the record names no host.
  }
  return { outcome: 'not-sent', environment, host, fileName: path.basename(file), message };
}

/** Prints the JSON object of a submission that sent nothing, so that a JSON reader always gets an object on stdout. */
function writeNothingSentJson(outcome: 'not-sent' | 'rejected', error: unknown): void {
  const detail = error instanceof Error ? error.message : String(error);
  writeOut(`${JSON.stringify({ outcome, detail }, null, 2)}\n`);
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
  // Until the request file passes the gates, a failure is a rejection; after that, nothing sent.
  let stage: 'rejected' | 'not-sent' = 'rejected';
  try {
    return await submitFile(args, file, format, () => (stage = 'not-sent'));
  } catch (error) {
    // submitFile raises only before anything was sent: once `update` returns, it prints the outcome.
    if (format === 'json') {
      writeNothingSentJson(stage, toCliError(error));
    }
    throw error;
  }
}

async function submitFile(args: ParsedArgs, file: string, format: 'text' | 'json', gatesPassed: () => void): Promise<ExitCodeValue> {
  const environment = selectedEnvironment(args);
  const recordFile = args.string('record') ?? defaultRecordFile();

  // The exact bytes that were checked are the bytes that are sent.
  const bytes = readFileBytes(file, 'request file');
  const text = decodeUtf8(bytes, file, 'request file');
  const questionsFile = args.string('questions');
  const catalog = questionsFile !== undefined ? loadQuestionList(questionsFile) : undefined;
  const checked = checkText(file, text, catalog);
  enforceNoErrors(checked);
  enforceEncodingDeclaration(checked);

  const requests = summarizeRequests(checked);
  if (environment === 'production') {
    enforceProductionConfirmation(args, requests);
  }
  gatesPassed();
  let client;
  try {
    ({ client } = await openConnection(args));
  } catch (error) {
    // A key or setting error: nothing was sent, and the record lists every attempt.
    const message = error instanceof Error ? error.message : String(error);
    await recordAttempt(recordFile, file, bytes, notSentBeforeClient(args, environment, file, message));
    throw error;
  }
  await warnAboutEarlierSubmissions(recordFile, environment, requests);

  printVerbose(`submitting ${requests.map((request) => request.requestType).join(', ')} from ${file} to ${client.host} (${environment})`);
  let outcome: SubmitOutcome;
  try {
    outcome = await timed('update', () => sendWithCancel((signal) => client.update({ name: path.basename(file), data: bytes }, { signal })));
  } catch (error) {
    // Recorded too, so that the record lists every attempt. A `not-sent` entry never counts as an earlier submission.
    if (error instanceof EcaError && error.notSent !== undefined) {
      await recordAttempt(recordFile, file, bytes, error.notSent);
    }
    throw toCliError(error);
  }

  await recordAttempt(recordFile, file, bytes, outcome);
  if (format === 'json') {
    writeOut(`${JSON.stringify(outcomeJson(outcome, args.flag('show-raw')), null, 2)}\n`);
  } else {
    writeOut(formatOutcomeText(outcome));
    if (args.flag('show-raw')) {
      // Without decrypted XML, the reply as received is all there is to inspect (an HTML error page, a JSON error).
      writeOut(outcome.responseXml !== null ? `Response XML:\n${outcome.responseXml}\n` : `Response XML: (none: no response was decrypted)\n${formatRawReply(outcome.rawReply ?? null)}`);
    }
  }
  return exitCodeOfOutcome(outcome);
}
