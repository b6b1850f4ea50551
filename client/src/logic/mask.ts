/**
 * Keeps secrets out of what the extension shows and logs. Messages that come back from other
 * libraries pass through `redactSecrets` before they reach a notification or the log.
 */

/** Shows at most the first two characters of a secret, like the ECA client's logs. */
export function maskSecret(secret: string): string {
  if (secret.length < 8) {
    return '****';
  }
  return `${secret.slice(0, 2)}****`;
}

/**
 * Replaces every occurrence of each secret in `text` with `****`. Longer secrets are replaced
 * first so that one secret inside another cannot leave a part visible. Secrets shorter than
 * 2 characters are skipped: replacing every single letter would make the message unreadable.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  const sorted = [...new Set([...secrets].filter((s): s is string => s !== undefined && s.length >= 2))].sort(
    (a, b) => b.length - a.length,
  );
  let result = text;
  for (const secret of sorted) {
    result = result.split(secret).join('****');
  }
  return result;
}
