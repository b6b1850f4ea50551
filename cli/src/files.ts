import { readFileSync, statSync } from 'node:fs';
import { CliError } from './errors';

/** Reads a file's bytes. Throws a `CliError` (exit 4) naming the path when it is missing, a directory or unreadable. */
export function readFileBytes(path: string, fileKind: string): Buffer {
  try {
    if (statSync(path).isDirectory()) {
      throw new CliError(`${fileKind} ${path} is a directory; give the path of a file`);
    }
    return readFileSync(path);
  } catch (error) {
    if (error instanceof CliError) {
      throw error;
    }
    throw new CliError(`cannot read ${fileKind} ${path}: ${describeFsError(error)}`);
  }
}

/**
 * Decodes a file's bytes as UTF-8 and keeps a leading byte-order mark as U+FEFF, which is how
 * the checks expect the text (their offsets count it). Throws a `CliError` (exit 4) naming the
 * path when the bytes are UTF-16 or not valid UTF-8.
 */
export function decodeUtf8(bytes: Uint8Array, path: string, fileKind: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new CliError(`${fileKind} ${path} is UTF-16 encoded; save it as UTF-8`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CliError(`${fileKind} ${path} is not valid UTF-8; save it as UTF-8`);
  }
}

/** Reads a UTF-8 text file (see `readFileBytes` and `decodeUtf8` for the errors). */
export function readTextFile(path: string, fileKind: string): string {
  return decodeUtf8(readFileBytes(path, fileKind), path, fileKind);
}

/** Turns a Node.js file system error into a short reason such as "no such file or directory". */
export function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    switch (error.code) {
      case 'ENOENT':
        return 'no such file or directory';
      case 'EACCES':
      case 'EPERM':
        return 'permission denied';
      case 'EISDIR':
        return 'is a directory';
      default:
        return `${String(error.code)} (${error.message})`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
