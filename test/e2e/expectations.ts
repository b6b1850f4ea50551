/** Expected values of the end-to-end scenarios, computed from the example files and the CLI. */

import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { ROOT } from './prerequisites';

/** One-based number of the first (or last) line of `text` that matches `pattern`; throws when none does. */
export function lineOf(text: string, pattern: RegExp, which: 'first' | 'last' = 'first'): number {
  const lines = text.split(/\r?\n/);
  const indexes = lines.flatMap((line, index) => (pattern.test(line) ? [index] : []));
  const index = which === 'first' ? indexes[0] : indexes[indexes.length - 1];
  if (index === undefined) {
    throw new Error(`No line matches ${String(pattern)}: has the example changed?`);
  }
  return index + 1;
}

/**
 * Lists the diagnostics that examples/mistakes.ibkr.xml is made to produce, one per request.
 * Each is located by the text of its line, so edits to the file's header comment do not move it.
 */
export function mistakeExpectations(text: string): { code: string; line: number }[] {
  return [
    { code: 'question-duplicate', line: lineOf(text, /question="9161083" answer="Fake Pet Twelve"/) },
    { code: 'answer-too-long', line: lineOf(text, /answer="Fake answer that is far longer/) },
    { code: 'required-attribute', line: lineOf(text, /<Details question="6688721"\/>/) },
    { code: 'question-format', line: lineOf(text, /question="first-pet"/) },
    { code: 'required-attribute', line: lineOf(text, /Fake City Fifteen<\/Details>/) },
    { code: 'unexpected-content', line: lineOf(text, /Fake City Fifteen<\/Details>/) },
    { code: 'details-count', line: lineOf(text, /reference_user_name="demo_user16"/) },
    { code: 'input-language', line: lineOf(text, /input_language="english"/) },
    { code: 'duplicate-user', line: lineOf(text, /reference_user_name="demo_user18"/, 'last') },
  ];
}

export interface CliProblem {
  code: string;
  /** One-based, as the Problems panel shows it. */
  line: number;
  column: number;
}

interface CliReport {
  file: string;
  diagnostics: { code: string; range: { start: { line: number; character: number } } }[];
}

/** Runs `ibkr-am check --format json` on one file and returns its diagnostics. */
export function cliDiagnostics(file: string, questionList: string): CliProblem[] {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const result = spawnSync(process.execPath, [cli, 'check', '--format', 'json', '--questions', questionList, file], { encoding: 'utf8', timeout: 60_000 });
  // Exit code 1 means "found an Error", which the example files are made to have.
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`ibkr-am check failed (exit ${String(result.status ?? result.signal)}):\n${result.stderr}`);
  }
  const reports = JSON.parse(result.stdout) as CliReport[];
  return reports.flatMap((report) =>
    report.diagnostics.map((diagnostic) => ({ code: diagnostic.code, line: diagnostic.range.start.line + 1, column: diagnostic.range.start.character + 1 })),
  );
}
