/** The text and JSON reports of `ibkr-am check`. */

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import type { FileCheckResult } from './checkFiles';

/** LSP `DiagnosticSeverity` values 1-4, in the words of the `Severity` type of the checks. */
export const SEVERITY_NAMES = ['', 'error', 'warning', 'information', 'hint'] as const;

export function severityName(diagnostic: Diagnostic): string {
  return SEVERITY_NAMES[diagnostic.severity ?? 1] ?? 'error';
}

function oneLine(message: string): string {
  return message.replace(/\s*\r?\n\s*/g, ' ');
}

/** Returns a path for a `file:` URI as the user would write it: relative to the cwd when inside it. */
function displayPath(uri: string, reportedFile: string, reportedUri: string): string {
  if (uri === reportedUri) {
    return reportedFile;
  }
  if (!uri.startsWith('file:')) {
    return uri;
  }
  const absolute = fileURLToPath(uri);
  const relative = path.relative(process.cwd(), absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}

/**
 * Formats one line per diagnostic, `file:line:col: severity code: message` with 1-based line and
 * column (UTF-16 code units, as in the editor), related locations indented below it, then a summary.
 */
export function formatTextReport(results: readonly FileCheckResult[]): string {
  const lines: string[] = [];
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const result of results) {
    for (const diagnostic of result.diagnostics) {
      const severity = severityName(diagnostic);
      counts[severity as keyof typeof counts] += 1;
      const start = diagnostic.range.start;
      lines.push(`${result.file}:${start.line + 1}:${start.character + 1}: ${severity} ${String(diagnostic.code ?? '')}: ${oneLine(diagnostic.message)}`);
      for (const related of diagnostic.relatedInformation ?? []) {
        const relatedStart = related.location.range.start;
        const relatedPath = displayPath(related.location.uri, result.file, result.uri);
        lines.push(`  ${relatedPath}:${relatedStart.line + 1}:${relatedStart.character + 1}: ${oneLine(related.message)}`);
      }
    }
  }
  lines.push(formatSummary(results.length, counts));
  return `${lines.join('\n')}\n`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function formatSummary(fileCount: number, counts: { error: number; warning: number; information: number; hint: number }): string {
  const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning')];
  if (counts.information > 0) {
    parts.push(`${counts.information} information`);
  }
  if (counts.hint > 0) {
    parts.push(plural(counts.hint, 'hint'));
  }
  return `Checked ${plural(fileCount, 'file')}: ${parts.join(', ')}.`;
}

/**
 * Formats the JSON report: an array with one `{ file, diagnostics }` object per file, where each
 * diagnostic is an LSP `Diagnostic` (0-based range in UTF-16 code units, numeric severity 1-4).
 * Only the standard fields are written; the quick-fix `data` stays inside the language server.
 */
export function formatJsonReport(results: readonly FileCheckResult[]): string {
  const report = results.map((result) => ({
    file: result.file,
    diagnostics: result.diagnostics.map((diagnostic) => ({
      code: diagnostic.code,
      severity: diagnostic.severity,
      range: diagnostic.range,
      message: diagnostic.message,
      source: diagnostic.source,
      relatedInformation: diagnostic.relatedInformation ?? [],
    })),
  }));
  return `${JSON.stringify(report, null, 2)}\n`;
}
