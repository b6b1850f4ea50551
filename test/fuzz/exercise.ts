/**
 * Runs one input through everything the language server does with a document, without the
 * LSP connection: parse, check, diagnostics, completion, hover, code actions and their
 * resolution, symbols and the request summary. Throws an `InvariantError` when a call throws,
 * returns a range outside the document, returns overlapping edits or takes too long.
 * `compareIncrementalWithFull` checks the incremental checker of open documents against a
 * full check.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { CodeAction, CompletionItem, Diagnostic, DocumentSymbol, Position, Range, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { catalogFromEntries } from '../../server/src/check/catalog';
import { checkDocument } from '../../server/src/check/check';
import { toLspDiagnostic } from '../../server/src/check/diagnostics';
import { IncrementalChecker } from '../../server/src/check/incremental';
import type { Problem, QuestionCatalog } from '../../server/src/check/model';
import { parseDocument } from '../../server/src/check/parser';
import { findRequests } from '../../server/src/check/requests';
import { findTextEdit } from '../../server/src/check/textEdit';
import type { Analysis } from '../../server/src/documents';
import { codeActions, resolveCodeAction } from '../../server/src/features/codeActions';
import { complete } from '../../server/src/features/completion';
import { documentSymbols } from '../../server/src/features/documentSymbols';
import { hover } from '../../server/src/features/hover';
import { summarizeRequests } from '../../server/src/features/requestSummary';
import { DEFAULT_SERVER_SETTINGS, type QuestionListEntry } from '../../server/src/protocol';
import { DocumentSnapshot } from '../../server/src/snapshot';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const URI = 'file:///fuzz/input.ibkr.xml';

/** Trigger characters the server registers, plus `undefined` for an explicit request. */
const TRIGGER_CHARACTERS = [undefined, '<', '"', "'", ' '] as const;

/** Diagnostics sent in one code action request, about what a selection of a few lines covers. */
const MAX_DIAGNOSTICS_PER_CODE_ACTION_REQUEST = 50;

/** A violated invariant; `message` names the call, the offset and what was wrong. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

/**
 * The valid and invalid request files of the repository: the examples and the test fixtures
 * of the parser, the rules, the LSP and the CLI. Sorted by path so that seeded runs repeat.
 */
export function loadSeedDocuments(): { name: string; text: string }[] {
  const folders = ['examples', 'test/fixtures/rules', 'test/fixtures/lsp', 'test/fixtures/cli', 'test/fixtures/parser'];
  const documents: { name: string; text: string }[] = [];
  for (const folder of folders) {
    const absolute = path.join(REPO_ROOT, folder);
    for (const name of readdirSync(absolute).sort()) {
      if (name.endsWith('.xml')) documents.push({ name: `${folder}/${name}`, text: readFileSync(path.join(absolute, name), 'utf8') });
    }
  }
  return documents;
}

/** The question list of the LSP fixtures, so that the catalog rules, hovers and id fixes run too. */
export function loadFuzzCatalog(): QuestionCatalog {
  const entries = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/lsp/questions.json'), 'utf8')) as QuestionListEntry[];
  return catalogFromEntries('fuzz questions', entries);
}

export interface ExerciseOptions {
  catalog: QuestionCatalog | undefined;
  matchedByGlob: boolean;
  /** Offsets to call the position-based features at; clamped to the text. 0 and the end are always added. */
  offsets: readonly number[];
  /** Maximum milliseconds for the whole exercise of this input. */
  timeLimitMs: number;
}

export interface ExerciseReport {
  milliseconds: number;
  diagnostics: number;
  featureCalls: number;
}

/**
 * Gives the default time limit for an input: 2 s plus 1 ms per 1000 characters. The parser
 * and the rules are linear, so this is far above any healthy run and catches only runaway cost.
 */
export function defaultTimeLimitMs(length: number): number {
  return 2000 + length / 1000;
}

/** Runs every check and feature on `text` and verifies their results. Throws `InvariantError` on a violation. */
export function exerciseInput(text: string, options: ExerciseOptions): ExerciseReport {
  const started = performance.now();
  const document = TextDocument.create(URI, 'xml', 1, text);
  const verify = new RangeVerifier(document);
  let featureCalls = 0;

  const parsed = guarded('parseDocument', () => parseDocument(text));
  if (parsed.text !== text) throw new InvariantError('parseDocument: the model does not carry the input text');
  const result = guarded('checkDocument', () => checkDocument(text, { catalog: options.catalog, matchedByGlob: options.matchedByGlob }));
  const requests = result.applies ? guarded('findRequests', () => findRequests(result.parsed)) : [];

  const diagnostics: Diagnostic[] = [];
  for (const problem of result.problems) {
    const diagnostic = guarded('toLspDiagnostic', () => toLspDiagnostic(problem, document, URI));
    verify.range(diagnostic.range, `diagnostic ${problem.code}`);
    for (const related of diagnostic.relatedInformation ?? []) verify.range(related.location.range, `related information of ${problem.code}`);
    diagnostics.push(diagnostic);
  }

  const analysis: Analysis = { document, settings: DEFAULT_SERVER_SETTINGS, catalog: options.catalog, result, requests };

  const offsets = new Set<number>([0, text.length]);
  for (const offset of options.offsets) offsets.add(Math.max(0, Math.min(text.length, Math.trunc(offset))));
  for (const offset of offsets) {
    const position = document.positionAt(offset);
    const where = `at offset ${offset}`;
    for (const triggerCharacter of TRIGGER_CHARACTERS) {
      const list = guarded(`completion ${where}`, () => complete(analysis, position, { snippets: true, triggerCharacter }));
      for (const item of list.items) verify.completionItem(item, `completion item "${item.label}" ${where}`);
      featureCalls++;
    }
    const hoverResult = guarded(`hover ${where}`, () => hover(analysis, position));
    if (hoverResult?.range !== undefined) verify.range(hoverResult.range, `hover ${where}`);
    featureCalls++;

    // A client sends the diagnostics under the cursor with the code action request.
    const atCursor = diagnostics.filter((diagnostic) => containsPosition(diagnostic.range, position));
    for (const resolveEdits of [false, true]) {
      const actions = guarded(`code actions ${where}`, () => codeActions(analysis, atCursor, { resolveEdits }));
      for (const action of actions) {
        const resolved = action.edit === undefined ? guarded(`code action resolve ${where}`, () => resolveCodeAction(analysis, action)) : action;
        verify.codeAction(resolved, `code action "${action.title}" ${where}`);
      }
      featureCalls++;
    }
  }

  // The fixes of the first diagnostics, not only those under the chosen offsets. The cap keeps
  // the run linear: the server matches each sent diagnostic against every problem.
  const firstDiagnostics = diagnostics.slice(0, MAX_DIAGNOSTICS_PER_CODE_ACTION_REQUEST);
  for (const action of guarded('code actions for the first diagnostics', () => codeActions(analysis, firstDiagnostics, { resolveEdits: false }))) {
    verify.codeAction(action, `code action "${action.title}"`);
  }
  for (const symbol of guarded('documentSymbols', () => documentSymbols(analysis))) verify.symbol(symbol);
  const summary = guarded('summarizeRequests', () => summarizeRequests(analysis));
  for (const request of summary.requests) {
    if (request.line < 0 || request.line >= document.lineCount) throw new InvariantError(`request summary: line ${request.line} is outside 0-${document.lineCount - 1}`);
  }
  featureCalls += 3;

  const milliseconds = performance.now() - started;
  if (milliseconds > options.timeLimitMs) {
    throw new InvariantError(`took ${milliseconds.toFixed(0)} ms for ${text.length} characters, over the limit of ${options.timeLimitMs.toFixed(0)} ms`);
  }
  return { milliseconds, diagnostics: diagnostics.length, featureCalls };
}

function guarded<T>(call: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
    throw new InvariantError(`${call} threw ${detail}`);
  }
}

function containsPosition(range: Range, position: Position): boolean {
  const afterStart = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const beforeEnd = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return afterStart && beforeEnd;
}

function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Checks that ranges lie inside one document and that edits apply to it. */
class RangeVerifier {
  private readonly lineLengths: number[];

  constructor(private readonly document: TextDocument) {
    // Content length of each line without its line ending, the largest valid `character`.
    this.lineLengths = document.getText().split(/\r\n|\r|\n/).map((line) => line.length);
  }

  position(position: Position, what: string): void {
    const lineLength = this.lineLengths[position.line];
    const valid = Number.isInteger(position.line) && Number.isInteger(position.character) && position.character >= 0 && lineLength !== undefined && position.character <= lineLength;
    if (!valid) throw new InvariantError(`${what}: position ${JSON.stringify(position)} is outside the document (${this.lineLengths.length} lines, that line has ${lineLength ?? 'no'} characters)`);
  }

  range(range: Range, what: string): void {
    this.position(range.start, `${what} start`);
    this.position(range.end, `${what} end`);
    if (comparePositions(range.start, range.end) > 0) throw new InvariantError(`${what}: range ${JSON.stringify(range)} ends before it starts`);
  }

  edits(edits: readonly TextEdit[], what: string): void {
    for (const edit of edits) this.range(edit.range, `${what} edit`);
    try {
      // Throws "Overlapping edit" for edits that a client would reject.
      TextDocument.applyEdits(this.document, [...edits]);
    } catch (error) {
      throw new InvariantError(`${what}: its edits do not apply: ${String(error)} ${JSON.stringify(edits.map((edit) => edit.range))}`);
    }
  }

  completionItem(item: CompletionItem, what: string): void {
    const edit = item.textEdit;
    if (edit !== undefined) {
      if ('range' in edit) {
        this.range(edit.range, what);
      } else {
        this.range(edit.insert, `${what} insert`);
        this.range(edit.replace, `${what} replace`);
      }
    }
    this.edits([...(edit !== undefined && 'range' in edit ? [edit] : []), ...(item.additionalTextEdits ?? [])], what);
  }

  codeAction(action: CodeAction, what: string): void {
    for (const [uri, edits] of Object.entries(action.edit?.changes ?? {})) {
      if (uri !== this.document.uri) throw new InvariantError(`${what}: edits another document, ${uri}`);
      this.edits(edits, what);
    }
  }

  symbol(symbol: DocumentSymbol): void {
    const what = `symbol "${symbol.name}"`;
    this.range(symbol.range, what);
    this.range(symbol.selectionRange, `${what} selection`);
    // VS Code rejects a symbol whose selection range is not inside its range.
    if (comparePositions(symbol.selectionRange.start, symbol.range.start) < 0 || comparePositions(symbol.selectionRange.end, symbol.range.end) > 0) {
      throw new InvariantError(`${what}: selection range ${JSON.stringify(symbol.selectionRange)} is not inside its range ${JSON.stringify(symbol.range)}`);
    }
    for (const child of symbol.children ?? []) this.symbol(child);
  }
}

/** The fields of a problem that a client sees, in one canonical order for comparing two checks. */
function canonicalProblems(problems: readonly Problem[]): string[] {
  return problems
    .map((problem) => JSON.stringify([problem.span.start, problem.span.end, problem.code, problem.severity, problem.message, problem.related ?? [], problem.data ?? {}]))
    .sort();
}

/**
 * Checks each version of an edited document with one `IncrementalChecker`, as the server does
 * for an open document, and compares every result and line index with a full check of the
 * same text. Throws `InvariantError` at the first version that differs.
 */
export function compareIncrementalWithFull(versions: readonly string[], options: { catalog: QuestionCatalog | undefined; matchedByGlob: boolean }): void {
  const checker = new IncrementalChecker();
  let snapshot: DocumentSnapshot | undefined;
  let previous: string | undefined;
  versions.forEach((text, index) => {
    const edit = previous === undefined ? undefined : findTextEdit(previous, text);
    const incremental = guarded(`IncrementalChecker.check of version ${index}`, () => checker.check(text, options, edit));
    const full = checkDocument(text, options);
    if (incremental.applies !== full.applies) throw new InvariantError(`version ${index}: incremental applies=${incremental.applies}, full check applies=${full.applies}`);
    const incrementalProblems = canonicalProblems(incremental.problems);
    const fullProblems = canonicalProblems(full.problems);
    const missing = fullProblems.filter((problem) => !incrementalProblems.includes(problem));
    const extra = incrementalProblems.filter((problem) => !fullProblems.includes(problem));
    if (missing.length > 0 || extra.length > 0 || incrementalProblems.length !== fullProblems.length) {
      throw new InvariantError(`version ${index}: the incremental check differs from a full check. Missing: ${missing.slice(0, 3).join(' ')} Extra: ${extra.slice(0, 3).join(' ')}`);
    }
    const fullRequests = full.applies ? findRequests(full.parsed).length : 0;
    if (incremental.requests.length !== fullRequests) throw new InvariantError(`version ${index}: ${incremental.requests.length} requests incrementally, ${fullRequests} in a full check`);

    snapshot = snapshot === undefined || edit === undefined ? DocumentSnapshot.create(URI, 'xml', index, text) : snapshot.next(index, text, edit);
    const reference = TextDocument.create(URI, 'xml', index, text);
    if (snapshot.lineCount !== reference.lineCount) throw new InvariantError(`version ${index}: snapshot has ${snapshot.lineCount} lines, the text has ${reference.lineCount}`);
    const step = Math.max(1, Math.floor(text.length / 64));
    for (let offset = 0; offset <= text.length; offset += step) {
      const expected = reference.positionAt(offset);
      const actual = snapshot.positionAt(offset);
      if (expected.line !== actual.line || expected.character !== actual.character) {
        throw new InvariantError(`version ${index}: snapshot.positionAt(${offset}) is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
      }
    }
    previous = text;
  });
}
