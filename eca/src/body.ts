/** Describing reply bodies in error messages, and keeping their start for inspection, without echoing secrets. */

import type { RawReply } from './types';

/** Characters of a reply shown in an error message. */
export const EXCERPT_LENGTH = 300;

/** Returns the start of `text` on one line, with every occurrence of each secret replaced by `****`. */
export function excerpt(text: string, secrets: readonly string[], length = EXCERPT_LENGTH): string {
  const masked = maskSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return masked.length > length ? `${masked.slice(0, length)}… (${text.length} characters in all)` : masked;
}

/** Describes a reply body: empty, an HTML page (with its title), JSON that does not parse, or other text. */
export function describeBody(body: Buffer, contentType: string | null, secrets: readonly string[]): string {
  if (body.length === 0) return 'the body is empty';

  const text = body.toString('utf8');
  const trimmed = text.trimStart();
  if (/^<!doctype html|^<html[\s>]/i.test(trimmed) || (contentType ?? '').toLowerCase().includes('text/html')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim() ?? '';
    const titled = title === '' ? '' : ` titled "${excerpt(title, secrets, 100)}"`;
    return `the body is an HTML page${titled} (${body.length} bytes)`;
  }
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      JSON.parse(text);
      return `the body is JSON of ${body.length} bytes: ${excerpt(text, secrets)}`;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `the body is truncated or malformed JSON (${body.length} bytes, ${reason}): ${excerpt(text, secrets)}`;
    }
  }
  return `the body is ${body.length} bytes of ${contentType ?? 'unlabelled data'}: ${excerpt(text, secrets)}`;
}

/** Names in a few words why a body is not JSON, for a one-line message. `describeBody` gives the details. */
export function summarizeBody(body: Buffer, contentType: string | null): string {
  if (body.length === 0) return 'the body is empty';
  const start = body.subarray(0, 200).toString('utf8').trimStart();
  if (/^<!doctype html|^<html[\s>]/i.test(start) || (contentType ?? '').toLowerCase().includes('text/html')) return 'the body is an HTML page, not JSON';
  if (start.startsWith('{') || start.startsWith('[')) return 'the JSON is truncated or malformed';
  return 'the body is not JSON';
}

/**
 * Characters of a reply body kept in `SubmitOutcome.rawReply`: enough for an HTML error page or
 * the JSON reply to a file of many requests. This project's choice, not IBKR's.
 */
export const MAX_RAW_REPLY_CHARS = 64 * 1024;

/** Replaces every occurrence of each secret by `****`. */
function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret !== '') masked = masked.split(secret).join('****');
  }
  return masked;
}

/**
 * Keeps the start of a reply body for inspection: at most `MAX_RAW_REPLY_CHARS` characters, with
 * the secrets masked. `head` is the start of the body (or all of it), `bytesRead` the size read,
 * and `complete` is false when reading stopped before the end of the body.
 */
export function rawReplyOf(
  reply: { status: number; contentType: string | null; head: Buffer; bytesRead: number; complete: boolean },
  secrets: readonly string[],
): RawReply {
  // A character takes at most 4 bytes in UTF-8. The margin lets a secret that straddles the cut be masked whole.
  const margin = Math.max(0, ...secrets.map((secret) => Buffer.byteLength(secret)));
  const window = reply.head.subarray(0, MAX_RAW_REPLY_CHARS * 4 + margin);
  const masked = maskSecrets(window.toString('utf8'), secrets);
  const text = masked.slice(0, MAX_RAW_REPLY_CHARS);
  const truncated = !reply.complete || reply.head.length < reply.bytesRead || window.length < reply.head.length || text.length < masked.length;
  return { httpStatus: reply.status, contentType: reply.contentType, bytes: reply.bytesRead, text, truncated };
}
