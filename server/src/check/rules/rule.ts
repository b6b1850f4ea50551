/**
 * The two kinds of rule and what they share. A request rule reads only its own request, so
 * its result can be reused while the request's text is unchanged. A document rule sees the
 * whole file (root, XML declaration, several requests).
 */

import { CODE_INFO, type DiagnosticCode, type Severity } from '../codes';
import type { ChildNode, ParsedDocument, Problem, QuestionCatalog, RelatedSpan, Span } from '../model';
import type { RequestInfo } from '../requests';

export interface RuleContext {
  /** The loaded question list; `undefined` when none is loaded, which turns off the list's checks. */
  catalog: QuestionCatalog | undefined;
  /** The document text. A request rule reads it only inside its request's span. */
  text: string;
  /**
   * The root's children as document rules read them, from a caller that keeps a shorter list
   * with the same results: the incremental checker lists only text and CDATA that is not white
   * space. Without it, rules read `parsed.root.children`.
   */
  rootContent?: readonly ChildNode[];
}

/**
 * A rule's result is read-only, because a rule that finds nothing returns the shared `NO_PROBLEMS`.
 * Callers copy the problems into their own list.
 */
export type RequestRule = (request: RequestInfo, context: RuleContext) => readonly Problem[];

export type DocumentRule = (parsed: ParsedDocument, requests: readonly RequestInfo[], context: RuleContext) => readonly Problem[];

/** The result of every rule run that finds nothing, shared so that a clean request allocates no list. Frozen: never added to. */
export const NO_PROBLEMS: readonly Problem[] = Object.freeze([]);

export interface ProblemOptions {
  /** Overrides the code's default severity from `CODE_INFO`. */
  severity?: Severity;
  related?: RelatedSpan[];
  /** Data for quick fixes. Never put an answer's text here. */
  data?: Record<string, unknown>;
}

export function createProblem(code: DiagnosticCode, span: Span, message: string, options?: ProblemOptions): Problem {
  const problem: Problem = { code, severity: options?.severity ?? CODE_INFO[code].severity, span: { start: span.start, end: span.end }, message };
  if (options === undefined) {
    return problem;
  }
  if (options.related !== undefined) {
    problem.related = options.related;
  }
  if (options.data !== undefined) {
    problem.data = options.data;
  }
  return problem;
}

/**
 * Combines the request rules of one request type into one rule that runs them in order, so each
 * rule need not repeat the check. The caller then makes one call per request for all of them,
 * which is faster than one call per rule through a wrapper each.
 */
export function forRequestType(requestType: string, rules: readonly RequestRule[]): RequestRule {
  return (request, context) => {
    if (request.requestType !== requestType) {
      return NO_PROBLEMS;
    }
    let problems: Problem[] | undefined;
    for (const rule of rules) {
      const found = rule(request, context);
      if (found.length === 0) {
        continue;
      }
      problems ??= [];
      // A loop, because spreading a huge list into push overflows the call stack.
      for (const problem of found) {
        problems.push(problem);
      }
    }
    return problems ?? NO_PROBLEMS;
  };
}
