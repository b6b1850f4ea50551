/**
 * Quick fixes for the diagnostics in a code action request. Each client diagnostic is
 * matched to a problem of the current check by code and range, so a fix is always computed
 * on the text it edits. A diagnostic of an older version matches nothing and gets no fix.
 */

import { CodeActionKind, TextEdit, type CodeAction, type Diagnostic, type Range } from 'vscode-languageserver';

import { DIAGNOSTIC_SOURCE, type DiagnosticCode } from '../check/codes';
import { spanToRange } from '../check/diagnostics';
import type { Problem } from '../check/model';
import type { Analysis } from '../documents';
import type { FixContext, QuickFix } from './fixTypes';
import { defaultAttributeValue, fixDetailsCount, fixInputLanguage, fixQuestionId } from './questionFixes';
import { fixDoctype, fixEncodingDeclaration, fixNamespace, fixRequiredAttribute, fixRootElement, fixUnexpectedContent, fixUnknownAttribute, fixUnquotedValue } from './structureFixes';
import type { OffsetEdit } from './xmlEdits';

export interface CodeActionOptions {
  /** Whether the client resolves a code action's `edit` lazily (`codeAction/resolve`). */
  resolveEdits: boolean;
}

/** The data of a deferred action, from which `codeAction/resolve` computes its edit again. */
interface DeferredFixData {
  uri: string;
  version: number;
  code: DiagnosticCode;
  start: number;
  end: number;
  title: string;
}

type Fixer = (context: FixContext) => QuickFix[];

const FIXERS: Partial<Record<DiagnosticCode, Fixer>> = {
  namespace: fixNamespace,
  'encoding-declaration': fixEncodingDeclaration,
  'root-element': fixRootElement,
  'doctype-not-allowed': fixDoctype,
  'unknown-attribute': fixUnknownAttribute,
  'required-attribute': (context) => fixRequiredAttribute(context, (element, name) => defaultAttributeValue(context, element, name)),
  'unexpected-content': fixUnexpectedContent,
  'question-duplicate': fixQuestionId,
  'question-unknown': fixQuestionId,
  'question-format': fixQuestionId,
  'details-count': fixDetailsCount,
  'xml-wellformed': fixUnquotedValue,
  'input-language': fixInputLanguage,
};

export function codeActions(analysis: Analysis, diagnostics: readonly Diagnostic[], options: CodeActionOptions): CodeAction[] {
  if (!analysis.result.applies) return [];
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string') continue;
    const problem = findProblem(analysis, diagnostic);
    if (problem === undefined) continue;
    for (const fix of fixesFor(analysis, problem)) {
      if (Array.isArray(fix.edits) && fix.edits.length === 0) continue;
      actions.push(toCodeAction(analysis, problem, diagnostic, fix, options));
    }
  }
  return actions;
}

/** Adds the edit to an action whose edit was deferred; returns it unchanged when its document changed since. */
export function resolveCodeAction(analysis: Analysis, action: CodeAction): CodeAction {
  const data = action.data as Partial<DeferredFixData> | undefined;
  if (data === undefined || data.version !== analysis.document.version || typeof data.code !== 'string') return action;
  // Problems of one code can share a span, so the fix is looked for in each of them.
  for (const problem of analysis.result.problems) {
    if (problem.code !== data.code || problem.span.start !== data.start || problem.span.end !== data.end) continue;
    const fix = fixesFor(analysis, problem).find((candidate) => candidate.title === data.title);
    if (fix !== undefined) return { ...action, edit: { changes: { [analysis.document.uri]: toTextEdits(analysis, fix) } } };
  }
  return action;
}

/** Returns the URI of a deferred action's document, so the server can find the document to resolve it in. */
export function deferredActionUri(action: CodeAction): string | undefined {
  const data = action.data as Partial<DeferredFixData> | undefined;
  return typeof data?.uri === 'string' ? data.uri : undefined;
}

/**
 * Per analysis and code, the problems by range and message. A request may carry a thousand
 * diagnostics, so each finds its problem in one look-up instead of a search of every problem.
 */
const problemsByKey = new WeakMap<Analysis, Map<string, Map<string, Problem>>>();

/**
 * Returns the key of a range, and with `message` the key of the range and the message. Two
 * problems of one code can share a range: a Details without question and answer has two
 * required-attribute problems on its name, and only their messages differ.
 */
function problemKey(range: Range, message?: string): string {
  const rangeKey = `${range.start.line}:${range.start.character}:${range.end.line}:${range.end.character}`;
  return message === undefined ? rangeKey : `${rangeKey}\n${message}`;
}

/**
 * Finds the problem that a diagnostic was published for: the first with its code, range and
 * message, else the first with its code and range, for a client that changed the message.
 */
function findProblem(analysis: Analysis, diagnostic: Diagnostic): Problem | undefined {
  const code = diagnostic.code as string;
  let byCode = problemsByKey.get(analysis);
  if (byCode === undefined) {
    byCode = new Map();
    problemsByKey.set(analysis, byCode);
  }
  let byKey = byCode.get(code);
  if (byKey === undefined) {
    byKey = new Map();
    for (const problem of analysis.result.problems) {
      if (problem.code !== code) continue;
      const range = spanToRange(problem.span, analysis.document);
      for (const key of [problemKey(range, problem.message), problemKey(range)]) {
        if (!byKey.has(key)) byKey.set(key, problem);
      }
    }
    byCode.set(code, byKey);
  }
  return byKey.get(problemKey(diagnostic.range, diagnostic.message)) ?? byKey.get(problemKey(diagnostic.range));
}

function fixesFor(analysis: Analysis, problem: Problem): QuickFix[] {
  const fixer = FIXERS[problem.code];
  if (fixer === undefined) return [];
  return fixer({ analysis, problem, text: analysis.document.getText() });
}

function toCodeAction(analysis: Analysis, problem: Problem, diagnostic: Diagnostic, fix: QuickFix, options: CodeActionOptions): CodeAction {
  const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic] };
  if (fix.isPreferred) action.isPreferred = true;
  if (fix.containsDocumentText === true && options.resolveEdits) {
    const data: DeferredFixData = { uri: analysis.document.uri, version: analysis.document.version, code: problem.code, start: problem.span.start, end: problem.span.end, title: fix.title };
    action.data = data;
    return action;
  }
  action.edit = { changes: { [analysis.document.uri]: toTextEdits(analysis, fix) } };
  return action;
}

function toTextEdits(analysis: Analysis, fix: QuickFix): TextEdit[] {
  const edits: OffsetEdit[] = typeof fix.edits === 'function' ? fix.edits() : fix.edits;
  return edits.map((edit) => TextEdit.replace(spanToRange(edit, analysis.document), edit.newText));
}
