/**
 * Errors that the ECA client and the emulator raise. `update` and `create` raise only for
 * failures before anything reached the server; once the request may have been sent they return
 * a `SubmitOutcome` instead.
 */

import type { NotSentOutcome } from './types';

export type EcaErrorCode =
  /** An option or setting is invalid (environment, URL, timeout, CA file). */
  | 'config'
  /** A key file is missing, unreadable, of the wrong kind, or its passphrase is wrong. */
  | 'key'
  /** The request file is missing or unreadable. */
  | 'file'
  /** The base64 payload is over the 10 MB limit. */
  | 'payload-too-large'
  /** OpenPGP encryption, signing or decryption failed. */
  | 'crypto'
  /** The connection could not be made (refused, DNS, TLS, connect timeout): nothing was sent. */
  | 'connection'
  /** A read-only call timed out or lost its connection after sending. */
  | 'timeout'
  /** The server replied with a redirect. */
  | 'redirect'
  /** The server replied with a non-2xx status. */
  | 'http-status'
  /** The reply could not be read (empty, HTML, truncated, wrong shape). */
  | 'invalid-response'
  /** The caller cancelled through its AbortSignal. */
  | 'cancelled'
  /** The submission record or the emulator's state could not be read or written. */
  | 'state';

export class EcaError extends Error {
  readonly code: EcaErrorCode;
  /** Set by `update` and `create` when the connection failed before sending, so that the attempt can be recorded. */
  readonly notSent: NotSentOutcome | undefined;

  constructor(code: EcaErrorCode, message: string, options?: { cause?: unknown; notSent?: NotSentOutcome }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EcaError';
    this.code = code;
    this.notSent = options?.notSent;
  }
}

/** Returns the message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Returns `error.code` for Node system errors, `undefined` for anything else. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
