/**
 * The ECA client: submits request files (`update`, `create`) and calls the read-only endpoints
 * (`getEnumerations`, `getAmRequestStatus`, `getAccountDetail`, `healthcheck`).
 * Submissions are never retried: once a request may have been sent, a failure gives outcome
 * `unknown` so that the user checks the status before sending again.
 */

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { describeBody, rawReplyOf, summarizeBody } from './body';
import { EcaError, errorCode, errorMessage } from './errors';
import { endpointUrl, hostOf, resolveBaseUrl } from './environments';
import { HttpFailure, MAX_REPLY_BYTES, postJson, type HttpReply, type PartialReply } from './http';
import type { EcaCredentials } from './keys';
import { readAccountDetailReply, readEnumerationsReply, readRequestStatusReply, type ReplyKeys } from './replies';
import { NOT_PROCESSED_MESSAGE, OUTCOME_UNKNOWN_MESSAGE, outcomeFromProcess, parseProcessXml } from './response';
import { buildPayload, decodeBase64, decodeXmlBytes, decryptReplyData } from './transport';
import { silentLogger } from './types';
import type {
  AccountDetailResult,
  CallOptions,
  EnumerationsResult,
  EnvironmentName,
  HealthcheckResult,
  Logger,
  NotSentOutcome,
  RawReply,
  RequestStatusResult,
  SignatureCheck,
  SubmitFile,
  SubmitOutcome,
  UpdateEnvelope,
} from './types';
import { USER_AGENT } from './version';

/** Time allowed to open the connection (and finish the TLS handshake). This project's default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Time allowed for a whole call, reply included. IBKR publishes no processing time; this project's default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/** Retries of read-only calls after a connection failure, a timeout or a 5xx status. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, initialDelayMs: 500, maxDelayMs: 5_000 };

/**
 * Builders of the JSON bodies whose shape IBKR does not publish.
 * NOTE: the defaults are guesses from public client code; settle them against IBKR's QA host.
 */
export interface RequestBodies {
  amRequestStatus(csid: string, requestIds: string[]): Record<string, unknown>;
  accountDetail(csid: string, accountIds: string[]): Record<string, unknown>;
}

/** IBKR documents `request_id` as a non-negative integer, so decimal ids are sent as numbers. */
function requestIdValue(id: string): string | number {
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

export const DEFAULT_REQUEST_BODIES: RequestBodies = {
  amRequestStatus: (csid, requestIds) => ({ CSID: csid, requestIds: requestIds.map(requestIdValue) }),
  accountDetail: (csid, accountIds) => ({ CSID: csid, accountIds }),
};

/** Endpoint names under `/ws/eca/`. Public code also spells the account endpoint `getAccountDetails`. */
export interface EndpointNames {
  update: string;
  create: string;
  enumerations: string;
  amRequestStatus: string;
  accountDetail: string;
  healthcheck: string;
}

export const DEFAULT_ENDPOINT_NAMES: EndpointNames = {
  update: 'update',
  create: 'create',
  enumerations: 'getEnumerations',
  amRequestStatus: 'getAmRequestStatus',
  accountDetail: 'getAccountDetail',
  healthcheck: 'healthcheck',
};

export interface EcaClientOptions {
  environment: EnvironmentName;
  /** Required for `custom`; for `local` it defaults to the emulator's default address; not allowed to differ for `production` and `qa`. */
  baseUrl?: string | undefined;
  credentials: EcaCredentials;
  logger?: Logger | undefined;
  connectTimeoutMs?: number | undefined;
  requestTimeoutMs?: number | undefined;
  /**
   * PEM file of the CA certificates to trust instead of the default ones, for a `custom` or
   * `local` https server. Not accepted for `production` and `qa`, whose certificates are always
   * checked against the system's trusted CAs.
   */
  caFile?: string | undefined;
  /** Cap on a reply body in bytes, past which reading stops. Defaults to `MAX_REPLY_BYTES` (64 MiB). */
  maxReplyBytes?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  userAgent?: string | undefined;
  requestBodies?: Partial<RequestBodies> | undefined;
  endpointNames?: Partial<EndpointNames> | undefined;
}

/** Maximum timeout. Node's timers overflow above 2^31-1 ms and then fire after 1 ms, so the bound stays far below that. */
export const MAX_TIMEOUT_MS = 600_000;

/** Next step when the outcome is unknown and no request id came back, so "ibkr-am status" has nothing to ask about. */
export const NO_REQUEST_ID_MESSAGE =
  "IBKR's reply had no request id: ask IBKR support, or look for the user's security questions status before sending again.";

function checkDuration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new EcaError('config', `${name} must be from 1 to ${MAX_TIMEOUT_MS} milliseconds; got ${value}.`);
  }
  return value;
}

function loadCaFile(environment: EnvironmentName, caFile: string | undefined): Buffer | undefined {
  if (caFile === undefined || caFile === '') return undefined;
  if (environment === 'production' || environment === 'qa') {
    throw new EcaError('config', `A CA file (${caFile}) is accepted only for the custom and local environments; ${environment} always uses the system's trusted CAs.`);
  }
  try {
    return readFileSync(caFile);
  } catch (error) {
    throw new EcaError('config', `CA file ${caFile} could not be read (${errorCode(error) ?? errorMessage(error)}).`, { cause: error });
  }
}

async function readSubmitFile(file: SubmitFile): Promise<{ name: string; data: Uint8Array }> {
  if ('data' in file) return { name: file.name, data: file.data };
  try {
    return { name: path.basename(file.path), data: new Uint8Array(await readFile(file.path)) };
  } catch (error) {
    const reason = errorCode(error) === 'ENOENT' ? 'not found' : `not readable (${errorCode(error) ?? errorMessage(error)})`;
    throw new EcaError('file', `Request file ${file.path} is ${reason}.`, { cause: error });
  }
}

function readEnvelope(value: Record<string, unknown>): UpdateEnvelope | undefined {
  const flag = value['isProcessed'];
  let isProcessed: boolean;
  if (flag === true || flag === 'true') {
    isProcessed = true;
  } else if (flag === false || flag === 'false') {
    isProcessed = false;
  } else {
    return undefined;
  }
  const scalar = (field: unknown): string | number | null => (typeof field === 'string' || typeof field === 'number' ? field : null);
  const name = value['name'];
  return { timestamp: scalar(value['timestamp']), isProcessed, batchId: scalar(value['batchId']), name: typeof name === 'string' ? name : null };
}

/** Fields of every outcome of one submission. */
interface SubmitBase {
  environment: EnvironmentName;
  host: string;
  fileName: string;
}

/** The error code a read-only call raises for each kind of HTTP failure. */
const ERROR_CODE_OF_FAILURE: Record<HttpFailure['kind'], EcaError['code']> = {
  cancelled: 'cancelled',
  'connect-timeout': 'timeout',
  timeout: 'timeout',
  tls: 'connection',
  connection: 'connection',
  'reply-too-large': 'invalid-response',
};

export class EcaClient {
  readonly environment: EnvironmentName;
  readonly baseUrl: string;
  readonly host: string;
  private readonly credentials: EcaCredentials;
  private readonly logger: Logger;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly ca: Buffer | undefined;
  private readonly maxReplyBytes: number;
  private readonly retry: RetryPolicy;
  private readonly userAgent: string;
  private readonly bodies: RequestBodies;
  private readonly endpoints: EndpointNames;

  constructor(options: EcaClientOptions) {
    this.environment = options.environment;
    this.baseUrl = resolveBaseUrl(options.environment, options.baseUrl);
    this.host = hostOf(this.baseUrl);
    this.credentials = options.credentials;
    this.logger = options.logger ?? silentLogger;
    this.connectTimeoutMs = checkDuration('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS);
    this.requestTimeoutMs = checkDuration('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
    this.ca = loadCaFile(options.environment, options.caFile);
    this.maxReplyBytes = options.maxReplyBytes ?? MAX_REPLY_BYTES;
    if (!Number.isInteger(this.maxReplyBytes) || this.maxReplyBytes < 1) {
      throw new EcaError('config', `maxReplyBytes must be a positive whole number of bytes; got ${options.maxReplyBytes}.`);
    }
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1 || this.retry.attempts > 10) {
      throw new EcaError('config', `retry.attempts must be an integer from 1 to 10; got ${this.retry.attempts}.`);
    }
    this.userAgent = options.userAgent ?? USER_AGENT;
    this.bodies = { ...DEFAULT_REQUEST_BODIES, ...options.requestBodies };
    this.endpoints = { ...DEFAULT_ENDPOINT_NAMES, ...options.endpointNames };
  }

  /** Submits a request file to `/ws/eca/update`. Raises only when nothing was sent. */
  update(file: SubmitFile, options?: CallOptions): Promise<SubmitOutcome> {
    return this.submit(this.endpoints.update, file, options);
  }

  /** Submits a request file to `/ws/eca/create`, which takes the same payload as `update`. */
  create(file: SubmitFile, options?: CallOptions): Promise<SubmitOutcome> {
    return this.submit(this.endpoints.create, file, options);
  }

  private post(endpoint: string, body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<HttpReply> {
    return postJson(endpointUrl(this.baseUrl, endpoint), body, {
      connectTimeoutMs: this.connectTimeoutMs,
      requestTimeoutMs: this.requestTimeoutMs,
      userAgent: this.userAgent,
      ca: this.ca,
      signal,
      maxReplyBytes: this.maxReplyBytes,
    });
  }

  /** Adds what the user can do about a connection failure. */
  private connectionHint(failure: HttpFailure): string {
    if (failure.kind === 'tls' && (this.environment === 'custom' || this.environment === 'local')) {
      return ' If the server uses its own CA, give its certificate file as the CA file.';
    }
    if (failure.kind === 'tls') return ' Check the system clock and any proxy that intercepts TLS.';
    if (this.environment === 'local' && failure.code === 'ECONNREFUSED') return ' Start the emulator with "ibkr-am emulator".';
    return '';
  }

  private async submit(endpoint: string, file: SubmitFile, options: CallOptions | undefined): Promise<SubmitOutcome> {
    const { name, data } = await readSubmitFile(file);
    let built: Awaited<ReturnType<typeof buildPayload>>;
    try {
      built = await buildPayload({ name, data }, this.credentials);
    } catch (error) {
      // Over the size limit, or signing failed: nothing was sent, and the caller records the attempt.
      if (!(error instanceof EcaError) || error.notSent !== undefined) throw error;
      const notSent: NotSentOutcome = { outcome: 'not-sent', environment: this.environment, host: this.host, fileName: name, message: error.message };
      throw new EcaError(error.code, error.message, { cause: error.cause, notSent });
    }
    const base: SubmitBase = {
      environment: this.environment,
      host: this.host,
      fileName: built.entryName,
    };
    this.logger.info(`${endpoint}: sending ${built.entryName} (${built.payload.length} bytes of payload) to ${this.host} (${this.environment}).`);

    let reply: HttpReply;
    try {
      reply = await this.post(endpoint, { CSID: this.credentials.csid, payload: built.payload }, options?.signal);
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      if (!error.sent) {
        const message = `${error.message} Nothing was sent.${this.connectionHint(error)}`;
        const notSent: NotSentOutcome = { outcome: 'not-sent', ...base, message };
        this.logger.error(`${endpoint}: ${error.message} Nothing was sent.`);
        throw new EcaError(error.kind === 'cancelled' ? 'cancelled' : 'connection', message, { cause: error, notSent });
      }
      if (error.kind === 'reply-too-large' && error.partialReply !== undefined) {
        const outcome = this.unreadableReply(base, this.rawReply(error.partialReply, false), 'the body is over the size limit', error.message);
        this.logger.warn(`${endpoint} ${built.entryName}: ${error.message} The outcome is unknown.`);
        return outcome;
      }
      this.logger.error(`${endpoint}: ${error.message} The outcome is unknown.`);
      return {
        ...base,
        outcome: 'unknown',
        status: null,
        requestId: null,
        message: `${error.message} The request may have been processed. ${NO_REQUEST_ID_MESSAGE}`,
        errors: [],
        pendingTasks: [],
        execution: null,
        detail: error.kind === 'cancelled' ? 'Cancelled after the request was sent.' : error.message,
        requests: [],
        signature: null,
        responseXml: null,
        envelope: null,
        httpStatus: error.partialReply?.status ?? null,
        rawReply: error.partialReply === undefined ? null : this.rawReply(error.partialReply, false),
      };
    }

    const outcome = await this.readSubmitReply(reply, base);
    const idText = outcome.requestId === null ? '' : ` request id ${outcome.requestId},`;
    const summary = `${endpoint} ${built.entryName}: ${outcome.outcome},${idText} HTTP ${reply.status} in ${reply.durationMs} ms.`;
    if (outcome.outcome === 'processed' || outcome.outcome === 'pending') {
      this.logger.info(summary);
    } else {
      this.logger.warn(summary);
    }
    return outcome;
  }

  /** Keeps the start of a reply body, with the CSID masked. */
  private rawReply(reply: PartialReply, complete: boolean): RawReply {
    return rawReplyOf({ ...reply, complete }, [this.credentials.csid]);
  }

  /**
   * Builds the outcome of a reply that arrived but could not be read. `problem` is a short phrase
   * for the message, `detail` the full explanation.
   */
  private unreadableReply(base: SubmitBase, rawReply: RawReply, problem: string, detail: string, extra?: Partial<SubmitOutcome>): SubmitOutcome {
    const hasRequestId = extra?.requestId !== undefined && extra.requestId !== null;
    return {
      ...base,
      outcome: 'invalid-response',
      status: null,
      requestId: null,
      message: `The reply from ${this.host} could not be read: ${problem}. The request may have been processed: ${hasRequestId ? `${OUTCOME_UNKNOWN_MESSAGE}.` : NO_REQUEST_ID_MESSAGE}`,
      errors: [],
      pendingTasks: [],
      execution: null,
      detail,
      requests: [],
      signature: null,
      responseXml: null,
      envelope: null,
      httpStatus: rawReply.httpStatus,
      rawReply,
      ...extra,
    };
  }

  private async readSubmitReply(reply: HttpReply, base: SubmitBase): Promise<SubmitOutcome> {
    const rawReply = this.rawReply({ status: reply.status, contentType: reply.contentType, head: reply.body, bytesRead: reply.body.length }, true);
    const invalid = (problem: string, detail: string, extra?: Partial<SubmitOutcome>): SubmitOutcome => this.unreadableReply(base, rawReply, problem, detail, extra);
    const secrets = [this.credentials.csid];

    if (reply.status >= 300 && reply.status < 400) {
      return invalid(
        `HTTP ${reply.status} redirect`,
        `HTTP ${reply.status} redirect to ${reply.location ?? '(no Location header)'}. ECA endpoints do not redirect, so check the base URL ${this.baseUrl}.`,
      );
    }
    if (reply.status === 404) {
      // The endpoint does not exist at this base URL, so nothing processed the file.
      return {
        ...base,
        outcome: 'not-processed',
        status: null,
        requestId: null,
        message: `No such endpoint: ${this.host} returned HTTP 404, so the file was not processed. Check the base URL ${this.baseUrl}.`,
        errors: [],
        pendingTasks: [],
        execution: null,
        detail: `HTTP 404: ${describeBody(reply.body, reply.contentType, secrets)}.`,
        requests: [],
        signature: null,
        responseXml: null,
        envelope: null,
        httpStatus: reply.status,
        rawReply,
      };
    }
    if (reply.status < 200 || reply.status >= 300) {
      return invalid(`HTTP ${reply.status}`, `HTTP ${reply.status}: ${describeBody(reply.body, reply.contentType, secrets)}.`);
    }

    let json: unknown;
    try {
      json = JSON.parse(reply.body.toString('utf8'));
    } catch {
      return invalid(summarizeBody(reply.body, reply.contentType), `HTTP ${reply.status}, but ${describeBody(reply.body, reply.contentType, secrets)}.`);
    }
    const envelope = typeof json === 'object' && json !== null && !Array.isArray(json) ? readEnvelope(json as Record<string, unknown>) : undefined;
    if (envelope === undefined) {
      return invalid('the JSON has no isProcessed flag', `HTTP ${reply.status}, but the JSON has no isProcessed flag: ${describeBody(reply.body, reply.contentType, secrets)}.`);
    }

    if (!envelope.isProcessed) {
      return {
        ...base,
        outcome: 'not-processed',
        status: null,
        requestId: null,
        message: `${NOT_PROCESSED_MESSAGE} Correct the file, the CSID or the keys (or wait, if the service at ${this.host} was down), then submit again.`,
        errors: [],
        pendingTasks: [],
        execution: null,
        detail: reply.emulatorReason === null ? null : `The local emulator gives the reason: ${reply.emulatorReason}`,
        requests: [],
        signature: null,
        responseXml: null,
        envelope,
        httpStatus: reply.status,
        rawReply,
      };
    }

    const fileData = (json as { fileData?: unknown }).fileData;
    const data = typeof fileData === 'object' && fileData !== null ? (fileData as { data?: unknown }).data : undefined;
    if (typeof data !== 'string') {
      return invalid('fileData.data is missing', 'isProcessed is true, but fileData.data is missing, so the result cannot be read.', { envelope });
    }

    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(data, 'fileData.data');
    } catch (error) {
      return invalid('fileData.data is not base64', `isProcessed is true, but ${errorMessage(error)}`, { envelope });
    }
    let xml: string;
    let signature: SignatureCheck;
    try {
      const decrypted = await decryptReplyData(bytes, this.credentials.privateKey, this.credentials.ibkrPublicKey);
      signature = decrypted.signature;
      xml = decodeXmlBytes(decrypted.bytes);
    } catch (error) {
      const problem = error instanceof EcaError && error.code === 'crypto' ? "fileData.data could not be decrypted with the firm's private key" : 'fileData.data could not be opened';
      return invalid(problem, `isProcessed is true, but fileData.data could not be opened: ${errorMessage(error)}`, { envelope });
    }
    if (signature.status === 'invalid') this.logger.warn(signature.message);

    let parsed;
    try {
      parsed = parseProcessXml(xml);
    } catch (error) {
      return invalid('the response XML is not well-formed', `isProcessed is true, but ${errorMessage(error)}`, { envelope, responseXml: xml, signature });
    }
    const outcome: SubmitOutcome = { ...outcomeFromProcess(parsed, { ...base, httpStatus: reply.status, envelope, signature, responseXml: xml }), rawReply };
    if (signature.status === 'invalid') {
      outcome.detail = `${signature.message}${outcome.detail === null ? '' : ` ${outcome.detail}`}`;
    }
    return outcome;
  }

  /**
   * Posts a read-only call, retrying after connection failures, timeouts and 5xx statuses with
   * exponential backoff. Raises `EcaError` when no reply arrived or the final reply is not 2xx.
   */
  private async readOnlyCall(endpoint: string, body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<HttpReply> {
    const secrets = [this.credentials.csid];
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.retry.attempts;
      let reply: HttpReply | undefined;
      let failure: HttpFailure | undefined;
      try {
        reply = await this.post(endpoint, body, signal);
      } catch (error) {
        if (!(error instanceof HttpFailure)) throw error;
        failure = error;
      }

      if (failure !== undefined) {
        if (failure.kind === 'cancelled') throw new EcaError('cancelled', failure.message, { cause: failure });
        const retryable = failure.kind !== 'tls' && failure.kind !== 'reply-too-large';
        if (!retryable || last) {
          const code = ERROR_CODE_OF_FAILURE[failure.kind];
          this.logger.error(`${endpoint}: ${failure.message}`);
          throw new EcaError(code, `${endpoint} failed: ${failure.message}${this.connectionHint(failure)}`, { cause: failure });
        }
        this.logger.warn(`${endpoint}: ${failure.message} Retrying (attempt ${attempt + 1} of ${this.retry.attempts}).`);
      } else if (reply !== undefined) {
        this.logger.debug(`${endpoint}: HTTP ${reply.status}, ${reply.body.length} bytes in ${reply.durationMs} ms.`);
        if (reply.status >= 500 && !last) {
          this.logger.warn(`${endpoint}: HTTP ${reply.status} from ${this.host}. Retrying (attempt ${attempt + 1} of ${this.retry.attempts}).`);
        } else if (reply.status >= 300 && reply.status < 400) {
          throw new EcaError('redirect', `${endpoint} was redirected (HTTP ${reply.status}) to ${reply.location ?? '(no Location header)'}. ECA endpoints do not redirect, so check the base URL ${this.baseUrl}.`);
        } else if (reply.status < 200 || reply.status >= 300) {
          throw new EcaError('http-status', `${endpoint} failed with HTTP ${reply.status} from ${this.host}: ${describeBody(reply.body, reply.contentType, secrets)}.`);
        } else {
          return reply;
        }
      }

      const delay = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** (attempt - 1));
      try {
        await sleep(delay, undefined, signal === undefined ? undefined : { signal });
      } catch (error) {
        throw new EcaError('cancelled', `${endpoint} was cancelled while waiting to retry.`, { cause: error });
      }
    }
  }

  private replyKeys(): ReplyKeys {
    return { privateKey: this.credentials.privateKey, ibkrPublicKey: this.credentials.ibkrPublicKey, secrets: [this.credentials.csid] };
  }

  /** Fetches an enumeration, by default the SECURITY_QUESTIONS list, reading its columns from the header row. */
  async getEnumerations(options?: CallOptions & { type?: string }): Promise<EnumerationsResult> {
    const type = options?.type ?? 'SECURITY_QUESTIONS';
    const reply = await this.readOnlyCall(this.endpoints.enumerations, { CSID: this.credentials.csid, type }, options?.signal);
    const result = await readEnumerationsReply(reply.body.toString('utf8'), type, `getEnumerations (${this.environment})`, this.replyKeys());
    this.logger.info(`${this.endpoints.enumerations}: ${result.entries.length} entries of ${type} from ${this.host}.`);
    return result;
  }

  /** Asks for the status of earlier requests by their request ids. */
  async getAmRequestStatus(requestIds: string | string[], options?: CallOptions): Promise<RequestStatusResult> {
    const ids = trimmedIds(requestIds, 'getAmRequestStatus', 'request id');
    const reply = await this.readOnlyCall(this.endpoints.amRequestStatus, this.bodies.amRequestStatus(this.credentials.csid, ids), options?.signal);
    const result = await readRequestStatusReply(reply.body.toString('utf8'), this.replyKeys());
    this.logger.info(`${this.endpoints.amRequestStatus}: ${result.requests.length} request(s) found for id(s) ${ids.join(', ')}.`);
    return result;
  }

  /** Asks for the details (the user name among them) of accounts by their account ids. */
  async getAccountDetail(accountIds: string | string[], options?: CallOptions): Promise<AccountDetailResult> {
    const ids = trimmedIds(accountIds, 'getAccountDetail', 'account id');
    const reply = await this.readOnlyCall(this.endpoints.accountDetail, this.bodies.accountDetail(this.credentials.csid, ids), options?.signal);
    const result = await readAccountDetailReply(reply.body.toString('utf8'), this.replyKeys());
    this.logger.info(`${this.endpoints.accountDetail}: ${result.accounts.length} account(s) found.`);
    return result;
  }

  /** Calls `healthcheck` and raises unless the service replies with a 2xx status. */
  async healthcheck(options?: CallOptions): Promise<HealthcheckResult> {
    const reply = await this.readOnlyCall(this.endpoints.healthcheck, { CSID: this.credentials.csid }, options?.signal);
    return { httpStatus: reply.status, raw: reply.body.toString('utf8') };
  }
}

/** Creates a client; raises `EcaError` (`config`) for an invalid environment, URL, timeout or CA file. */
export function createEcaClient(options: EcaClientOptions): EcaClient {
  return new EcaClient(options);
}

/** Trims one id or a list of ids, and raises a `config` error when the list is empty or an id is blank. */
function trimmedIds(ids: string | string[], call: string, kind: string): string[] {
  const trimmed = (Array.isArray(ids) ? ids : [ids]).map((id) => id.trim());
  if (trimmed.length === 0 || trimmed.some((id) => id === '')) {
    throw new EcaError('config', `${call} needs at least one non-empty ${kind}.`);
  }
  return trimmed;
}
