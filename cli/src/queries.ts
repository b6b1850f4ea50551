/**
 * The read-only commands: `status ID` (getAmRequestStatus), `lookup ACCOUNT_ID`
 * (getAccountDetail) and `questions` (getEnumerations SECURITY_QUESTIONS).
 */

import type { QuestionListEntry } from '../../eca/src/index';
import type { CommandSpec, ParsedArgs } from './args';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, maskSecrets, openConnection, toCliError } from './connection';
import { CliError, ExitCode, type ExitCodeValue } from './errors';
import { exitCodeOfOutcomeKind, formatRequestResult } from './outcome';
import { timed, writeError, writeOut } from './output';

export const STATUS_COMMAND: CommandSpec = {
  name: 'status',
  summary: 'Query the status of a submitted request by its request id (getAmRequestStatus)',
  description: 'Prints what could be read and the raw reply, because IBKR does not publish the reply format.',
  positionalUsage: 'ID',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    ...CONNECTION_OPTIONS,
    format: { type: 'string', valueName: 'FORMAT', choices: ['text', 'json'], description: 'Output format (default text).' },
  },
  notes: [CONNECTION_NOTES, '', 'Exit codes: 0 PROCESSED, 2 ERROR, 3 PENDING, 4 not found, unknown status or failure.'].join('\n'),
};

export const LOOKUP_COMMAND: CommandSpec = {
  name: 'lookup',
  summary: 'Print the IBKR user name of an account (getAccountDetail)',
  description: 'The user name is the value that reference_user_name needs.',
  positionalUsage: 'ACCOUNT_ID',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    ...CONNECTION_OPTIONS,
    format: { type: 'string', valueName: 'FORMAT', choices: ['text', 'json'], description: 'Output format (default text).' },
  },
  notes: [CONNECTION_NOTES, '', 'Exit codes: 0 user name found, 4 not found or failure.'].join('\n'),
};

export const QUESTIONS_COMMAND: CommandSpec = {
  name: 'questions',
  summary: 'Print the security question list (getEnumerations SECURITY_QUESTIONS)',
  description: 'The json and csv output can be given to "ibkr-am check --questions".',
  positionalUsage: '',
  minPositionals: 0,
  maxPositionals: 0,
  options: {
    ...CONNECTION_OPTIONS,
    format: { type: 'string', valueName: 'FORMAT', choices: ['text', 'json', 'csv'], description: 'Output format (default text).' },
  },
  notes: CONNECTION_NOTES,
};

async function call<T>(label: string, action: () => Promise<T>): Promise<T> {
  try {
    return await timed(label, action);
  } catch (error) {
    throw toCliError(error);
  }
}


export async function runStatus(args: ParsedArgs): Promise<ExitCodeValue> {
  const requestId = (args.positionals[0] ?? '').trim();
  if (requestId === '') {
    throw new CliError('the request id is empty; give the request_id that the submission returned');
  }
  const connection = await openConnection(args);
  const result = await call('getAmRequestStatus', () => connection.client.getAmRequestStatus(requestId));
  const request = result.requests.find((candidate) => candidate.requestId === requestId) ?? (result.requests.length === 1 ? result.requests[0] : undefined);

  if (args.choice<'text' | 'json'>('format', 'text') === 'json') {
    writeOut(`${maskSecrets(JSON.stringify(result, null, 2), connection.secrets)}\n`);
  } else {
    const lines = [`Reply format: ${result.format}`];
    if (result.requests.length === 0) {
      lines.push(`No request was found in the reply for request id ${requestId}.`);
    }
    for (const found of result.requests) {
      lines.push(...formatRequestResult(found));
    }
    for (const [name, value] of Object.entries(result.fields)) {
      if (name !== 'fileData') {
        lines.push(`${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      }
    }
    if (result.signature !== null && result.signature.status === 'invalid') {
      lines.push(`Signature: ${result.signature.message}`);
    }
    if (result.xml !== null) {
      lines.push('Reply XML:', result.xml.trimEnd());
    }
    lines.push('Raw reply:', result.raw.trimEnd());
    writeOut(`${maskSecrets(lines.join('\n'), connection.secrets)}\n`);
  }
  return exitCodeOfOutcomeKind(request?.outcome);
}

export async function runLookup(args: ParsedArgs): Promise<ExitCodeValue> {
  const accountId = (args.positionals[0] ?? '').trim();
  if (accountId === '') {
    throw new CliError('the account id is empty; give an IBKR account id, e.g. U1234567');
  }
  const connection = await openConnection(args);
  const result = await call('getAccountDetail', () => connection.client.getAccountDetail(accountId));
  const account = result.accounts.find((candidate) => candidate.accountId === accountId) ?? (result.accounts.length === 1 ? result.accounts[0] : undefined);
  const userName = account?.userName ?? null;

  if (args.choice<'text' | 'json'>('format', 'text') === 'json') {
    writeOut(`${maskSecrets(JSON.stringify({ accountId, userName, reply: result }, null, 2), connection.secrets)}\n`);
  } else if (userName !== null) {
    writeOut(`${accountId}: ${userName}\n`);
  }
  if (userName === null) {
    writeError(`ibkr-am lookup: getAccountDetail returned no user name for account ${accountId}. Raw reply:\n${maskSecrets(result.raw.trimEnd(), connection.secrets)}\n`);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

const CSV_COLUMNS = ['id', 'question', 'canBeNumber', 'minAnswerLength', 'maxRepeatableCharsCount'] as const;

function csvField(value: string | number | boolean | undefined): string {
  if (value === undefined) {
    return '';
  }
  let text = String(value);
  if (typeof value === 'boolean') {
    // The Web API spells canBeNumber as T/F.
    text = value ? 'T' : 'F';
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes the entries as CSV with a header row, in the columns of IBKR's Web API. */
export function questionsToCsv(entries: readonly QuestionListEntry[]): string {
  const rows = entries.map((entry) => CSV_COLUMNS.map((column) => csvField(entry[column])).join(','));
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

function formatQuestionsText(entries: readonly QuestionListEntry[]): string {
  const width = Math.max(2, ...entries.map((entry) => entry.id.length));
  const lines = entries.map((entry) => {
    const rules = [
      entry.canBeNumber === false ? 'not a number' : undefined,
      entry.minAnswerLength !== undefined ? `min length ${entry.minAnswerLength}` : undefined,
      entry.maxRepeatableCharsCount !== undefined ? `max repeated characters ${entry.maxRepeatableCharsCount}` : undefined,
    ].filter((rule) => rule !== undefined);
    return `${entry.id.padEnd(width)}  ${entry.question}${rules.length > 0 ? ` (${rules.join(', ')})` : ''}`;
  });
  return `${lines.join('\n')}\n`;
}

export async function runQuestions(args: ParsedArgs): Promise<ExitCodeValue> {
  const connection = await openConnection(args);
  const result = await call('getEnumerations', () => connection.client.getEnumerations());
  switch (args.choice<'text' | 'json' | 'csv'>('format', 'text')) {
    case 'json':
      writeOut(`${JSON.stringify(result.entries, null, 2)}\n`);
      break;
    case 'csv': {
      // IBKR's own CSV keeps any column this version does not read; a JSON list is converted.
      const received = result.csv.trimStart();
      const isCsv = !received.startsWith('[') && !received.startsWith('{');
      writeOut(isCsv ? `${result.csv.trimEnd()}\n` : questionsToCsv(result.entries));
      break;
    }
    default:
      writeOut(formatQuestionsText(result.entries));
  }
  return ExitCode.ok;
}
