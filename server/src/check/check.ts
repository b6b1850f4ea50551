/**
 * Checks a request file: parses it, decides whether it is a request file at all, and runs
 * every document rule and request rule. The language server, the CLI, the submit gate and the
 * emulator all check through this module.
 */

import type { ParsedDocument, Problem, QuestionCatalog } from './model';
import { parseDocument } from './parser';
import { findRequests, SECURITY_QUESTIONS, WRAPPER_ELEMENT, type RequestInfo } from './requests';
import { DOCUMENT_RULES, REQUEST_RULES, type RuleContext } from './rules/index';
import { createProblem } from './rules/rule';

export interface CheckOptions {
  /** The question list to check ids and answers against; without it those checks are skipped. */
  catalog?: QuestionCatalog;
  /** True when the file matches the `ibkr.requestFiles` globs, which makes it a request file whatever its root. */
  matchedByGlob?: boolean;
}

export interface CheckResult {
  parsed: ParsedDocument;
  /** False for XML that is not a request file; `problems` is then empty. */
  applies: boolean;
  problems: Problem[];
}

export function checkDocument(text: string, options: CheckOptions = {}): CheckResult {
  return checkParsedDocument(parseDocument(text), options);
}

/** Like `checkDocument`, for a caller that already has the parsed document (e.g. cached per version). */
export function checkParsedDocument(parsed: ParsedDocument, options: CheckOptions = {}): CheckResult {
  const applies = isRequestFile(parsed, options.matchedByGlob ?? false);
  if (!applies) {
    return { parsed, applies, problems: [] };
  }

  const context: RuleContext = { catalog: options.catalog, text: parsed.text };
  const requests = findRequests(parsed);
  const problems: Problem[] = [];
  // Loops instead of push(...found): spreading ~120 000 or more problems overflows the call stack.
  for (const rule of DOCUMENT_RULES) {
    for (const problem of rule(parsed, requests, context)) problems.push(problem);
  }
  for (const request of requests) {
    for (const problem of checkRequest(request, context)) problems.push(problem);
  }
  for (const syntaxProblem of parsed.syntaxProblems) {
    problems.push(createProblem(syntaxProblem.code, syntaxProblem.span, syntaxProblem.message));
  }
  return { parsed, applies, problems };
}

/**
 * Runs every request rule on one request. The result depends only on the request's own text,
 * the namespace declarations in scope and the catalog, so a caller may reuse it while those
 * are unchanged. Its spans are document offsets: shift them when text before the request changes.
 */
export function checkRequest(request: RequestInfo, context: RuleContext): Problem[] {
  const problems: Problem[] = [];
  for (const rule of REQUEST_RULES) {
    for (const problem of rule(request, context)) problems.push(problem);
  }
  return problems;
}

/**
 * True when the root's local name is AcctMgmtRequests or SecurityQuestions (in any namespace),
 * or the file matches the request-file globs. A file without a root applies only by glob.
 */
export function isRequestFile(parsed: ParsedDocument, matchedByGlob: boolean): boolean {
  if (matchedByGlob) {
    return true;
  }
  const rootName = parsed.root?.localName;
  return rootName === WRAPPER_ELEMENT || rootName === SECURITY_QUESTIONS;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((problem) => problem.severity === 'error');
}
