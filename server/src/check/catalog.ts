/**
 * The question list (IBKR's SECURITY_QUESTIONS enumeration) that question ids and answers are
 * checked against. It is read from a JSON array or a CSV file with a header row, in the
 * columns of IBKR's Web API: `id`, `question`, `canBeNumber`, `minAnswerLength`,
 * `maxRepeatableCharsCount`.
 */

import type { QuestionCatalog, SecurityQuestion } from './model';
import type { QuestionListEntry } from '../protocol';

export interface QuestionListError {
  /** Names the origin and the line, e.g. `questions.csv, line 4: ...`. */
  message: string;
  /** 1-based line of the problem in the list's text. */
  line: number;
}

export type QuestionListResult = { catalog: QuestionCatalog } | { error: QuestionListError };

const DECIMAL_ID = /^[0-9]+$/;

/**
 * Returns the id in the form that catalogs are keyed by: leading zeros removed from a decimal
 * id, so that `007` and `7` are the same question. Other values are returned unchanged.
 */
export function canonicalQuestionId(id: string): string {
  // Only a decimal id that starts with 0 changes. The rules call this for every question id,
  // so other ids return at once, and the rest are read with a loop instead of regular expressions.
  if (id.charCodeAt(0) !== 0x30) {
    return id;
  }
  let firstNonZero = -1;
  for (let index = 1; index < id.length; index++) {
    const code = id.charCodeAt(index);
    if (code < 0x30 || code > 0x39) {
      return id;
    }
    if (firstNonZero === -1 && code !== 0x30) {
      firstNonZero = index;
    }
  }
  return firstNonZero === -1 ? '0' : id.slice(firstNonZero);
}

export function findQuestion(catalog: QuestionCatalog, id: string): SecurityQuestion | undefined {
  return catalog.questions.get(canonicalQuestionId(id));
}

/**
 * Builds a catalog from entries that were already parsed, such as the list that the extension
 * fetched with `getEnumerations`. When two entries share an id, the first one is kept.
 */
export function catalogFromEntries(origin: string, entries: readonly QuestionListEntry[]): QuestionCatalog {
  const questions = new Map<string, SecurityQuestion>();
  for (const entry of entries) {
    const id = entry.id.trim();
    const key = canonicalQuestionId(id);
    if (questions.has(key)) {
      continue;
    }
    questions.set(key, {
      id,
      question: entry.question,
      canBeNumber: entry.canBeNumber,
      minAnswerLength: entry.minAnswerLength,
      maxRepeatableCharsCount: entry.maxRepeatableCharsCount,
    });
  }
  return { origin, questions };
}

/**
 * Parses a question list. Text that starts with `[` or `{` is read as JSON, anything else as
 * CSV. Never throws: a malformed list gives one error naming `origin` and the 1-based line.
 */
export function parseQuestionList(text: string, origin: string): QuestionListResult {
  // A byte-order mark does not change line numbers, so offsets into `body` give the same lines.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const firstCharacter = body.trimStart()[0];
  if (firstCharacter === undefined) {
    return failure(origin, 1, 'the question list is empty. Write a JSON array of questions, or CSV with a header row naming the columns id and question.');
  }
  const read = firstCharacter === '[' || firstCharacter === '{' ? readJsonEntries(body, origin) : readCsvEntries(body, origin);
  if ('error' in read) {
    return read;
  }
  return buildCatalog(read.entries, origin);
}

// ---------------------------------------------------------------------------------------------
// Entries shared by both formats

/** The fields of one entry, keyed by lower-case field name, before validation. */
interface RawEntry {
  line: number;
  fields: ReadonlyMap<string, unknown>;
}

type RawEntriesResult = { entries: RawEntry[] } | { error: QuestionListError };

const FIELD_NAMES = ['id', 'question', 'canBeNumber', 'minAnswerLength', 'maxRepeatableCharsCount'] as const;
type FieldName = (typeof FIELD_NAMES)[number];

function fieldValue(entry: RawEntry, name: FieldName): unknown {
  return entry.fields.get(name.toLowerCase());
}

function buildCatalog(entries: readonly RawEntry[], origin: string): QuestionListResult {
  const questions = new Map<string, SecurityQuestion>();
  const firstLineById = new Map<string, number>();

  for (const entry of entries) {
    const converted = toSecurityQuestion(entry);
    if (typeof converted === 'string') {
      return failure(origin, entry.line, converted);
    }
    const key = canonicalQuestionId(converted.id);
    const firstLine = firstLineById.get(key);
    if (firstLine !== undefined) {
      return failure(origin, entry.line, `id ${converted.id} appears twice (first on line ${firstLine}). Remove one of the two entries.`);
    }
    firstLineById.set(key, entry.line);
    questions.set(key, converted);
  }

  if (questions.size === 0) {
    return failure(origin, 1, 'the question list contains no questions. Add at least one entry with an id and a question.');
  }
  return { catalog: { origin, questions } };
}

/** Returns the question, or a message that names the invalid field and how to fix it. */
function toSecurityQuestion(entry: RawEntry): SecurityQuestion | string {
  const id = readText(fieldValue(entry, 'id'));
  if (id === undefined || id === '') {
    return 'the entry has no id. Every question needs an id and a question.';
  }
  if (!DECIMAL_ID.test(id)) {
    return `id "${id}" is not a decimal integer. IBKR question ids are digits only, e.g. 9161083.`;
  }

  const question = readText(fieldValue(entry, 'question'));
  if (question === undefined || question === '') {
    return `question ${id} has no question text. Add the question column or property.`;
  }

  const canBeNumber = readFlag(fieldValue(entry, 'canBeNumber'));
  if (canBeNumber === 'invalid') {
    return `canBeNumber of question ${id} is ${describeValue(fieldValue(entry, 'canBeNumber'))}, not a boolean. Write T or F (also accepted: true/false, Y/N, 1/0).`;
  }

  const minAnswerLength = readCount(fieldValue(entry, 'minAnswerLength'));
  if (minAnswerLength === 'invalid') {
    return `minAnswerLength of question ${id} is ${describeValue(fieldValue(entry, 'minAnswerLength'))}, not a non-negative integer. Write a whole number such as 3, or leave it empty.`;
  }

  const maxRepeatableCharsCount = readCount(fieldValue(entry, 'maxRepeatableCharsCount'));
  if (maxRepeatableCharsCount === 'invalid') {
    return `maxRepeatableCharsCount of question ${id} is ${describeValue(fieldValue(entry, 'maxRepeatableCharsCount'))}, not a non-negative integer. Write a whole number such as 2, or leave it empty.`;
  }

  return { id, question, canBeNumber, minAnswerLength, maxRepeatableCharsCount };
}

/** Reads a text field. JSON numbers are accepted because IBKR sends ids as numbers or strings. */
function readText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value.trim();
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

const TRUE_FLAGS = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE_FLAGS = new Set(['f', 'false', 'n', 'no', '0']);

/** Reads a boolean that IBKR may send as `T`/`F`; a missing or empty value is `undefined`. */
function readFlag(value: unknown): boolean | undefined | 'invalid' {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value === 'boolean') {
    return value;
  }
  if (value === 1) {
    return true;
  }
  if (value === 0) {
    return false;
  }
  if (typeof value !== 'string') {
    return 'invalid';
  }
  const flag = value.trim().toLowerCase();
  if (flag === '') {
    return undefined;
  }
  if (TRUE_FLAGS.has(flag)) {
    return true;
  }
  return FALSE_FLAGS.has(flag) ? false : 'invalid';
}

/** Reads a non-negative integer that IBKR may send as a string; a missing or empty value is `undefined`. */
function readCount(value: unknown): number | undefined | 'invalid' {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : 'invalid';
  }
  if (typeof value !== 'string') {
    return 'invalid';
  }
  const text = value.trim();
  if (text === '') {
    return undefined;
  }
  if (!DECIMAL_ID.test(text)) {
    return 'invalid';
  }
  const count = Number(text);
  return Number.isSafeInteger(count) ? count : 'invalid';
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function failure(origin: string, line: number, detail: string): { error: QuestionListError } {
  return { error: { message: `${origin}, line ${line}: ${detail}`, line } };
}

/** Returns the 1-based line of `offset`, counting CRLF, LF and a lone CR as one line break each. */
function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let index = 0; index < end; index++) {
    const character = text.charCodeAt(index);
    if (character === 0x0a || (character === 0x0d && text.charCodeAt(index + 1) !== 0x0a)) {
      line++;
    }
  }
  return line;
}

// ---------------------------------------------------------------------------------------------
// JSON

function readJsonEntries(text: string, origin: string): RawEntriesResult {
  // JSON.parse in Node 20 does not always report where the syntax error is, so a scanner
  // finds the error offset and the offset of each array entry; JSON.parse then builds the values.
  const scan = scanJson(text);
  if (scan.error !== undefined) {
    return failure(origin, lineOfOffset(text, scan.error.offset), `invalid JSON: ${scan.error.message}.`);
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failure(origin, 1, `invalid JSON: ${error instanceof Error ? error.message : String(error)}.`);
  }

  if (!Array.isArray(value)) {
    return failure(origin, 1, 'expected a JSON array of questions, found an object. Write the list as [{"id": ..., "question": ...}, ...].');
  }

  const entries: RawEntry[] = [];
  const items: unknown[] = value;
  for (const [index, item] of items.entries()) {
    const line = lineOfOffset(text, scan.entryOffsets[index] ?? 0);
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return failure(origin, line, `entry ${index + 1} is ${describeValue(item)}, not an object. Write each question as {"id": ..., "question": ...}.`);
    }
    const fields = new Map<string, unknown>();
    for (const [name, fieldContent] of Object.entries(item)) {
      const key = name.toLowerCase();
      if (!fields.has(key)) {
        fields.set(key, fieldContent);
      }
    }
    entries.push({ line, fields });
  }
  return { entries };
}

interface JsonScan {
  error: { offset: number; message: string } | undefined;
  /** Offset of each element of a top-level array. */
  entryOffsets: number[];
}

/** A question list nests two levels deep. The limit keeps the recursive scanner far below the call stack limit. */
const MAX_JSON_DEPTH = 100;

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Validates JSON text (RFC 8259) and records where each top-level array element starts. */
function scanJson(text: string): JsonScan {
  const entryOffsets: number[] = [];
  let position = 0;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(position, message);
  };
  const describeCurrent = (): string => (position >= text.length ? 'unexpected end of text' : `unexpected character ${JSON.stringify(text[position])}`);

  const skipWhiteSpace = (): void => {
    while (position < text.length && ' \t\n\r'.includes(text.charAt(position))) {
      position++;
    }
  };

  const scanString = (): void => {
    position++; // opening quote
    while (position < text.length) {
      const character = text.charAt(position);
      if (character === '"') {
        position++;
        return;
      }
      if (character === '\\') {
        const escape = text.charAt(position + 1);
        if ('"\\/bfnrt'.includes(escape) && escape !== '') {
          position += 2;
          continue;
        }
        if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(position + 2, position + 6))) {
          position += 6;
          continue;
        }
        position++;
        fail('invalid escape sequence in a string');
      }
      if (character.charCodeAt(0) < 0x20) {
        fail('a line break or control character inside a string (strings end on the same line with ")');
      }
      position++;
    }
    fail('a string that is not closed with "');
  };

  const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

  const scanValue = (depth: number): void => {
    if (depth > MAX_JSON_DEPTH) {
      fail(`values nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    skipWhiteSpace();
    const character = text.charAt(position);
    if (character === '{') {
      scanObject(depth);
    } else if (character === '[') {
      scanArray(depth);
    } else if (character === '"') {
      scanString();
    } else if (text.startsWith('true', position) || text.startsWith('null', position)) {
      position += 4;
    } else if (text.startsWith('false', position)) {
      position += 5;
    } else {
      numberPattern.lastIndex = position;
      const match = numberPattern.exec(text);
      if (match === null) {
        fail(`${describeCurrent()} where a value should start`);
      } else {
        position += match[0].length;
      }
    }
    skipWhiteSpace();
  };

  const scanArray = (depth: number): void => {
    position++; // [
    skipWhiteSpace();
    if (text.charAt(position) === ']') {
      position++;
      return;
    }
    for (;;) {
      skipWhiteSpace();
      if (depth === 0) {
        entryOffsets.push(position);
      }
      scanValue(depth + 1);
      const separator = text.charAt(position);
      if (separator === ']') {
        position++;
        return;
      }
      if (separator !== ',') {
        fail(`${describeCurrent()} where , or ] should follow an array element`);
      }
      position++;
    }
  };

  const scanObject = (depth: number): void => {
    position++; // {
    skipWhiteSpace();
    if (text.charAt(position) === '}') {
      position++;
      return;
    }
    for (;;) {
      skipWhiteSpace();
      if (text.charAt(position) !== '"') {
        fail(`${describeCurrent()} where a property name in double quotes should start`);
      }
      scanString();
      skipWhiteSpace();
      if (text.charAt(position) !== ':') {
        fail(`${describeCurrent()} where : should follow a property name`);
      }
      position++;
      scanValue(depth + 1);
      const separator = text.charAt(position);
      if (separator === '}') {
        position++;
        return;
      }
      if (separator !== ',') {
        fail(`${describeCurrent()} where , or } should follow a property value`);
      }
      position++;
    }
  };

  try {
    scanValue(0);
    if (position < text.length) {
      fail(`${describeCurrent()} after the end of the JSON value`);
    }
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      return { error: { offset: error.offset, message: error.message }, entryOffsets };
    }
    throw error;
  }
  return { error: undefined, entryOffsets };
}

// ---------------------------------------------------------------------------------------------
// CSV

interface CsvRecord {
  line: number;
  fields: string[];
}

/** Splits CSV text into records (RFC 4180, with LF accepted as well as CRLF). */
function splitCsvRecords(text: string): { records: CsvRecord[] } | { errorLine: number; message: string } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let fieldWasQuoted = false;
  let line = 1;
  let recordLine = 1;
  let position = 0;

  const endField = (): void => {
    fields.push(field);
    field = '';
    fieldWasQuoted = false;
  };
  const endRecord = (): void => {
    // A blank line separates nothing, so it is skipped; `""` on its own line is a record.
    const blank = fields.length === 0 && field === '' && !fieldWasQuoted;
    endField();
    if (!blank) {
      records.push({ line: recordLine, fields });
    }
    fields = [];
  };

  while (position < text.length) {
    const character = text.charAt(position);

    if (character === '"') {
      if (field !== '') {
        return { errorLine: line, message: 'a double quote inside an unquoted field. Enclose the whole field in double quotes and write each quote inside it twice ("").' };
      }
      fieldWasQuoted = true;
      const quoteLine = line;
      position++;
      for (;;) {
        if (position >= text.length) {
          return { errorLine: quoteLine, message: 'a quoted field that is never closed. Add the closing double quote.' };
        }
        const inner = text.charAt(position);
        if (inner === '"') {
          if (text.charAt(position + 1) === '"') {
            field += '"';
            position += 2;
            continue;
          }
          position++;
          break;
        }
        if (inner === '\n' || (inner === '\r' && text.charAt(position + 1) !== '\n')) {
          line++;
        }
        field += inner;
        position++;
      }
      const next = text.charAt(position);
      if (next !== ',' && next !== '\n' && next !== '\r' && next !== '') {
        return { errorLine: line, message: 'text after the closing double quote of a field. Put a comma after the quote, or enclose the whole field in quotes.' };
      }
      continue;
    }

    if (character === ',') {
      endField();
      position++;
      continue;
    }

    if (character === '\n' || character === '\r') {
      endRecord();
      position = skipLineBreak(text, position);
      line++;
      recordLine = line;
      continue;
    }

    field += character;
    position++;
  }

  if (field !== '' || fields.length > 0 || fieldWasQuoted) {
    endRecord();
  }
  return { records };
}

function skipLineBreak(text: string, position: number): number {
  if (text.charAt(position) === '\r' && text.charAt(position + 1) === '\n') {
    return position + 2;
  }
  return position + 1;
}

function readCsvEntries(text: string, origin: string): RawEntriesResult {
  const split = splitCsvRecords(text);
  if ('errorLine' in split) {
    return failure(origin, split.errorLine, `invalid CSV: ${split.message}`);
  }

  const [header, ...rows] = split.records;
  if (header === undefined) {
    return failure(origin, 1, 'the question list is empty. Write a header row naming the columns id and question, then one row per question.');
  }

  const columns = new Map<string, number>();
  const knownNames = new Set(FIELD_NAMES.map((name) => name.toLowerCase()));
  for (const [index, rawName] of header.fields.entries()) {
    const name = rawName.trim().toLowerCase();
    if (!knownNames.has(name)) {
      continue; // Extra columns are allowed and ignored.
    }
    if (columns.has(name)) {
      return failure(origin, header.line, `the header row names the column ${rawName.trim()} twice. Remove one of them.`);
    }
    columns.set(name, index);
  }

  for (const required of ['id', 'question']) {
    if (!columns.has(required)) {
      const found = header.fields.map((name) => name.trim()).join(', ');
      const separatorHint = /[;\t]/.test(header.fields.join('')) ? ' Columns must be separated by commas.' : '';
      return failure(origin, header.line, `the header row has no ${required} column (found: ${found}). Name the columns id and question in the first row.${separatorHint}`);
    }
  }

  if (rows.length === 0) {
    return failure(origin, header.line, 'the question list has a header row but no questions. Add one row per question below it.');
  }

  const entries: RawEntry[] = rows.map((row) => {
    const fields = new Map<string, unknown>();
    for (const [name, index] of columns) {
      fields.set(name, row.fields[index]);
    }
    return { line: row.line, fields };
  });
  return { entries };
}
