/**
 * The submission record: an append-only JSON Lines file with one line per submitted request,
 * so that a second submission for the same user can be flagged before it is sent. A line contains
 * no answer and no CSID. The file is only ever appended to, never truncated or rewritten.
 *
 * Each append is one `write` of whole lines to a file opened with `O_APPEND`, then `fsync`. A
 * process killed mid-append therefore leaves either all of its lines or none of them; only a
 * short write (a full disk) or another writer can leave a torn last line, which readers report.
 */

import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { findRequests } from '../../server/src/check/requests';
import { parseDocument } from '../../server/src/check/parser';
import { EcaError, errorCode, errorMessage } from './errors';
import { decodeXmlBytes } from './transport';
import type { EnvironmentName, NotSentOutcome, OutcomeKind, SubmitOutcome } from './types';

/**
 * Outcome stored for a request: the `OutcomeKind` of its submission, or `not-sent` when the
 * connection failed before sending (see `NotSentOutcome`), so IBKR never saw it.
 */
export type RecordedOutcome = OutcomeKind | 'not-sent';

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
  outcome: RecordedOutcome;
}

/**
 * Reason a line is not an entry.
 * - `torn`: the last line of the file has no line break and is not JSON, as when an append was
 *   cut short.
 * - `invalid-json`: the line is not JSON.
 * - `invalid-entry`: the line is JSON but lacks a field or has one of the wrong type.
 */
export type CorruptLineKind = 'torn' | 'invalid-json' | 'invalid-entry';

/** Characters of a corrupt line kept in `CorruptRecordLine.text`. */
export const CORRUPT_LINE_TEXT_LENGTH = 200;

export interface CorruptRecordLine {
  /** 1-based line number in the record file. */
  line: number;
  message: string;
  kind: CorruptLineKind;
  /** The start of the line as it is in the file, at most `CORRUPT_LINE_TEXT_LENGTH` characters. */
  text: string;
}

export interface SubmissionRecordRead {
  entries: SubmissionEntry[];
  /** Lines that are not valid entries; they are skipped, never removed. */
  corruptLines: CorruptRecordLine[];
  /**
   * Copy of the record file made beside it (`<file>.corrupt-<time>-<hash>`) when corrupt lines
   * were found, or `null` when there are none or the copy failed. A copy is made once per corrupt
   * state of the file, and later reads return the existing copy.
   */
  corruptCopy: string | null;
  /** Reason the copy could not be made, or `null`. */
  corruptCopyError: string | null;
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
 * its line break (an interrupted write) is closed first, in the same write, so that it stays one
 * corrupt line and the new entries stay readable.
 */
export async function appendSubmissions(recordFile: string, entries: readonly SubmissionEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const lines = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
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
      const bytes = Buffer.from(prefix + lines, 'utf8');
      // One write: with O_APPEND it lands whole at the end, after any other process's lines.
      const { bytesWritten } = await handle.write(bytes, 0, bytes.length);
      if (bytesWritten !== bytes.length) {
        throw new Error(`only ${bytesWritten} of ${bytes.length} bytes were written (is the disk full?), so the record now ends in an incomplete line, which readers report`);
      }
      await handle.sync();
      if (size === 0) await syncFolder(path.dirname(recordFile));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new EcaError('state', `The submission record ${recordFile} could not be written (${errorCode(error) ?? errorMessage(error)}).`, { cause: error });
  }
}

/** Flushes a folder's entries, so that a file created in it survives a power loss. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const OUTCOMES: readonly RecordedOutcome[] = ['processed', 'error', 'pending', 'not-processed', 'invalid-response', 'unknown', 'not-sent'];

function validateEntry(value: unknown): SubmissionEntry | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const entry = value as Record<string, unknown>;
  for (const field of ['time', 'environment', 'host', 'requestType', 'filePath', 'sha256'] as const) {
    if (typeof entry[field] !== 'string') return `field ${field} is missing or not a string`;
  }
  for (const field of ['userName', 'requestId', 'status'] as const) {
    if (entry[field] !== null && typeof entry[field] !== 'string') return `field ${field} is neither a string nor null`;
  }
  if (!OUTCOMES.includes(entry['outcome'] as RecordedOutcome)) return `field outcome is not one of ${OUTCOMES.join(', ')}`;
  return entry as unknown as SubmissionEntry;
}

/** Splits the record into entries and corrupt lines. */
function parseRecord(recordFile: string, text: string): { entries: SubmissionEntry[]; corruptLines: CorruptRecordLine[] } {
  const entries: SubmissionEntry[] = [];
  const corruptLines: CorruptRecordLine[] = [];
  const lines = text.split('\n');
  const lastIndex = lines.length - 1;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const number = index + 1;
    const corrupt = (kind: CorruptLineKind, reason: string): void => {
      corruptLines.push({ line: number, kind, message: `${recordFile}, line ${number}: ${reason}; the line was skipped.`, text: line.slice(0, CORRUPT_LINE_TEXT_LENGTH) });
    };

    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // Text after the last line break that does not parse is the start of a line whose append was cut short.
      if (index === lastIndex) {
        corrupt('torn', `the last line is incomplete (${line.length} characters and no line break), as when a write was interrupted`);
      } else {
        corrupt('invalid-json', 'not valid JSON');
      }
      continue;
    }
    const entry = validateEntry(parsed);
    if (typeof entry === 'string') {
      corrupt('invalid-entry', entry);
    } else {
      entries.push(entry);
    }
  }
  return { entries, corruptLines };
}

/** Compact UTC time for a file name, e.g. `20240916T084326Z`. */
function fileTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Copies a record with corrupt lines beside it, once per corrupt state. The state is named by a
 * hash of the file up to the end of its last corrupt line: appends after it do not change it,
 * so later reads find the copy already made. Returns the copy's path.
 */
async function copyCorruptRecord(recordFile: string, text: string, lastCorruptLine: number): Promise<string> {
  const lines = text.split('\n');
  const prefix = lines.slice(0, lastCorruptLine).join('\n');
  const hash = createHash('sha256').update(prefix, 'utf8').digest('hex').slice(0, 12);
  const folder = path.dirname(recordFile);
  const stem = `${path.basename(recordFile)}.corrupt-`;
  const existing = (await readdir(folder)).find((name) => name.startsWith(stem) && name.endsWith(`-${hash}`));
  if (existing !== undefined) return path.join(folder, existing);

  const copy = path.join(folder, `${stem}${fileTime(new Date())}-${hash}`);
  await copyFile(recordFile, copy, fsConstants.COPYFILE_EXCL);
  return copy;
}

/**
 * Reads every entry of the record. A missing file is an empty record. Corrupt lines are
 * reported and skipped, and the file is then copied aside once (see `corruptCopy`). The file
 * itself is left as it is.
 */
export async function readSubmissions(recordFile: string): Promise<SubmissionRecordRead> {
  let text: string;
  try {
    text = await readFile(recordFile, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { entries: [], corruptLines: [], corruptCopy: null, corruptCopyError: null };
    throw new EcaError('state', `The submission record ${recordFile} could not be read (${errorCode(error) ?? errorMessage(error)}).`, { cause: error });
  }

  const { entries, corruptLines } = parseRecord(recordFile, text);
  const lastCorrupt = corruptLines.at(-1);
  if (lastCorrupt === undefined) return { entries, corruptLines, corruptCopy: null, corruptCopyError: null };
  try {
    return { entries, corruptLines, corruptCopy: await copyCorruptRecord(recordFile, text, lastCorrupt.line), corruptCopyError: null };
  } catch (error) {
    const reason = `A copy of ${recordFile} could not be made beside it (${errorCode(error) ?? errorMessage(error)}).`;
    return { entries, corruptLines, corruptCopy: null, corruptCopyError: reason };
  }
}

/** Corrupt lines listed by number in `describeCorruptRecord`; the rest are counted. */
const MAX_LISTED_CORRUPT_LINES = 10;

/**
 * Describes the unreadable lines of a record for a warning: their numbers and kinds, and where
 * the copy of the file was kept (or why none was made). Returns undefined when there are none.
 */
export function describeCorruptRecord(recordFile: string, read: Pick<SubmissionRecordRead, 'corruptLines' | 'corruptCopy' | 'corruptCopyError'>): string | undefined {
  const count = read.corruptLines.length;
  if (count === 0) {
    return undefined;
  }
  const listed = read.corruptLines.slice(0, MAX_LISTED_CORRUPT_LINES).map((corrupt) => `line ${corrupt.line} (${corrupt.kind})`);
  const more = count > MAX_LISTED_CORRUPT_LINES ? ` and ${count - MAX_LISTED_CORRUPT_LINES} more` : '';
  const copy = read.corruptCopy !== null ? `A copy of the file as it was is kept at ${read.corruptCopy}.` : (read.corruptCopyError ?? 'No copy of the file was made.');
  return `The submission record ${recordFile} has ${count} unreadable ${count === 1 ? 'line' : 'lines'}: ${listed.join(', ')}${more}. They were skipped, so an earlier submission recorded there is not flagged. ${copy}`;
}

/**
 * Returns the earlier submissions for `userName` in `environment`, for the "already submitted"
 * warning, with every corrupt line of the file (whatever user it was for) so that the caller can
 * report them. Entries with outcome `not-sent` are included, although IBKR never received them.
 */
export async function findSubmissions(recordFile: string, environment: EnvironmentName, userName: string): Promise<SubmissionRecordRead> {
  const record = await readSubmissions(recordFile);
  return { ...record, entries: record.entries.filter((entry) => entry.environment === environment && entry.userName === userName) };
}

export interface RecordSubmissionInput {
  recordFile: string;
  /** Path of the submitted file; stored as an absolute path. */
  filePath: string;
  /** The bytes that were submitted. */
  data: Uint8Array;
  /** The outcome `update` returned, or `EcaError.notSent` when it raised before sending. */
  outcome: SubmitOutcome | NotSentOutcome;
  /** Defaults to now. */
  time?: Date;
}

/**
 * Appends one entry per request of a submitted file. Request types and user names come from
 * the file itself (answers are not read), and each is paired with the response's request of
 * the same position. Without a parsed response (or for a `NotSentOutcome`) every entry takes the
 * file's outcome.
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
  const results = outcome.outcome === 'not-sent' ? [] : outcome.requests;
  const entries = requests.map((request, index): SubmissionEntry => {
    // Pair by position, unless the response names another user there (IBKR may drop or reorder requests).
    const atIndex = results[index];
    const result =
      atIndex !== undefined && (atIndex.reference === null || atIndex.reference.value === request.userName)
        ? atIndex
        : results.find((candidate) => candidate.reference?.value === request.userName);
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
