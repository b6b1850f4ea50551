/**
 * Tolerant readers for the replies of `getEnumerations`, `getAmRequestStatus` and
 * `getAccountDetail`. IBKR publishes the shape of the first (base64 of a CSV) but not its
 * columns, and neither the request nor the reply shape of the other two.
 * NOTE: the status and account-detail readers guess from field names; settle them against
 * IBKR's QA host and tighten them then.
 */

import type { Element } from '@xmldom/xmldom';
import type { PrivateKey, PublicKey } from 'openpgp' with { 'resolution-mode': 'import' };

import { parseQuestionList } from '../../server/src/check/catalog';
import { excerpt } from './body';
import { EcaError, errorMessage } from './errors';
import { outcomeOfStatus, readProcessElement, readRequestElement } from './response';
import { decodeBase64, decodeXmlBytes, decryptReplyData, firstZipEntry } from './transport';
import type {
  AccountDetail,
  AccountDetailResult,
  EnumerationsResult,
  QuestionListEntry,
  ReplyFormat,
  RequestResult,
  RequestStatusResult,
  SignatureCheck,
} from './types';
import { attributesOf, childElements, elementName, parseXml } from './xml';

/** Keys that a reader needs to open an encrypted reply, and the secrets to keep out of its messages. */
export interface ReplyKeys {
  privateKey: PrivateKey;
  ibkrPublicKey: PublicKey | undefined;
  secrets: readonly string[];
}

interface DecodedContent {
  text: string;
  encrypted: boolean;
  signature: SignatureCheck | null;
}

function looksLikeOpenPgp(bytes: Uint8Array): boolean {
  // Every OpenPGP packet header has the top bit set (RFC 4880 section 4.2); text and zip do not.
  return (bytes[0] ?? 0) >= 0x80;
}

/** Decodes base64 content that may be an OpenPGP message and may hold a zip archive. */
async function decodeContent(base64: string, label: string, keys: ReplyKeys): Promise<DecodedContent> {
  let bytes = decodeBase64(base64, label);
  let signature: SignatureCheck | null = null;
  const encrypted = looksLikeOpenPgp(bytes);
  if (encrypted) {
    const decrypted = await decryptReplyData(bytes, keys.privateKey, keys.ibkrPublicKey);
    bytes = decrypted.bytes;
    signature = decrypted.signature;
  } else if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    bytes = firstZipEntry(bytes).data;
  }
  const text = decodeXmlBytes(bytes);
  if (text.includes('\u0000')) {
    throw new EcaError('invalid-response', `${label} decodes to binary data, not text.`);
  }
  return { text, encrypted, signature };
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"'))) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) as unknown };
  } catch {
    return { ok: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the base64 text in a JSON reply: the reply itself as a string, `fileData.data`, `data`, or its only string field. */
function base64FieldOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return undefined;
  const fileData = value['fileData'];
  if (isRecord(fileData) && typeof fileData['data'] === 'string') return fileData['data'];
  if (typeof value['data'] === 'string') return value['data'];
  const strings = Object.values(value).filter((field): field is string => typeof field === 'string' && field.length >= 16);
  return strings.length === 1 ? strings[0] : undefined;
}

function rejectNotProcessed(value: unknown, endpoint: string): void {
  if (isRecord(value) && (value['isProcessed'] === false || value['isProcessed'] === 'false')) {
    throw new EcaError('invalid-response', `${endpoint} returned isProcessed: false; check the CSID and the keys.`);
  }
}

/** Reads a `getEnumerations` reply: base64 of a CSV (or JSON) question list, possibly inside a JSON object. */
export async function readEnumerationsReply(raw: string, type: string, origin: string, keys: ReplyKeys): Promise<EnumerationsResult> {
  const rawExcerpt = (): string => excerpt(raw, keys.secrets);
  const json = tryParseJson(raw);
  if (json.ok) rejectNotProcessed(json.value, 'getEnumerations');
  const base64 = json.ok ? base64FieldOf(json.value) : raw.trim();
  if (base64 === undefined) {
    throw new EcaError('invalid-response', `The getEnumerations reply contains no base64 list. Reply: ${rawExcerpt()}`);
  }

  let decoded: DecodedContent;
  try {
    decoded = await decodeContent(base64, 'The getEnumerations reply', keys);
  } catch (error) {
    throw new EcaError('invalid-response', `${errorMessage(error)} Reply: ${rawExcerpt()}`, { cause: error });
  }

  const parsed = parseQuestionList(decoded.text, origin);
  if ('error' in parsed) {
    throw new EcaError(
      'invalid-response',
      `The ${type} list from getEnumerations could not be read: ${parsed.error.message} (line ${parsed.error.line}). Decoded text: ${excerpt(decoded.text, keys.secrets)}`,
    );
  }
  const entries: QuestionListEntry[] = [...parsed.catalog.questions.values()].map((question) => ({
    id: question.id,
    question: question.question,
    ...(question.canBeNumber === undefined ? {} : { canBeNumber: question.canBeNumber }),
    ...(question.minAnswerLength === undefined ? {} : { minAnswerLength: question.minAnswerLength }),
    ...(question.maxRepeatableCharsCount === undefined ? {} : { maxRepeatableCharsCount: question.maxRepeatableCharsCount }),
  }));
  return { type, entries, catalog: parsed.catalog, csv: decoded.text, raw };
}

/** A reply whose shape is unknown, opened as far as it goes: JSON, XML, or base64 of (encrypted) XML. */
interface OpenedReply {
  format: ReplyFormat;
  json: unknown;
  xmlRoot: Element | null;
  xml: string | null;
  signature: SignatureCheck | null;
}

async function openReply(raw: string, endpoint: string, keys: ReplyKeys): Promise<OpenedReply> {
  const rawExcerpt = (): string => excerpt(raw, keys.secrets);
  const trimmed = raw.trim();
  if (trimmed === '') {
    throw new EcaError('invalid-response', `${endpoint} returned an empty body.`);
  }

  const json = tryParseJson(trimmed);
  if (json.ok) {
    rejectNotProcessed(json.value, endpoint);
    const fileData = isRecord(json.value) ? json.value['fileData'] : undefined;
    if (isRecord(fileData) && typeof fileData['data'] === 'string') {
      const inner = await openEncoded(fileData['data'], endpoint, keys, rawExcerpt);
      return { ...inner, json: json.value };
    }
    return { format: 'json', json: json.value, xmlRoot: null, xml: null, signature: null };
  }
  if (trimmed.startsWith('<')) {
    try {
      return { format: 'xml', json: null, xmlRoot: parseXml(trimmed, `The ${endpoint} reply`), xml: trimmed, signature: null };
    } catch (error) {
      throw new EcaError('invalid-response', `${errorMessage(error)} Reply: ${rawExcerpt()}`, { cause: error });
    }
  }
  return openEncoded(trimmed, endpoint, keys, rawExcerpt);
}

async function openEncoded(base64: string, endpoint: string, keys: ReplyKeys, rawExcerpt: () => string): Promise<OpenedReply> {
  try {
    const decoded = await decodeContent(base64, `The ${endpoint} reply`, keys);
    const root = parseXml(decoded.text, `The decoded ${endpoint} reply`);
    return { format: decoded.encrypted ? 'encrypted-xml' : 'xml', json: null, xmlRoot: root, xml: decoded.text, signature: decoded.signature };
  } catch (error) {
    throw new EcaError('invalid-response', `The ${endpoint} reply is neither JSON, XML nor base64 of XML: ${errorMessage(error)} Reply: ${rawExcerpt()}`, {
      cause: error,
    });
  }
}

/** Visits every object in a JSON value, depth first, to a bounded depth. */
function collectObjects(value: unknown, accept: (record: Record<string, unknown>) => boolean, depth = 0, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (depth > 8) return found;
  if (Array.isArray(value)) {
    for (const item of value) collectObjects(item, accept, depth + 1, found);
  } else if (isRecord(value)) {
    if (accept(value)) found.push(value);
    for (const field of Object.values(value)) collectObjects(field, accept, depth + 1, found);
  }
  return found;
}

/** Returns the value of the first field whose name, lower-cased without `_`, is one of `names`. */
function pick(record: Record<string, unknown>, names: readonly string[]): unknown {
  for (const [key, value] of Object.entries(record)) {
    if (names.includes(key.toLowerCase().replace(/_/g, ''))) return value;
  }
  return undefined;
}

function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

const REQUEST_ID_KEYS = ['requestid', 'reqid'];
const STATUS_KEYS = ['requeststatus', 'status'];

function requestFromJson(record: Record<string, unknown>): RequestResult {
  const status = asText(pick(record, STATUS_KEYS));
  const errorsValue = pick(record, ['errors', 'error']);
  const errors = Array.isArray(errorsValue) ? errorsValue.map((item) => asText(item) ?? JSON.stringify(item)) : asText(errorsValue) === null ? [] : [asText(errorsValue) ?? ''];
  const userName = asText(pick(record, ['referenceusername', 'username']));
  const accountId = asText(pick(record, ['referenceaccountid', 'accountid']));
  const reference = userName !== null ? { attribute: 'reference_user_name', value: userName } : accountId !== null ? { attribute: 'reference_account_id', value: accountId } : null;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    const text = asText(value);
    if (text !== null) attributes[key] = text;
  }
  return {
    requestType: asText(pick(record, ['requesttype', 'type'])) ?? 'unknown',
    status,
    outcome: outcomeOfStatus(status),
    requestId: asText(pick(record, REQUEST_ID_KEYS)),
    message: asText(pick(record, ['message', 'description'])),
    reference,
    errors,
    pendingTasks: [],
    attributes,
    extra: [],
  };
}

function requestsFromXml(root: Element): RequestResult[] {
  if (elementName(root) === 'Process') return readProcessElement(root).requests;
  const found: RequestResult[] = [];
  const visit = (element: Element): void => {
    if (element.hasAttribute('request_status') || element.hasAttribute('request_id')) {
      found.push(readRequestElement(element));
      return;
    }
    for (const child of childElements(element)) visit(child);
  };
  visit(root);
  return found;
}

function topLevelFields(json: unknown): Record<string, unknown> {
  return isRecord(json) ? { ...json } : {};
}

/** Reads a `getAmRequestStatus` reply of any of the shapes `openReply` accepts. */
export async function readRequestStatusReply(raw: string, keys: ReplyKeys): Promise<RequestStatusResult> {
  const opened = await openReply(raw, 'getAmRequestStatus', keys);
  const requests =
    opened.xmlRoot !== null
      ? requestsFromXml(opened.xmlRoot)
      : collectObjects(opened.json, (record) => pick(record, REQUEST_ID_KEYS) !== undefined || pick(record, ['requeststatus']) !== undefined).map(requestFromJson);
  return { format: opened.format, requests, fields: topLevelFields(opened.json), xml: opened.xml, signature: opened.signature, raw };
}

const ACCOUNT_KEYS = ['accountid', 'acctid', 'account', 'referenceaccountid'];
const USER_KEYS = ['username', 'user', 'referenceusername', 'login'];

function accountFromRecord(record: Record<string, unknown>): AccountDetail {
  return { accountId: asText(pick(record, ACCOUNT_KEYS)), userName: asText(pick(record, USER_KEYS)), fields: { ...record } };
}

function accountsFromXml(root: Element): AccountDetail[] {
  const found: AccountDetail[] = [];
  const visit = (element: Element): void => {
    const record: Record<string, unknown> = attributesOf(element);
    for (const child of childElements(element)) {
      if (childElements(child).length === 0) record[elementName(child)] = (child.textContent ?? '').trim();
    }
    if (pick(record, ACCOUNT_KEYS) !== undefined && pick(record, USER_KEYS) !== undefined) {
      found.push(accountFromRecord(record));
      return;
    }
    for (const child of childElements(element)) visit(child);
  };
  visit(root);
  return found;
}

/** Reads a `getAccountDetail` reply of any of the shapes `openReply` accepts. */
export async function readAccountDetailReply(raw: string, keys: ReplyKeys): Promise<AccountDetailResult> {
  const opened = await openReply(raw, 'getAccountDetail', keys);
  const accounts =
    opened.xmlRoot !== null
      ? accountsFromXml(opened.xmlRoot)
      : collectObjects(opened.json, (record) => pick(record, ACCOUNT_KEYS) !== undefined && pick(record, USER_KEYS) !== undefined).map(accountFromRecord);
  return { format: opened.format, accounts, fields: topLevelFields(opened.json), xml: opened.xml, signature: opened.signature, raw };
}
