/**
 * The submission record: an append-only JSON Lines file with one line per submitted request,
 * so that a second submission for the same user can be flagged before it is sent. A line contains
 * no answer and no CSID. The file is only ever appended to, never truncated or rewritten.
 */

import { createHash } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { findRequests } from '../../server/src/check/requests';
import { parseDocument } from '../../server/src/check/parser';
import { EcaError, errorCode, errorMessage } from './errors';
import { decodeXmlBytes } from './transport';
import type { EnvironmentName, OutcomeKind, SubmitOutcome } from './types';

/** One submitted request. */
export interface SubmissionEntry {
  /** ISO 8601 time of the submission. */
  time: string;
  environment: EnvironmentName;
  /** Host of the endpoint, e.g. `api.ibkr.com`. */
  host: string;
  requestType: string;
  /** `reference_user_name` of the request, or `null` when the file gives none. */
  userName: string | null;
  /** Absolute path of the submitted file. */
  filePath: string;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  requestId: string | null;
  /** `request_status` that IBKR returned for this request, or `null` when none was read. */
  status: string | null;
  outcome: OutcomeKind;
}

export interface CorruptRecordLine {
  /** 1-based line number in the record file. */
  line: number;
  message: string;
}

export interface SubmissionRecordRead {
  entries: SubmissionEntry[];
  /** Lines that are not valid entries; they are skipped, never removed. */
  corruptLines: CorruptRecordLine[];
}

/** `~/.ibkr-am/submissions.jsonl`. */
export function defaultRecordFile(): string {
  return path.join(os.homedir(), '.ibkr-am', 'submissions.jsonl');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Appends entries to the record in one write and flushes it to disk. A previous line that lacks
 * its line break (an interrupted write) is closed first, so that it stays one corrupt line and
 * the new entries stay readable.
 */
export async function appendSubmissions(recordFile: string, entries: readonly SubmissionEntry[]): Promise<void> {
  if (entries.length === 0) return;
  try {
    await mkdir(path.dirname(recordFile), { recursive: true, mode: 0o700 });
    const handle = await open(recordFile, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      const text = prefix + entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
      await handle.appendFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new EcaError('state', `The submission record ${recordFile} could not be written (${errorCode(error) ?? errorMessage(error)}).`, { cause: error });
  }
}

const OUTCOMES: readonly OutcomeKind[] = ['processed', 'error', 'pending', 'not-processed', 'invalid-response', 'unknown'];

function validateEntry(value: unknown): SubmissionEntry | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const entry = value as Record<string, unknown>;
  for (const field of ['time', 'environment', 'host', 'requestType', 'filePath', 'sha256'] as const) {
    if (typeof entry[field] !== 'string') return `field ${field} is missing or not a string`;
  }
  for (const field of ['userName', 'requestId', 'status'] as const) {
    if (entry[field] !== null && typeof entry[field] !== 'string') return `field ${field} is neither a string nor null`;
  }
  if (!OUTCOMES.includes(entry['outcome'] as OutcomeKind)) return `field outcome is not one of ${OUTCOMES.join(', ')}`;
  return entry as unknown as SubmissionEntry;
}

/** Reads every entry of the record. A missing file is an empty record; corrupt lines are reported and skipped. */
export async function readSubmissions(recordFile: string): Promise<SubmissionRecordRead> {
  let text: string;
  try {
    text = await readFile(recordFile, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { entries: [], corruptLines: [] };
    throw new EcaError('state', `The submission record ${recordFile} could not be read (${errorCode(error) ?? errorMessage(error)}).`, { cause: error });
  }

  const entries: SubmissionEntry[] = [];
  const corruptLines: CorruptRecordLine[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      corruptLines.push({ line: index + 1, message: `${recordFile}, line ${index + 1}: not valid JSON; the line was skipped.` });
      continue;
    }
    const entry = validateEntry(parsed);
    if (typeof entry === 'string') {
      corruptLines.push({ line: index + 1, message: `${recordFile}, line ${index + 1}: ${entry}; the line was skipped.` });
    } else {
      entries.push(entry);
    }
  }
  return { entries, corruptLines };
}

/** Returns the earlier submissions for `userName` in `environment`, for the "already submitted" warning. */
export async function findSubmissions(recordFile: string, environment: EnvironmentName, userName: string): Promise<SubmissionRecordRead> {
  const record = await readSubmissions(recordFile);
  return {
    entries: record.entries.filter((entry) => entry.environment === environment && entry.userName === userName),
    corruptLines: record.corruptLines,
  };
}

export interface RecordSubmissionInput {
  recordFile: string;
  /** Path of the submitted file; stored as an absolute path. */
  filePath: string;
  /** The bytes that were submitted. */
  data: Uint8Array;
  outcome: SubmitOutcome;
  /** Defaults to now. */
  time?: Date;
}

/**
 * Appends one entry per request of a submitted file. Request types and user names come from
 * the file itself (answers are not read), and each is paired with the response's request of
 * the same position; without a parsed response every entry takes the file's outcome.
 */
export async function recordSubmission(input: RecordSubmissionInput): Promise<SubmissionEntry[]> {
  const { outcome } = input;
  let text: string;
  try {
    text = decodeXmlBytes(input.data);
  } catch {
    text = Buffer.from(input.data).toString('utf8');
  }
  const requests = findRequests(parseDocument(text)).map((request) => ({
    requestType: request.requestType,
    userName: request.userName?.value.trim() ?? null,
  }));
  if (requests.length === 0) requests.push({ requestType: 'unknown', userName: null });

  const time = (input.time ?? new Date()).toISOString();
  const filePath = path.resolve(input.filePath);
  const sha256 = sha256Hex(input.data);
  const entries = requests.map((request, index): SubmissionEntry => {
    // Pair by position, unless the response names another user there (IBKR may drop or reorder requests).
    const atIndex = outcome.requests[index];
    const result =
      atIndex !== undefined && (atIndex.reference === null || atIndex.reference.value === request.userName)
        ? atIndex
        : outcome.requests.find((candidate) => candidate.reference?.value === request.userName);
    return {
      time,
      environment: outcome.environment,
      host: outcome.host,
      requestType: request.requestType,
      userName: request.userName === '' ? null : request.userName,
      filePath,
      sha256,
      requestId: result?.requestId ?? null,
      status: result?.status ?? null,
      outcome: result === undefined ? outcome.outcome : result.outcome,
    };
  });
  await appendSubmissions(input.recordFile, entries);
  return entries;
}
