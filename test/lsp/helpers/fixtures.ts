/** Fixture files and small helpers shared by the LSP tests. */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Diagnostic, Range } from 'vscode-languageserver/node';

import { positionAt } from './lspClient';

export const LSP_FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'lsp');

export function readFixture(name: string): string {
  return readFileSync(path.join(LSP_FIXTURES, name), 'utf8');
}

/** The answers in the fixtures. No server output may ever contain one of them. */
export const FIXTURE_ANSWERS = ['Fluffy-secret-1', 'Zurich-secret-2', 'Model-T-secret-3'];

/** Creates a temporary workspace folder; the returned `remove` deletes it. */
export function temporaryFolder(prefix: string): { path: string; remove: () => void } {
  const folder = mkdtempSync(path.join(os.tmpdir(), `ibkr-lsp-${prefix}-`));
  return { path: folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

/** Returns the range of the `occurrence`-th (0-based) appearance of `needle` in `text`. */
export function rangeOf(text: string, needle: string, occurrence = 0): Range {
  let offset = -1;
  for (let index = 0; index <= occurrence; index += 1) {
    offset = text.indexOf(needle, offset + 1);
    if (offset === -1) throw new Error(`"${needle}" occurs fewer than ${occurrence + 1} times in the text`);
  }
  return { start: positionAt(text, offset), end: positionAt(text, offset + needle.length) };
}

/** Returns the code and range of each diagnostic, sorted, for comparing with `deepEqual`. */
export function codesAndRanges(diagnostics: readonly Diagnostic[]): { code: string; range: Range }[] {
  return diagnostics
    .map((diagnostic) => ({ code: String(diagnostic.code), range: diagnostic.range }))
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
}

export function codesOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => String(diagnostic.code)).sort();
}
