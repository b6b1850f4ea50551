/**
 * One JSON POST over node-fetch with a connect timeout, a whole-request timeout, manual
 * redirects, a reply size cap and cancellation. It reports whether the request may have been sent,
 * because a submission that failed after sending must not be repeated blindly.
 */

import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

import { errorCode, errorMessage } from './errors';
import { loadNodeFetch } from './pgp';

/**
 * Default cap on a reply body, in bytes (64 MiB). IBKR publishes none, but its request limit is
 * 10 MB, so a genuine reply is far smaller. Reading stops, and the connection is closed, once a
 * body passes the cap.
 */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** Bytes of the start of a body kept when the body cannot be read whole (too large, or cut off). */
const FAILED_REPLY_HEAD_BYTES = 1024 * 1024;

export interface PostOptions {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  userAgent: string;
  /** Trusted CA certificates (PEM) that replace the default ones, for a custom or local https server. */
  ca?: Buffer | undefined;
  signal?: AbortSignal | undefined;
  /** Cap on the reply body in bytes. Defaults to `MAX_REPLY_BYTES`. */
  maxReplyBytes?: number | undefined;
}

export interface HttpReply {
  status: number;
  contentType: string | null;
  location: string | null;
  body: Buffer;
  durationMs: number;
  /** Extra explanation that the local emulator sends for `isProcessed: false`; IBKR sends none. */
  emulatorReason: string | null;
}

export type HttpFailureKind = 'cancelled' | 'connect-timeout' | 'timeout' | 'tls' | 'connection' | 'reply-too-large';

/** The part of a reply that arrived before reading it failed or was stopped. */
export interface PartialReply {
  status: number;
  contentType: string | null;
  /** The first bytes of the body, at most 1 MiB. */
  head: Buffer;
  /** Bytes of the body read before reading stopped. */
  bytesRead: number;
}

/** A POST that got no usable HTTP reply. `sent` is true once the connection was up, so the body may have arrived. */
export class HttpFailure extends Error {
  readonly kind: HttpFailureKind;
  readonly sent: boolean;
  readonly code: string | undefined;
  /** Status, headers and the start of the body, when the failure came after the reply began. */
  readonly partialReply: PartialReply | undefined;

  constructor(kind: HttpFailureKind, sent: boolean, message: string, code?: string, partialReply?: PartialReply) {
    super(message);
    this.name = 'HttpFailure';
    this.kind = kind;
    this.sent = sent;
    this.code = code;
    this.partialReply = partialReply;
  }
}

interface ConnectionState {
  connected: boolean;
  connectTimedOut: boolean;
}

/** Creates a one-use agent whose sockets fail after `connectTimeoutMs` unless connected (and, for https, the TLS handshake done). */
function createTimedAgent(url: URL, connectTimeoutMs: number, ca: Buffer | undefined, state: ConnectionState): http.Agent {
  const secure = url.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: false, ...(ca === undefined ? {} : { ca }) }) : new http.Agent({ keepAlive: false });
  const createConnection = agent.createConnection.bind(agent);

  agent.createConnection = (options, callback) => {
    const socket = createConnection(options, callback) as Socket;
    const timer = setTimeout(() => {
      state.connectTimedOut = true;
      socket.destroy(new Error(`connect timed out after ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      state.connected = true;
      clearTimeout(timer);
    });
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
  return agent;
}

const TLS_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|EPROTO)/;

/** Finds the system error code behind a node-fetch error. */
function systemCode(error: unknown): string | undefined {
  const code = errorCode(error);
  if (code !== undefined) return code;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause === undefined ? undefined : errorCode(cause);
}

/** Describes a byte count in MiB when it is a whole number of them, e.g. "64 MiB (67108864 bytes)". */
function byteSize(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB (${bytes} bytes)` : `${bytes} bytes`;
}

/** Copies at most `limit` bytes from the start of `chunks` into one buffer. */
function headOf(chunks: readonly Buffer[], limit: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (const chunk of chunks) {
    if (size >= limit) break;
    const part = chunk.subarray(0, limit - size);
    parts.push(part);
    size += part.length;
  }
  return Buffer.concat(parts);
}

/**
 * Sends `body` as JSON to `url` and returns the reply, whatever its status. Raises `HttpFailure`
 * when no complete reply arrived or the body passes `maxReplyBytes`.
 */
export async function postJson(url: string, body: unknown, options: PostOptions): Promise<HttpReply> {
  const target = new URL(url);
  const host = target.host;
  const maxReplyBytes = options.maxReplyBytes ?? MAX_REPLY_BYTES;
  if (options.signal?.aborted === true) {
    throw new HttpFailure('cancelled', false, `The call to ${host} was cancelled before it was sent.`);
  }

  const { default: fetch } = await loadNodeFetch();
  const state: ConnectionState = { connected: false, connectTimedOut: false };
  const agent = createTimedAgent(target, options.connectTimeoutMs, options.ca, state);
  const controller = new AbortController();
  let requestTimedOut = false;
  const requestTimer = setTimeout(() => {
    requestTimedOut = true;
    controller.abort();
  }, options.requestTimeoutMs);
  const forwardAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', forwardAbort, { once: true });
  const failureContext = (): FailureContext => ({ host, state, requestTimedOut, cancelled: isAborted(options.signal), options });

  const started = Date.now();
  try {
    let response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': options.userAgent },
        body: JSON.stringify(body),
        redirect: 'manual',
        signal: controller.signal,
        agent,
      });
    } catch (error) {
      throw classifyFailure(error, failureContext());
    }

    const status = response.status;
    const contentType = response.headers.get('content-type');
    const chunks: Buffer[] = [];
    let bytesRead = 0;
    try {
      for await (const chunk of response.body ?? []) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        bytesRead += buffer.length;
        chunks.push(buffer);
        if (bytesRead > maxReplyBytes) {
          // Leaving the loop destroys the body stream, and `agent.destroy()` below closes the socket.
          throw new HttpFailure(
            'reply-too-large',
            true,
            `The reply from ${host} (HTTP ${status}) is over the limit of ${byteSize(maxReplyBytes)}, so reading stopped after ${bytesRead} bytes.`,
            undefined,
            { status, contentType, head: headOf(chunks, FAILED_REPLY_HEAD_BYTES), bytesRead },
          );
        }
      }
    } catch (error) {
      if (error instanceof HttpFailure) throw error;
      const partialReply = { status, contentType, head: headOf(chunks, FAILED_REPLY_HEAD_BYTES), bytesRead };
      throw classifyFailure(error, failureContext(), partialReply);
    }

    return {
      status,
      contentType,
      location: response.headers.get('location'),
      body: Buffer.concat(chunks),
      durationMs: Date.now() - started,
      emulatorReason: response.headers.get('x-ibkr-am-emulator-reason'),
    };
  } finally {
    clearTimeout(requestTimer);
    options.signal?.removeEventListener('abort', forwardAbort);
    agent.destroy();
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted ?? false;
}

interface FailureContext {
  host: string;
  state: ConnectionState;
  requestTimedOut: boolean;
  cancelled: boolean;
  options: PostOptions;
}

function classifyFailure(error: unknown, context: FailureContext, partialReply?: PartialReply): HttpFailure {
  const { host, state, options } = context;
  const sent = state.connected;
  const code = systemCode(error);
  const during = partialReply === undefined ? '' : ` (HTTP ${partialReply.status}, ${partialReply.bytesRead} bytes of the body read)`;

  if (context.cancelled) {
    return new HttpFailure(
      'cancelled',
      sent,
      `The call to ${host} was cancelled ${sent ? 'after the request may have been sent' : 'before it was sent'}${during}.`,
      undefined,
      partialReply,
    );
  }
  if (state.connectTimedOut) {
    return new HttpFailure('connect-timeout', false, `Connecting to ${host} timed out after ${options.connectTimeoutMs} ms.`, code);
  }
  if (context.requestTimedOut) {
    return new HttpFailure(
      'timeout',
      sent,
      sent
        ? `No complete reply from ${host} within ${options.requestTimeoutMs} ms${during}.`
        : `Connecting to ${host} did not finish within the request timeout of ${options.requestTimeoutMs} ms.`,
      code,
      partialReply,
    );
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return new HttpFailure('tls', false, `The TLS connection to ${host} failed: ${code} (${errorMessage(error)}).`, code);
  }
  if (sent) {
    return new HttpFailure(
      'connection',
      true,
      `The connection to ${host} was lost before a complete reply arrived${during} (${code ?? errorMessage(error)}).`,
      code,
      partialReply,
    );
  }
  return new HttpFailure('connection', false, `Could not connect to ${host}: ${code ?? errorMessage(error)}.`, code);
}
