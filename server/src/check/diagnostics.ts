/** Converts a rule's `Problem` (offsets) into an LSP diagnostic (line and character positions). */

import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DIAGNOSTIC_SOURCE, type Severity } from './codes';
import type { Problem, Span } from './model';

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Clamps an offset into `[0, length]`; NaN and other non-finite values become 0. */
function clampOffset(offset: number, length: number): number {
  if (!Number.isFinite(offset)) {
    return 0;
  }
  return Math.min(Math.max(Math.trunc(offset), 0), length);
}

/** Converts a span to a range that is never negative, reversed or past the end of the document. */
export function spanToRange(span: Span, document: TextDocument): Range {
  const length = document.getText().length;
  const start = clampOffset(span.start, length);
  const end = Math.max(start, clampOffset(span.end, length));
  return { start: document.positionAt(start), end: document.positionAt(end) };
}

export function toLspDiagnostic(problem: Problem, document: TextDocument, uri: string): Diagnostic {
  const diagnostic: Diagnostic = {
    range: spanToRange(problem.span, document),
    severity: SEVERITIES[problem.severity],
    source: DIAGNOSTIC_SOURCE,
    code: problem.code,
    message: problem.message,
  };
  if (problem.related !== undefined && problem.related.length > 0) {
    diagnostic.relatedInformation = problem.related.map(
      (related): DiagnosticRelatedInformation => ({ location: { uri, range: spanToRange(related.span, document) }, message: related.message }),
    );
  }
  if (problem.data !== undefined) {
    diagnostic.data = problem.data;
  }
  return diagnostic;
}
