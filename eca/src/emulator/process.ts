/**
 * The emulator's handling of a submitted file. It opens the payload like IBKR: find the firm by
 * CSID, decrypt, verify the firm's signature, unzip. Then it checks the XML with this project's
 * own rules, decides each request's status and writes the `<Process>` reply document.
 *
 * The split between "not processed" and ERROR is the emulator's own reading of IBKR's guides.
 * A file that breaks the XML schema (not well-formed, wrong root or namespace, unknown or
 * missing attributes, stray content) is not processed at all. A schema-valid request that
 * breaks a business rule (three questions, duplicates, length, unknown question, already
 * answered) gets `ERROR`.
 */

import type { PrivateKey, PublicKey } from 'openpgp' with { 'resolution-mode': 'import' };

import { checkDocument } from '../../../server/src/check/check';
import type { DiagnosticCode } from '../../../server/src/check/codes';
import { CODE_INFO } from '../../../server/src/check/codes';
import type { Problem, QuestionCatalog } from '../../../server/src/check/model';
import { findRequests, type RequestInfo } from '../../../server/src/check/requests';
import { EcaError, errorMessage } from '../errors';
import { loadOpenpgp } from '../pgp';
import { MAX_PAYLOAD_BASE64_BYTES, decodeBase64, decodeXmlBytes, firstZipEntry, type DecryptedBinary } from '../transport';
import { escapeXml } from '../xml';
import type { EmulatorState, FirmRecord, RequestRecord, StateStore, TaskRecord } from './state';

/** Message of a processed SecurityQuestions request, as in IBKR's response sample. */
export const PROCESSED_MESSAGE = 'Security Questions updated successfully.';
const PENDING_MESSAGE = 'Security Questions are pending the tasks listed.';

/** Codes that make the whole file invalid against IBKR's schema, so it is not processed. */
const SCHEMA_CODES: ReadonlySet<DiagnosticCode> = new Set<DiagnosticCode>([
  'xml-wellformed',
  'doctype-not-allowed',
  'entity-undefined',
  'root-element',
  'namespace',
  'unknown-attribute',
  'required-attribute',
  'unexpected-content',
]);

export type UpdateResult =
  | { kind: 'not-processed'; reason: string; firm: FirmRecord | undefined }
  | { kind: 'processed'; firm: FirmRecord; xml: string; batchId: number; name: string; requestIds: string[] };

export interface UpdateContext {
  store: StateStore;
  emulatorPrivateKey: PrivateKey;
  catalog: QuestionCatalog;
  now: () => Date;
}

function notProcessed(reason: string, firm?: FirmRecord): UpdateResult {
  return { kind: 'not-processed', reason, firm };
}

/** `YYYY/MM/DD HH:MM:SS` in UTC, the format of IBKR's `Execution_Date`. */
export function executionDate(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getUTCFullYear()}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** Reads the request body of `update` or `create`: `{"CSID", "payload"}`. */
export function readUpdateBody(body: unknown): { csid: string; payload: string } | string {
  if (typeof body !== 'object' || body === null) return 'the body is not a JSON object';
  const { CSID: csid, payload } = body as { CSID?: unknown; payload?: unknown };
  if (typeof csid !== 'string' || csid === '') return 'the body has no CSID';
  if (typeof payload !== 'string' || payload === '') return 'the body has no payload';
  return { csid, payload };
}

/** Decrypts a payload with the emulator's key and checks that the firm signed it. Returns the XML text or a reason. */
async function openPayload(payload: string, firm: FirmRecord, emulatorPrivateKey: PrivateKey): Promise<{ xml: string; entryName: string } | string> {
  if (payload.length > MAX_PAYLOAD_BASE64_BYTES) return `the payload is ${payload.length} bytes, over the 10 MB limit`;
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(payload, 'The payload');
  } catch (error) {
    return errorMessage(error);
  }
  if (Buffer.from(bytes.subarray(0, 20)).toString('latin1').includes('-----BEGIN PGP')) {
    return 'the OpenPGP message is ASCII-armored; IBKR requires a binary message';
  }

  const openpgp = await loadOpenpgp();
  let firmKey: PublicKey;
  try {
    firmKey = await openpgp.readKey({ armoredKey: firm.publicKeyArmored });
  } catch (error) {
    return `the registered public key of firm ${firm.name} is unreadable (${errorMessage(error)})`;
  }

  let decrypted: DecryptedBinary;
  try {
    const message = await openpgp.readMessage({ binaryMessage: bytes });
    // `unknown` first, because openpgp's declared result type does not resolve (see encryptAndSign).
    const result: unknown = await openpgp.decrypt({ message, decryptionKeys: emulatorPrivateKey, verificationKeys: firmKey, format: 'binary' });
    decrypted = result as DecryptedBinary;
  } catch (error) {
    return `the payload could not be decrypted with the emulator's key; it was encrypted to another key (${errorMessage(error)})`;
  }

  const [signature] = decrypted.signatures;
  for (const other of decrypted.signatures) void other.signature.catch(() => undefined);
  if (signature === undefined) return 'the payload is not signed';
  const results = await Promise.allSettled(decrypted.signatures.map((entry) => entry.verified));
  if (!results.some((result) => result.status === 'fulfilled')) {
    return `the signature does not verify against the public key registered for firm ${firm.name}`;
  }

  let entry: { name: string; data: Uint8Array };
  try {
    entry = firstZipEntry(decrypted.data);
  } catch {
    return 'the decrypted payload is not a zip archive holding an .xml file';
  }
  try {
    return { xml: decodeXmlBytes(entry.data), entryName: entry.name };
  } catch (error) {
    return errorMessage(error);
  }
}

/** The emulator's ERROR text for a problem. It never quotes the file, so no answer can leak into it. */
function errorText(problem: Problem): string {
  const questionId = typeof problem.data?.['questionId'] === 'string' ? problem.data['questionId'] : undefined;
  switch (problem.code) {
    case 'details-count':
      return '3 security questions are required.';
    case 'question-duplicate':
      return `Duplicate question${questionId === undefined ? '' : ` ${questionId}`} is not supported; all questions must be unique.`;
    case 'answer-duplicate':
      return 'Duplicate answer is not supported; all answers must be unique.';
    case 'answer-too-long':
      return 'Answer exceeds the maximum length of 256 characters.';
    case 'question-unknown':
      return `Security question${questionId === undefined ? '' : ` ${questionId}`} is not a valid question id.`;
    case 'question-format':
      return 'Security question id must be a number.';
    case 'answer-constraint':
      return `Answer to question${questionId === undefined ? '' : ` ${questionId}`} does not meet the question's requirements (${typeof problem.data?.['constraint'] === 'string' ? problem.data['constraint'] : 'constraint'}).`;
    case 'duplicate-user':
      return 'The file contains more than one SecurityQuestions request for this user.';
    default:
      return CODE_INFO[problem.code].summary;
  }
}

function within(problem: Problem, request: RequestInfo): boolean {
  return problem.span.start >= request.element.span.start && problem.span.end <= request.element.span.end;
}

/** Decides the status of one request and records it in `state`. */
function decideRequest(request: RequestInfo, problems: Problem[], state: EmulatorState, firm: FirmRecord, processFile: string, now: string): RequestRecord {
  const requestId = String(state.nextRequestId++);
  const userName = request.userName?.value.trim() ?? null;
  const record: RequestRecord = {
    requestId,
    requestType: request.requestType,
    firmName: firm.name,
    userName,
    status: 'ERROR',
    message: null,
    errors: [],
    pendingTasks: [],
    processFile,
    createdAt: now,
    updatedAt: now,
  };

  const errors = problems.filter((problem) => problem.severity === 'error' && within(problem, request));
  if (request.requestType !== 'SecurityQuestions') {
    record.errors = [`The local emulator does not support ${request.requestType} requests; it emulates SecurityQuestions only.`];
  } else if (errors.length > 0) {
    record.errors = [...new Set(errors.map(errorText))];
  } else if (userName !== null && state.answeredUsers[userName] !== undefined) {
    const earlier = state.answeredUsers[userName];
    record.errors = [
      earlier.status === 'PENDING'
        ? `Security questions for user ${userName} are pending in request ${earlier.requestId}; they cannot be submitted again.`
        : `Security questions for user ${userName} were already answered (request ${earlier.requestId}); they cannot be changed.`,
    ];
  } else if (userName !== null && state.pendingUsers[userName] !== undefined) {
    record.status = 'PENDING';
    record.message = PENDING_MESSAGE;
    record.pendingTasks = state.pendingUsers[userName];
    delete state.pendingUsers[userName];
    state.answeredUsers[userName] = { requestId, status: 'PENDING', at: now };
  } else {
    record.status = 'PROCESSED';
    record.message = PROCESSED_MESSAGE;
    if (userName !== null) state.answeredUsers[userName] = { requestId, status: 'PROCESSED', at: now };
  }
  state.requests[requestId] = record;
  return record;
}

/** Handles the body of `update` or `create`. */
export async function handleUpdate(body: unknown, context: UpdateContext): Promise<UpdateResult> {
  const read = readUpdateBody(body);
  if (typeof read === 'string') return notProcessed(read);

  const state = await context.store.read();
  const firm = state.firms.find((candidate) => candidate.csid === read.csid);
  if (firm === undefined) return notProcessed('no firm is registered with this CSID');

  const opened = await openPayload(read.payload, firm, context.emulatorPrivateKey);
  if (typeof opened === 'string') return notProcessed(opened, firm);

  const checked = checkDocument(opened.xml, { catalog: context.catalog });
  if (!checked.applies) return notProcessed('the root element is not AcctMgmtRequests', firm);
  const schemaProblems = checked.problems.filter((problem) => problem.severity === 'error' && SCHEMA_CODES.has(problem.code));
  if (schemaProblems.length > 0) {
    return notProcessed(`the XML is invalid (${[...new Set(schemaProblems.map((problem) => problem.code))].join(', ')})`, firm);
  }
  const requests = findRequests(checked.parsed);
  if (requests.length === 0) return notProcessed('the file contains no request', firm);

  const now = context.now();
  const decided = await context.store.update((current) => {
    const batchId = current.nextBatchId++;
    const records = requests.map((request) => decideRequest(request, checked.problems, current, firm, opened.entryName, now.toISOString()));
    return { batchId, records };
  });

  const xml = buildProcessXml(firm, opened.entryName, now, decided.records);
  const day = now.toISOString().slice(0, 10);
  const name = `${firm.name}_${day}_${String(decided.batchId).padStart(6, '0')}.xml`;
  return { kind: 'processed', firm, xml, batchId: decided.batchId, name, requestIds: decided.records.map((record) => record.requestId) };
}

function taskXml(task: TaskRecord): string {
  const attributes = Object.entries(task)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  return `<Task${attributes}/>`;
}

/** Writes one request element like IBKR's samples, e.g. `<SecurityQuestions reference_user_name=... request_status=...>`. */
export function requestElementXml(record: RequestRecord): string {
  const reference = record.userName === null ? '' : ` reference_user_name="${escapeXml(record.userName)}"`;
  const message = record.message === null ? '' : ` message="${escapeXml(record.message)}"`;
  const start = `<${record.requestType}${reference} request_status="${record.status}" request_id="${record.requestId}"${message}>`;
  let content = '';
  if (record.errors.length > 0) {
    content += `\n<Errors>\n${record.errors.map((error) => `<Error>${escapeXml(error)}</Error>`).join('\n')}\n</Errors>\n`;
  }
  if (record.pendingTasks.length > 0) {
    content += `\n<Pending_Tasks>\n${record.pendingTasks.map(taskXml).join('\n')}\n</Pending_Tasks>\n`;
  }
  return `${start}${content}</${record.requestType}>`;
}

/** Writes a `<Process>` document like IBKR's response samples. */
export function buildProcessXml(firm: FirmRecord, processFile: string, date: Date, records: readonly RequestRecord[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Process>',
    '<Execution ECA_XML_Schema_Version="15-Nov-2018">',
    `<Execution_Date>${executionDate(date)}</Execution_Date>`,
    `<Process_File>${escapeXml(processFile)}</Process_File>`,
    `<Client>${escapeXml(firm.name)}</Client>`,
    `<Client_Master_Acct>${escapeXml(firm.masterAccount)}</Client_Master_Acct>`,
    '</Execution>',
    ...records.map(requestElementXml),
    '</Process>',
    '',
  ].join('\n');
}

/** Moves a PENDING request to PROCESSED, as if its tasks were done. */
export async function completePendingInStore(store: StateStore, requestId: string, now: Date): Promise<RequestRecord> {
  return store.update((state) => {
    const record = state.requests[requestId];
    if (record === undefined) throw new EcaError('config', `Request ${requestId} is not known to the emulator.`);
    if (record.status !== 'PENDING') throw new EcaError('config', `Request ${requestId} is ${record.status}, not PENDING; only a PENDING request can be completed.`);
    record.status = 'PROCESSED';
    record.message = PROCESSED_MESSAGE;
    record.pendingTasks = [];
    record.updatedAt = now.toISOString();
    if (record.userName !== null) state.answeredUsers[record.userName] = { requestId, status: 'PROCESSED', at: record.updatedAt };
    return { ...record };
  });
}
