/** Describing reply bodies in error messages without echoing secrets. */

/** Characters of a reply shown in an error message. */
export const EXCERPT_LENGTH = 300;

/** Returns the start of `text` on one line, with every occurrence of each secret replaced by `****`. */
export function excerpt(text: string, secrets: readonly string[], length = EXCERPT_LENGTH): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret !== '') masked = masked.split(secret).join('****');
  }
  masked = masked.replace(/\s+/g, ' ').trim();
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
