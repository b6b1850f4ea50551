/**
 * The two kinds of rule and what they share. A request rule reads only its own request, so
 * its result can be reused while the request's text is unchanged. A document rule sees the
 * whole file (root, XML declaration, several requests).
 */

import { CODE_INFO, type DiagnosticCode, type Severity } from '../codes';
import type { ParsedDocument, Problem, QuestionCatalog, RelatedSpan, Span } from '../model';
import type { RequestInfo } from '../requests';

export interface RuleContext {
  /** The loaded question list; `undefined` when none is loaded, which turns off the list's checks. */
  catalog: QuestionCatalog | undefined;
  /** The document text. A request rule reads it only inside its request's span. */
  text: string;
}

export type RequestRule = (request: RequestInfo, context: RuleContext) => Problem[];

export type DocumentRule = (parsed: ParsedDocument, requests: readonly RequestInfo[], context: RuleContext) => Problem[];

export interface ProblemOptions {
  /** Overrides the code's default severity from `CODE_INFO`. */
  severity?: Severity;
  related?: RelatedSpan[];
  /** Data for quick fixes. Never put an answer's text here. */
  data?: Record<string, unknown>;
}

export function createProblem(code: DiagnosticCode, span: Span, message: string, options: ProblemOptions = {}): Problem {
  const problem: Problem = { code, severity: options.severity ?? CODE_INFO[code].severity, span: { start: span.start, end: span.end }, message };
  if (options.related !== undefined) {
    problem.related = options.related;
  }
  if (options.data !== undefined) {
    problem.data = options.data;
  }
  return problem;
}

/** Limits a request rule to one request type, so each rule need not repeat the check. */
export function forRequestType(requestType: string, rule: RequestRule): RequestRule {
  return (request, context) => (request.requestType === requestType ? rule(request, context) : []);
}
