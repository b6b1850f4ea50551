/**
 * Types shared by the ECA client, the submission record and the emulator. Absent values are
 * `null` rather than `undefined` so that they stay visible when the CLI prints an outcome as JSON.
 */

import type { QuestionCatalog } from '../../server/src/check/model';
import type { EnvironmentName, QuestionListEntry } from '../../server/src/protocol';

export type { EnvironmentName, QuestionListEntry };

/** Logger of the client and the emulator. Never pass it a secret (answer, CSID, key, passphrase). */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

/**
 * Kind of outcome of a submission.
 * - `processed`, `error`, `pending`: IBKR's `request_status` of the (worst) request.
 * - `not-processed`: IBKR replied `isProcessed: false`.
 * - `invalid-response`: a reply arrived but could not be read (non-2xx status, HTML page, empty
 *   body, truncated JSON, undecryptable or unparsable data). The request may have been processed.
 * - `unknown`: no reply arrived after the request may have been sent (timeout, dropped
 *   connection, cancel), or IBKR returned a `request_status` that this version does not know.
 */
export type OutcomeKind = 'processed' | 'error' | 'pending' | 'not-processed' | 'invalid-response' | 'unknown';

/** An element of a response that this version does not interpret, kept for display. */
export interface ExtraElement {
  name: string;
  attributes: Record<string, string>;
  /** Trimmed text content of the element and its descendants. */
  text: string;
  /** The element serialized as XML. */
  xml: string;
}

/** The `<Execution>` block of a `<Process>` response. */
export interface ExecutionDetails {
  /** `Execution_Date` as sent, `YYYY/MM/DD HH:MM:SS`. */
  date: string | null;
  processFile: string | null;
  client: string | null;
  masterAcct: string | null;
  /** The `ECA_XML_Schema_Version` attribute. */
  schemaVersion: string | null;
  /** Attributes other than `ECA_XML_Schema_Version`. */
  attributes: Record<string, string>;
  /** Child elements other than the four above. */
  extra: ExtraElement[];
}

/**
 * A pending task of a `PENDING` request. The six named fields follow the attribute names that
 * public client code reads (not IBKR's documentation), so every attribute is kept as well.
 */
export interface PendingTask {
  formNumber: string | null;
  formName: string | null;
  action: string | null;
  requiredForApproval: boolean | null;
  requiredForTrading: boolean | null;
  onlineTask: boolean | null;
  /** Element name of the task as sent. */
  element: string;
  /** Every attribute of the task element, the six above included. */
  attributes: Record<string, string>;
  /** Child elements of the task. */
  extra: ExtraElement[];
}

/** One request element of a `<Process>` response, e.g. `<SecurityQuestions request_status=...>`. */
export interface RequestResult {
  /** Element name, which IBKR sets to the request type. */
  requestType: string;
  /** `request_status` as sent: `PROCESSED`, `ERROR`, `PENDING`, or anything else IBKR sends. */
  status: string | null;
  outcome: 'processed' | 'error' | 'pending' | 'unknown';
  requestId: string | null;
  message: string | null;
  /** The `reference_*` attribute (`reference_user_name`, `reference_account_id`). */
  reference: { attribute: string; value: string } | null;
  /** Text of every `<Error>` element. */
  errors: string[];
  pendingTasks: PendingTask[];
  /** Attributes other than the status, id, message and `reference_*` ones. */
  attributes: Record<string, string>;
  /** Child elements other than `Errors` and `Pending_Tasks`. */
  extra: ExtraElement[];
}

/** A parsed `<Process>` document. */
export interface ProcessResponse {
  execution: ExecutionDetails | null;
  requests: RequestResult[];
  /** Children of `<Process>` that are neither `Execution` nor request elements (text, comments). */
  extra: ExtraElement[];
}

/**
 * Result of checking the signature on a decrypted reply. IBKR does not publish whether it signs
 * replies, so `absent` is not an error.
 */
export interface SignatureCheck {
  status: 'valid' | 'invalid' | 'absent' | 'not-checked';
  /** Hex key id of the signer, when the message names one. */
  keyId: string | null;
  message: string;
}

/** Fields of the JSON envelope that IBKR returns from `update` and `create`. */
export interface UpdateEnvelope {
  timestamp: string | number | null;
  isProcessed: boolean;
  batchId: string | number | null;
  name: string | null;
}

/**
 * The outcome of `update` or `create`. When a file contains several requests, the top-level
 * `status`, `requestId`, `message`, `errors` and `pendingTasks` describe the worst one
 * (ERROR before unknown status before PENDING before PROCESSED, first in file order on a tie),
 * and `requests` lists every one in file order.
 */
export interface SubmitOutcome {
  outcome: OutcomeKind;
  status: string | null;
  requestId: string | null;
  /** One sentence for the user: IBKR's message, or what went wrong and what to do next. */
  message: string;
  errors: string[];
  pendingTasks: PendingTask[];
  execution: ExecutionDetails | null;
  /** Explains an outcome without a parsed response: HTTP status, what the body was, the error. */
  detail: string | null;
  requests: RequestResult[];
  signature: SignatureCheck | null;
  /** The decrypted response XML, for display. */
  responseXml: string | null;
  envelope: UpdateEnvelope | null;
  environment: EnvironmentName;
  /** Host name of the endpoint, e.g. `api.ibkr.com` or `127.0.0.1:8642`. */
  host: string;
  /** HTTP status of the reply, or `null` when none arrived. */
  httpStatus: number | null;
  /** Entry name of the request file inside the zip. */
  fileName: string;
  /**
   * The start of the HTTP reply as received, for inspection, or `null` when no reply arrived.
   * `EcaClient` always sets it. It is optional only so that outcomes built elsewhere stay valid.
   */
  rawReply?: RawReply | null;
}

/** The start of an HTTP reply body, kept for inspection. */
export interface RawReply {
  httpStatus: number;
  contentType: string | null;
  /** Bytes of the body that were read. For a reply over the size limit, reading stopped there. */
  bytes: number;
  /** The start of the body decoded as UTF-8, at most `MAX_RAW_REPLY_CHARS` characters, with the CSID replaced by `****`. */
  text: string;
  /** True when `text` is not the whole body, or the body itself was not read to its end. */
  truncated: boolean;
}

/**
 * A submission that failed before the request left this machine: the connection was refused,
 * timed out or failed its TLS handshake, or the caller cancelled before sending. IBKR cannot
 * have processed it, so this outcome is known for sure. `update` and `create` raise it as
 * `EcaError.notSent`, and `recordSubmission` accepts it in place of a `SubmitOutcome`.
 */
export interface NotSentOutcome {
  outcome: 'not-sent';
  environment: EnvironmentName;
  host: string;
  /** Entry name of the request file inside the zip. */
  fileName: string;
  /** Message naming the failure, the host and the next step. */
  message: string;
}

/** The request file to send: a path to read, or a name and its bytes. */
export type SubmitFile = { path: string } | { name: string; data: Uint8Array };

export interface CallOptions {
  /** Cancels the call. Cancelling `update` after the request may have been sent gives outcome `unknown`. */
  signal?: AbortSignal;
}

/** The SECURITY_QUESTIONS list from `getEnumerations`. */
export interface EnumerationsResult {
  /** The enumeration type requested, e.g. `SECURITY_QUESTIONS`. */
  type: string;
  entries: QuestionListEntry[];
  catalog: QuestionCatalog;
  /** The decoded CSV text. */
  csv: string;
  /** The HTTP body as received. */
  raw: string;
}

/** Format in which a reply of an endpoint with an unpublished reply shape was found. */
export type ReplyFormat = 'json' | 'xml' | 'encrypted-xml' | 'text';

/**
 * Reply of `getAmRequestStatus`. IBKR does not publish its shape: `requests` contains what could be
 * read, `fields` the top-level JSON fields, and `raw` the HTTP body.
 */
export interface RequestStatusResult {
  format: ReplyFormat;
  requests: RequestResult[];
  fields: Record<string, unknown>;
  xml: string | null;
  signature: SignatureCheck | null;
  raw: string;
}

export interface AccountDetail {
  accountId: string | null;
  userName: string | null;
  /** Every field found on the account's object or element. */
  fields: Record<string, unknown>;
}

/** Reply of `getAccountDetail`, whose shape IBKR does not publish (see `RequestStatusResult`). */
export interface AccountDetailResult {
  format: ReplyFormat;
  accounts: AccountDetail[];
  fields: Record<string, unknown>;
  xml: string | null;
  signature: SignatureCheck | null;
  raw: string;
}

export interface HealthcheckResult {
  httpStatus: number;
  raw: string;
}
