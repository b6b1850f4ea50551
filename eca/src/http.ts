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

/** Cap on a reply body. IBKR publishes none; this project's own limit against a runaway reply. */
export const MAX_REPLY_BYTES = 64 * 1024 * 1024;

export interface PostOptions {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  userAgent: string;
  /** Trusted CA certificates (PEM) that replace the default ones, for a custom or local https server. */
  ca?: Buffer | undefined;
  signal?: AbortSignal | undefined;
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

/** A POST that got no usable HTTP reply. `sent` is true once the connection was up, so the body may have arrived. */
export class HttpFailure extends Error {
  readonly kind: HttpFailureKind;
  readonly sent: boolean;
  readonly code: string | undefined;

  constructor(kind: HttpFailureKind, sent: boolean, message: string, code?: string) {
    super(message);
    this.name = 'HttpFailure';
    this.kind = kind;
    this.sent = sent;
    this.code = code;
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

/** Sends `body` as JSON to `url` and returns the reply, whatever its status. Raises `HttpFailure` when no reply arrived. */
export async function postJson(url: string, body: unknown, options: PostOptions): Promise<HttpReply> {
  const target = new URL(url);
  const host = target.host;
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

  const started = Date.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': options.userAgent },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: controller.signal,
      agent,
      size: MAX_REPLY_BYTES,
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      location: response.headers.get('location'),
      body: bytes,
      durationMs: Date.now() - started,
      emulatorReason: response.headers.get('x-ibkr-am-emulator-reason'),
    };
  } catch (error) {
    throw classifyFailure(error, { host, state, requestTimedOut, cancelled: isAborted(options.signal), options });
  } finally {
    clearTimeout(requestTimer);
    options.signal?.removeEventListener('abort', forwardAbort);
    agent.destroy();
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted ?? false;
}

function classifyFailure(
  error: unknown,
  context: { host: string; state: ConnectionState; requestTimedOut: boolean; cancelled: boolean; options: PostOptions },
): HttpFailure {
  const { host, state, options } = context;
  const sent = state.connected;
  const code = systemCode(error);

  if (context.cancelled) {
    return new HttpFailure('cancelled', sent, `The call to ${host} was cancelled ${sent ? 'after the request may have been sent' : 'before it was sent'}.`);
  }
  if (state.connectTimedOut) {
    return new HttpFailure('connect-timeout', false, `Connecting to ${host} timed out after ${options.connectTimeoutMs} ms.`, code);
  }
  if (context.requestTimedOut) {
    return new HttpFailure(
      'timeout',
      sent,
      sent
        ? `No complete reply from ${host} within ${options.requestTimeoutMs} ms.`
        : `Connecting to ${host} did not finish within the request timeout of ${options.requestTimeoutMs} ms.`,
      code,
    );
  }
  if (error instanceof Error && (error as { type?: unknown }).type === 'max-size') {
    return new HttpFailure('reply-too-large', true, `The reply from ${host} is over ${MAX_REPLY_BYTES} bytes and was not read.`);
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return new HttpFailure('tls', false, `The TLS connection to ${host} failed: ${code} (${errorMessage(error)}).`, code);
  }
  if (sent) {
    return new HttpFailure('connection', true, `The connection to ${host} was lost before a complete reply arrived (${code ?? errorMessage(error)}).`, code);
  }
  return new HttpFailure('connection', false, `Could not connect to ${host}: ${code ?? errorMessage(error)}.`, code);
}
