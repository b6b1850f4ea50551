/**
 * Scheduling of checks and diagnostics publishing. Each publish carries the version it was
 * computed for, and a result is dropped when the document changed in the meantime, so no
 * publish carries diagnostics of an outdated version. With `validate.run` set to `onSave`,
 * the diagnostics of the last save stay until the next save.
 *
 * A change is checked at once: the checker re-checks only the requests that an edit touched,
 * so a keystroke costs well under a typing interval even in a batch file of megabytes
 * (BENCHMARKS.md has the measured times). Changes that arrive while a check of the same
 * document runs are checked together, once, when it ends.
 */

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

import { DIAGNOSTIC_SOURCE, DiagnosticCodes, type Severity } from '../check/codes';
import { spanToRange, toLspDiagnostic } from '../check/diagnostics';
import type { Problem } from '../check/model';
import type { Analysis } from '../documents';
import type { ServerSettings } from '../protocol';

/** Code of the information diagnostic on a document over `ibkr.validate.maxFileSize`; no rule produces it. */
export const CHECK_SKIPPED_CODE = DiagnosticCodes.checkSkipped;

/** Code of the note after the listed problems of a document with more than `ibkr.validate.maxProblems`. */
export const PROBLEMS_LIMIT_CODE = DiagnosticCodes.problemsLimit;

/** Order in which problems are listed when a document has more than the limit: errors first. */
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

export interface ValidationHost {
  getDocument(uri: string): TextDocument | undefined;
  allDocuments(): TextDocument[];
  settingsFor(uri: string): Promise<ServerSettings>;
  analyze(document: TextDocument): Promise<Analysis>;
  publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void;
  logError(action: string, uri: string, error: unknown): void;
}

export function diagnosticsOf(analysis: Analysis): Diagnostic[] {
  const skipped = analysis.skipped;
  if (skipped !== undefined) {
    const megabytes = (skipped.length / (1024 * 1024)).toFixed(1);
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: DiagnosticSeverity.Information,
        source: DIAGNOSTIC_SOURCE,
        code: CHECK_SKIPPED_CODE,
        message: `Rule checks were skipped: this file has ${megabytes} MB of text, more than ibkr.validate.maxFileSize (${skipped.maxFileSize} MB). Raise ibkr.validate.maxFileSize in the settings to check it.`,
      },
    ];
  }
  if (!analysis.result.applies) return [];
  const { document } = analysis;
  const problems = analysis.result.problems;
  const maxProblems = analysis.settings.validate.maxProblems;
  if (problems.length <= maxProblems) return problems.map((problem) => toLspDiagnostic(problem, document, document.uri));

  // The most severe problems are listed, earlier ones first within a severity, in their usual
  // order. A last diagnostic counts the hidden ones per severity.
  const ranked = problems.map((problem, index) => ({ problem, index }));
  ranked.sort((a, b) => SEVERITY_RANK[a.problem.severity] - SEVERITY_RANK[b.problem.severity] || a.problem.span.start - b.problem.span.start || a.index - b.index);
  const listed = ranked.slice(0, maxProblems - 1).sort((a, b) => a.index - b.index);
  const hidden = ranked.slice(maxProblems - 1).map((entry) => entry.problem);
  const diagnostics = listed.map((entry) => toLspDiagnostic(entry.problem, document, document.uri));
  diagnostics.push(limitNote(hidden, analysis));
  return diagnostics;
}

/** Builds the note that counts the problems not listed, placed where the first of them starts. */
function limitNote(hidden: readonly Problem[], analysis: Analysis): Diagnostic {
  let first = hidden[0]!;
  const counts = new Map<Severity, number>();
  for (const problem of hidden) {
    counts.set(problem.severity, (counts.get(problem.severity) ?? 0) + 1);
    if (problem.span.start < first.span.start) first = problem;
  }
  const parts = (['error', 'warning', 'information', 'hint'] as const)
    .filter((severity) => counts.has(severity))
    .map((severity) => {
      const count = counts.get(severity)!;
      return `${count} ${severity === 'information' ? 'information' : count === 1 ? severity : `${severity}s`}`;
    });
  const range = spanToRange({ start: first.span.start, end: first.span.start }, analysis.document);
  const { maxProblems } = analysis.settings.validate;
  return {
    range,
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: PROBLEMS_LIMIT_CODE,
    message:
      `${hidden.length} more ${hidden.length === 1 ? 'problem is' : 'problems are'} not listed (${parts.join(', ')}); the first starts at line ${range.start.line + 1}. ` +
      `Fix the problems listed, or raise ibkr.validate.maxProblems (${maxProblems}) to list more.`,
  };
}

export class Validator {
  /** Documents with a check in progress. */
  private readonly running = new Set<string>();
  /** Documents that changed while their check was in progress, to check again when it ends. */
  private readonly pending = new Set<string>();
  /** Number of the latest validation started per document; an older run that finishes later is dropped. */
  private readonly runs = new Map<string, number>();
  private readonly startedVersions = new Map<string, number>();

  constructor(private readonly host: ValidationHost) {}

  opened(document: TextDocument): void {
    this.validateNow(document.uri);
  }

  changed(document: TextDocument): void {
    // The change event that follows every open repeats the version that opening already checks.
    if (this.startedVersions.get(document.uri) === document.version) return;
    this.host
      .settingsFor(document.uri)
      .then((settings) => {
        if (settings.validate.run === 'onType') this.request(document.uri);
      })
      .catch((error: unknown) => this.host.logError('Reading settings', document.uri, error));
  }

  saved(document: TextDocument): void {
    this.host
      .settingsFor(document.uri)
      .then((settings) => {
        if (settings.validate.run === 'onSave') this.validateNow(document.uri);
      })
      .catch((error: unknown) => this.host.logError('Reading settings', document.uri, error));
  }

  closed(uri: string): void {
    this.pending.delete(uri);
    this.running.delete(uri);
    this.startedVersions.delete(uri);
    this.runs.set(uri, (this.runs.get(uri) ?? 0) + 1);
    this.host.publish(uri, undefined, []);
  }

  /** Checks every open document now, e.g. after the settings or the question list changed. */
  validateAll(): void {
    for (const document of this.host.allDocuments()) this.validateNow(document.uri);
  }

  dispose(): void {
    this.pending.clear();
  }

  /** Checks the document now, or right after the check in progress, if any. */
  private request(uri: string): void {
    if (this.running.has(uri)) {
      this.pending.add(uri);
      return;
    }
    this.validateNow(uri);
  }

  private validateNow(uri: string): void {
    this.pending.delete(uri);
    const run = (this.runs.get(uri) ?? 0) + 1;
    this.runs.set(uri, run);
    const version = this.host.getDocument(uri)?.version;
    if (version !== undefined) this.startedVersions.set(uri, version);
    this.running.add(uri);
    void this.validate(uri, run)
      .catch((error: unknown) => this.host.logError('Checking', uri, error))
      .finally(() => {
        // Only the latest run owns the flag: an older run that ends later must not clear it.
        if (this.runs.get(uri) !== run) return;
        this.running.delete(uri);
        if (this.pending.has(uri)) this.validateNow(uri);
      });
  }

  private async validate(uri: string, run: number): Promise<void> {
    const document = this.host.getDocument(uri);
    if (document === undefined) return;
    const analysis = await this.host.analyze(document);

    // A change, a close or a newer run since this one started makes its result outdated.
    const current = this.host.getDocument(uri);
    if (this.runs.get(uri) !== run || current === undefined || current.version !== analysis.document.version) return;
    this.host.publish(uri, analysis.document.version, diagnosticsOf(analysis));
  }
}
