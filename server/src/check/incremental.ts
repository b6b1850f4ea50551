/**
 * Checks one document version after version, re-parsing and re-checking only the requests
 * that an edit touches. Its result is the same as `checkDocument` on the new text: the unit
 * test incremental.test.ts compares the two after every one of many random edits.
 *
 * The text is cut into pieces at the offsets where the parser has only the root element open,
 * right after a markup item: piece 0 is the prolog up to the end of the root's start tag,
 * each further piece contains the white space, comments and request element that follow. At such
 * an offset the parser's whole state is "inside the root", so a parse resumed there reads
 * what a full parse reads. A piece without syntax problems reads no text past its own end
 * (every search it makes ends at its own `>`), so it stays valid while the text before and
 * after it changes. An edit is re-parsed from the start of the piece before it (or from the
 * first piece with syntax problems, whose recovery may have read ahead into the edit) until
 * the parse reaches, after the edit, the start of an old piece: from there on the old pieces
 * are reused, their offsets shifted.
 */

import { spansContaining, type ChildNode, type ChildrenAtOffset, type ElementNode, type ParsedDocument, type Problem, type QuestionCatalog, type Span, type SyntaxProblem, type XmlDeclaration } from './model';
import { checkParsedDocument, checkRequest, isRequestFile, type CheckOptions, type CheckResult } from './check';
import { changeSourceText, CompactText, PieceRequest, pieceChildren, rootWithoutChildren, type CompactPiece, type CompactSource } from './compact';
import { DocumentParser, findNonAscii, parseDocument, reportIllegalCharacters } from './parser';
import { describeRequest, findRequests, WRAPPER_ELEMENT, type RequestInfo } from './requests';
import { DOCUMENT_RULES, type RuleContext } from './rules/index';
import { isContentText } from './rules/unexpectedContent';
import { createProblem } from './rules/rule';
import { findTextEdit, type TextEdit } from './textEdit';
import { MAX_SYNTAX_PROBLEMS, ParseContext, sortProblems, type ProblemSink, type SyntaxProblemCode } from './xml/context';
import { detach } from './xml/strings';

/** Syntax problems of one piece in the order the parser found them, offsets relative to the piece start. */
interface PieceProblems {
  /** At most `MAX_SYNTAX_PROBLEMS`: more can never be listed, as the document keeps fewer. */
  kept: SyntaxProblem[];
  count: number;
  /**
   * Problems that point into the prolog, before the piece: the last piece reports the root as
   * not closed at the root's start tag. The prolog never moves, so their offsets stay absolute.
   */
  inProlog: Set<SyntaxProblem> | undefined;
}

/** The problem list of every piece without problems, shared so that a clean piece costs no lists. Frozen: never added to. */
const NO_PROBLEMS: PieceProblems = Object.freeze({ kept: Object.freeze([]) as unknown as SyntaxProblem[], count: 0, inProlog: undefined });

/** The rule results of every piece whose requests have no problem. Frozen: never added to. */
const NO_RULE_PROBLEMS = Object.freeze([]) as unknown as Problem[];

/** The requests of every piece without an element. Frozen: never added to. */
const NO_REQUESTS = Object.freeze([]) as unknown as PieceRequest[];

/** The children of every piece without any. Frozen: never added to. */
const NO_CHILDREN = Object.freeze([]) as unknown as ChildNode[];

/** The rule results of pieces without problems, one per question list, so that clean pieces share them. */
const cleanResults = new WeakMap<QuestionCatalog, { catalog: QuestionCatalog; problems: Problem[] }>();
const CLEAN_WITHOUT_CATALOG = Object.freeze({ catalog: undefined, problems: NO_RULE_PROBLEMS });

function cleanResult(catalog: QuestionCatalog | undefined): { catalog: QuestionCatalog | undefined; problems: Problem[] } {
  if (catalog === undefined) return CLEAN_WITHOUT_CATALOG;
  let result = cleanResults.get(catalog);
  if (result === undefined) {
    result = Object.freeze({ catalog, problems: NO_RULE_PROBLEMS });
    cleanResults.set(catalog, result);
  }
  return result;
}

/** Outcome of the last piece's parse at the end of the text. */
interface Ending {
  /** End of the root element, relative to the piece start. */
  rootEnd: number;
  rootEndTag: Span | undefined;
  /** Top-level elements after the root; document offsets, shifted with the piece. */
  extraRoots: ElementNode[];
}

interface Piece extends CompactPiece {
  /** Document offsets in the latest version. */
  start: number;
  end: number;
  /**
   * Compact children of the root read in this piece, made on first use. Until then the piece
   * keeps only its offsets, its problems and its requests' user names.
   */
  children: ChildNode[] | undefined;
  /** Text and CDATA children of the root in this piece that are not white space, which a document rule reports. */
  content: ChildNode[] | undefined;
  /** Every span of the elements after the root (last piece only), collected when it first moves, so that later moves are one loop. */
  spans: Span[] | undefined;
  illegal: PieceProblems;
  scan: PieceProblems;
  /** The first DOCTYPE in this piece after the prolog, relative to the piece start. */
  doctype: Span | undefined;
  /** Requests of the piece's elements when the root is AcctMgmtRequests, else empty. */
  requests: PieceRequest[];
  /** Request rule problems, relative to the piece start, with the catalog they were checked against. */
  checked: { catalog: QuestionCatalog | undefined; problems: Problem[] } | undefined;
  /** Set on the last piece only. */
  ending: Ending | undefined;
  /**
   * Length of the text from the piece start that its parse read, `READS_TO_END` when it read to
   * the end of the text. An edit at or after `start + readLength` leaves the piece as it is.
   */
  readLength: number;
}

interface Prolog {
  bomLength: number;
  xmlDeclaration: XmlDeclaration | undefined;
  doctype: Span | undefined;
  /** The root as its start tag declares it; each version gets a copy with its own children. */
  root: ElementNode;
}

/** The pieces of the latest version. Without a prolog the document has no piece boundary, and every edit re-parses it whole. */
interface PieceState {
  text: string;
  prolog: Prolog | undefined;
  /** The text and root that the compact elements of the pieces parse from; `undefined` without a prolog. */
  source: CompactSource | undefined;
  pieces: Piece[];
  firstNonAscii: number;
  whole: ParsedDocument | undefined;
  /** Start of the text that the check of this version parsed again: 0 for a whole parse. */
  parsedFrom: number;
}

export interface IncrementalResult extends CheckResult {
  /** The requests of the document, as `findRequests` returns them; empty when the file is not a request file. */
  requests: RequestInfo[];
}

/**
 * The incremental checker of one open document. `check` takes each new version's text.
 *
 * NOTE: nodes of reused pieces are shifted in place, so the model of an earlier version is no
 * longer valid once a later version has been checked. Callers keep only the latest result.
 */
export class IncrementalChecker {
  private state: PieceState | undefined;

  /**
   * Checks `text`; the result equals `checkDocument(text, options)` plus the requests. `edit`
   * is the change from the previously checked text, when the caller has already computed it
   * with `findTextEdit`.
   */
  check(text: string, options: CheckOptions = {}, edit?: TextEdit): IncrementalResult {
    const previous = this.state;
    this.state = previous === undefined ? parseFromStart(text, options) : update(previous, text, edit, options);
    return assemble(this.state, options);
  }

  /** The offset from which the last `check` parsed the text again, so that tests can see how much it read. */
  get lastParsedFrom(): number | undefined {
    return this.state?.parsedFrom;
  }
}

/** Collects a parse's problems into the current piece, with offsets relative to its start. */
class PieceProblemSink implements ProblemSink {
  current: PieceProblems = { kept: [], count: 0, inProlog: undefined };
  base = 0;

  add(code: SyntaxProblemCode, start: number, end: number, message: string): void {
    const current = this.current;
    current.count++;
    if (current.kept.length >= MAX_SYNTAX_PROBLEMS) return;
    if (start >= this.base) {
      current.kept.push({ code, span: { start: start - this.base, end: end - this.base }, message });
      return;
    }
    const problem: SyntaxProblem = { code, span: { start, end }, message };
    current.kept.push(problem);
    current.inProlog ??= new Set();
    current.inProlog.add(problem);
  }

  /** Returns the problems of the piece that ends here and starts a new piece at `base`. */
  cut(base: number): PieceProblems {
    this.base = base;
    const problems = this.current;
    if (problems.count === 0) return NO_PROBLEMS;
    this.current = { kept: [], count: 0, inProlog: undefined };
    return problems;
  }
}

function parseFromStart(text: string, options: CheckOptions): PieceState {
  const sink = new PieceProblemSink();
  const parser = new DocumentParser(text, sink);
  // Piece 0 is the prolog up to the end of the root's start tag, the first offset where only the root is open.
  const rootStartTagEnd = parser.scan(parser.readProlog(), () => true);
  if (rootStartTagEnd === -1) {
    // No offset with only the root open: the document is parsed whole on every change.
    return { text, prolog: undefined, source: undefined, pieces: [], firstNonAscii: -1, whole: parseDocument(text), parsedFrom: 0 };
  }
  const state = parser.state;
  const prolog: Prolog = { bomLength: parser.bomLength, xmlDeclaration: state.xmlDeclaration, doctype: state.doctype, root: rootWithoutChildren(state.root!) };
  const source: CompactSource = { text, root: prolog.root };
  // A DOCTYPE read by then is the prolog's, so piece 0 has none of its own.
  const first = finishPiece(createPiece(0, rootStartTagEnd, sink.cut(rootStartTagEnd), undefined, undefined, parser.takeReadEnd(rootStartTagEnd)), takeChildren(state.root!), source, options);
  // The rest is parsed as after an edit: a parse resumed where only the root is open reads what this one would.
  const pieces = [first, ...parseWindow(text, source, options, rootStartTagEnd, () => false)];
  addIllegalCharacters(text, pieces, 0, pieces.length);
  return { text, prolog, source, pieces, firstNonAscii: findNonAscii(text, prolog.bomLength, text.length), whole: undefined, parsedFrom: 0 };
}

/** Returns the children the root has read since the last call, and starts it on a new list, so that no list contains the whole document. */
function takeChildren(root: ElementNode): ChildNode[] {
  const children = root.children;
  root.children = [];
  return children;
}

/**
 * Runs the request rules on the piece's children while they are whole, when the root is
 * AcctMgmtRequests, and keeps what document rules read: the requests' user names and text that
 * is not white space. Offsets of the problems become relative to the piece start.
 */
function finishPiece(piece: Piece, children: readonly ChildNode[], source: CompactSource, options: CheckOptions): Piece {
  const root = source.root;
  const isWrapper = root.localName === WRAPPER_ELEMENT;
  const context: RuleContext = { catalog: options.catalog, text: source.text };
  let found: Problem[] | undefined;
  let requests: PieceRequest[] | undefined;
  let content: ChildNode[] | undefined;
  for (const child of children) {
    if (child.kind !== 'element') {
      if ((child.kind === 'text' || child.kind === 'cdata') && isContentText(child)) (content ??= []).push(new CompactText(child, piece));
      continue;
    }
    if (!isWrapper) continue;
    const described = describeRequest(child, root.namespaceURI);
    for (const problem of checkRequest(described, context)) (found ??= []).push(moveProblem(problem, -piece.start, true));
    (requests ??= []).push(new PieceRequest(piece, source, child, described));
  }
  if (children.length === 0) piece.children = NO_CHILDREN;
  if (requests !== undefined) piece.requests = requests;
  piece.content = content;
  if (isWrapper) piece.checked = found === undefined ? cleanResult(options.catalog) : { catalog: options.catalog, problems: found };
  return piece;
}

/**
 * The `readLength` of a piece whose parse read to the end of the text. It is longer than any
 * string in V8 (at most 2^29 - 24 code units). Unlike `Infinity` it is a small integer, so the
 * field stays an integer field. One piece that stored `Infinity` made V8 change the field of
 * every piece, which cost about 20 ms in a first check of the 5 MB benchmark file.
 */
const READS_TO_END = 2 ** 30 - 1;

/** Creates a piece of [start, end) whose parse read the text up to `readEnd` (`Infinity`: to its end). */
function createPiece(start: number, end: number, scan: PieceProblems, doctype: Span | undefined, ending: Ending | undefined, readEnd: number): Piece {
  const readLength = readEnd === Infinity ? READS_TO_END : readEnd - start;
  return { start, end, children: undefined, content: undefined, spans: undefined, illegal: NO_PROBLEMS, scan, doctype, requests: NO_REQUESTS, checked: undefined, ending, readLength };
}

/** Reports illegal characters of `pieces[from..to)` into their own lists, as the full parse reports them before anything else. */
function addIllegalCharacters(text: string, pieces: Piece[], from: number, to: number): void {
  const first = pieces[from];
  const last = pieces[to - 1];
  if (first === undefined || last === undefined) return;
  const found: SyntaxProblem[] = [];
  const context = new ParseContext(text, { add: (code, start, end, message) => found.push({ code, span: { start, end }, message }) });
  reportIllegalCharacters(context, first.start, last.end);
  let index = from;
  for (const problem of found) {
    while (pieces[index]!.end <= problem.span.start && index < to - 1) index++;
    const piece = pieces[index]!;
    if (piece.illegal === NO_PROBLEMS) piece.illegal = { kept: [], count: 0, inProlog: undefined };
    piece.illegal.count++;
    if (piece.illegal.kept.length < MAX_SYNTAX_PROBLEMS) {
      piece.illegal.kept.push({ ...problem, span: { start: problem.span.start - piece.start, end: problem.span.end - piece.start } });
    }
  }
}

function update(previous: PieceState, text: string, knownEdit: TextEdit | undefined, options: CheckOptions): PieceState {
  if (previous.text === text) return previous;
  const { prolog, source, pieces } = previous;
  if (prolog === undefined || source === undefined) return parseFromStart(text, options);

  const edit = knownEdit ?? findTextEdit(previous.text, text);
  // Re-parse from the piece that contains the character before the edit, or from the first piece
  // before it whose parse read the edited text: recovery from a broken tag or value may read
  // ahead to a quote or `>` far below.
  let first = findPiece(pieces, Math.max(edit.start - 1, 0));
  for (let index = 0; index < first; index++) {
    const piece = pieces[index]!;
    if (piece.start + piece.readLength > edit.start) {
      first = index;
      break;
    }
  }
  if (first === 0) return parseFromStart(text, options);
  // From here on the compact elements of old and new pieces parse from the new text.
  changeSourceText(source, text);

  const delta = edit.newEnd - edit.oldEnd;
  let resumeAt = -1;
  // After the edit, stop at the first offset where an old piece started: from there on the old pieces are reused.
  const parsed = parseWindow(text, source, options, pieces[first]!.start, (position) => {
    if (position < edit.newEnd) return false;
    const old = findPieceStartingAt(pieces, position - delta, first + 1);
    if (old === -1) return false;
    resumeAt = old;
    return true;
  });
  for (const piece of parsed) detachPiece(piece);

  const reused = resumeAt === -1 ? [] : pieces.slice(resumeAt);
  if (delta !== 0) for (const piece of reused) shiftPiece(piece, delta);
  const next = [...pieces.slice(0, first), ...parsed, ...reused];
  addIllegalCharacters(text, next, first, first + parsed.length);
  return {
    text,
    prolog,
    source,
    pieces: next,
    firstNonAscii: updateNonAscii(previous.firstNonAscii, edit, text, prolog.bomLength),
    whole: undefined,
    parsedFrom: pieces[first]!.start,
  };
}

/**
 * Parses pieces from `windowStart`, an offset where only the root is open, until `stop` accepts
 * an offset where only the root is open again, or to the end of the text, where the last piece
 * gets the ending.
 */
function parseWindow(text: string, source: CompactSource, options: CheckOptions, windowStart: number, stop: (position: number) => boolean): Piece[] {
  const root = rootWithoutChildren(source.root);
  const sink = new PieceProblemSink();
  const parser = new DocumentParser(text, sink, undefined, { simpleElements: true });
  parser.resumeInsideRoot(root);
  sink.cut(windowStart);
  const parsed: Piece[] = [];
  let pieceStart = windowStart;

  const stopped = parser.scan(windowStart, (position) => {
    const doctype = relativeSpan(parser.takeDoctype(), pieceStart);
    parsed.push(finishPiece(createPiece(pieceStart, position, sink.cut(position), doctype, undefined, parser.takeReadEnd(position)), takeChildren(root), source, options));
    pieceStart = position;
    return stop(position);
  });
  if (stopped === -1) {
    const state = parser.state;
    const ending: Ending = { rootEnd: root.span.end - pieceStart, rootEndTag: relativeSpan(root.endTagSpan, pieceStart), extraRoots: state.extraRoots };
    const doctype = relativeSpan(parser.takeDoctype(), pieceStart);
    parsed.push(finishPiece(createPiece(pieceStart, text.length, sink.cut(text.length), doctype, ending, Infinity), takeChildren(root), source, options));
  }
  return parsed;
}

/** Returns the index of the piece that contains `offset` (the last piece for the end of the text). */
function findPiece(pieces: readonly Piece[], offset: number): number {
  let low = 0;
  let high = pieces.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (pieces[middle]!.start <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Returns the index (at least `from`) of the piece that starts at `offset`, or -1. */
function findPieceStartingAt(pieces: readonly Piece[], offset: number, from: number): number {
  const index = findPiece(pieces, offset);
  return index >= from && pieces[index]!.start === offset ? index : -1;
}

/**
 * Returns the first non-ASCII offset of the new text from that of the old one, searching only
 * the edited range, except when the old first one was inside it and the new range has none.
 */
function updateNonAscii(previous: number, edit: TextEdit, text: string, bomLength: number): number {
  if (previous !== -1 && previous < edit.start) return previous;
  const inEdit = findNonAscii(text, Math.max(edit.start, bomLength), edit.newEnd);
  if (inEdit !== -1) return inEdit;
  if (previous === -1) return -1;
  if (previous >= edit.oldEnd) return previous + edit.newEnd - edit.oldEnd;
  return findNonAscii(text, edit.newEnd, text.length);
}

function relativeSpan(span: Span | undefined, base: number): Span | undefined {
  return span === undefined ? undefined : { start: span.start - base, end: span.end - base };
}

function shiftSpan(span: Span, delta: number): void {
  span.start += delta;
  span.end += delta;
}

/** Moves a piece: its compact children follow its start, and the spans of elements after the root are moved one by one. */
function shiftPiece(piece: Piece, delta: number): void {
  piece.start += delta;
  piece.end += delta;
  const extraRoots = piece.ending?.extraRoots;
  if (extraRoots === undefined || extraRoots.length === 0) return;
  piece.spans ??= collectSpans(extraRoots);
  for (const span of piece.spans) shiftSpan(span, delta);
}

/** Returns every span of the nodes and their descendants, collected without recursion. */
function collectSpans(nodes: readonly ChildNode[]): Span[] {
  const spans: Span[] = [];
  const pending: ChildNode[] = [...nodes];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    spans.push(node.span);
    if (node.kind !== 'element') continue;
    spans.push(node.nameSpan, node.startTagSpan);
    if (node.endTagSpan !== undefined) spans.push(node.endTagSpan);
    for (const attribute of node.attributes) spans.push(attribute.nameSpan, attribute.valueSpan);
    for (const child of node.children) pending.push(child);
  }
  return spans;
}

/** Detaches the strings of a re-parsed piece's elements after the root, and of its messages, from the version's text. Compact children are detached already. */
function detachPiece(piece: Piece): void {
  const pending: ChildNode[] = [...(piece.ending?.extraRoots ?? [])];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind === 'text' || node.kind === 'cdata') {
      node.value = detach(node.value);
      continue;
    }
    if (node.kind !== 'element') continue;
    const unprefixed = node.localName === node.name;
    node.name = detach(node.name);
    node.localName = unprefixed ? node.name : detach(node.localName);
    for (const attribute of node.attributes) {
      const plain = attribute.localName === attribute.name;
      attribute.name = detach(attribute.name);
      attribute.localName = plain ? attribute.name : detach(attribute.localName);
      const same = attribute.value === attribute.rawValue;
      attribute.rawValue = detach(attribute.rawValue);
      attribute.value = same ? attribute.rawValue : detach(attribute.value);
    }
    for (const child of node.children) pending.push(child);
  }
  for (const problem of [...piece.scan.kept, ...piece.illegal.kept]) problem.message = detach(problem.message);
}

/** Builds the document model and runs the rules, re-running request rules only on pieces not yet checked against this catalog. */
function assemble(state: PieceState, options: CheckOptions): IncrementalResult {
  if (state.whole !== undefined) {
    const result = checkParsedDocument(state.whole, options);
    return { ...result, requests: result.applies ? findRequests(result.parsed) : [] };
  }
  const prolog = state.prolog!;
  const pieces = state.pieces;
  const last = pieces[pieces.length - 1]!;
  const ending = last.ending!;

  let doctype = prolog.doctype;
  for (const piece of pieces) {
    if (doctype === undefined && piece.doctype !== undefined) doctype = absoluteSpan(piece.doctype, piece.start);
  }
  const root = new AssembledRoot(
    prolog.root,
    { start: prolog.root.span.start, end: ending.rootEnd + last.start },
    ending.rootEndTag === undefined ? undefined : absoluteSpan(ending.rootEndTag, last.start),
    pieces,
    state.source!,
  );
  const parsed: ParsedDocument = {
    text: state.text,
    bomLength: prolog.bomLength,
    xmlDeclaration: prolog.xmlDeclaration,
    doctype,
    root,
    extraRoots: ending.extraRoots,
    firstNonAscii: state.firstNonAscii,
    syntaxProblems: mergeSyntaxProblems(pieces),
  };

  const applies = isRequestFile(parsed, options.matchedByGlob ?? false);
  if (!applies) return { parsed, applies, problems: [], requests: [] };
  if (root.localName !== WRAPPER_ELEMENT) {
    // A bare request as the root (or another root) has no pieces to reuse.
    const result = checkParsedDocument(parsed, options);
    return { ...result, requests: findRequests(parsed) };
  }

  const requests: RequestInfo[] = [];
  const content: ChildNode[] = [];
  for (const piece of pieces) {
    for (const request of piece.requests) requests.push(request);
    if (piece.content !== undefined) for (const child of piece.content) content.push(child);
  }
  // Document rules read the root's text that is not white space from `content`, so that they do not make every piece's children.
  const context: RuleContext = { catalog: options.catalog, text: state.text, rootContent: content };

  const problems: Problem[] = [];
  // Loops instead of push(...found): spreading ~120 000 or more problems overflows the call stack.
  for (const rule of DOCUMENT_RULES) {
    for (const problem of rule(parsed, requests, context)) problems.push(problem);
  }
  for (const piece of pieces) {
    if (piece.checked === undefined || piece.checked.catalog !== options.catalog) {
      // Another question list than the one the piece was parsed with: its compact requests parse their Details again.
      const found: Problem[] = [];
      for (const request of piece.requests) {
        for (const problem of checkRequest(request, context)) found.push(problem);
      }
      piece.checked = { catalog: options.catalog, problems: found.length === 0 ? NO_RULE_PROBLEMS : found.map((problem) => moveProblem(problem, -piece.start, true)) };
    }
    for (const problem of piece.checked.problems) problems.push(moveProblem(problem, piece.start, false));
  }
  for (const problem of parsed.syntaxProblems) problems.push(createProblem(problem.code, problem.span, problem.message));
  return { parsed, applies, problems, requests };
}

/**
 * The root of an assembled version. Its children are the compact children of the pieces,
 * listed on first use, because most versions are only checked and published.
 */
class AssembledRoot implements ElementNode, ChildrenAtOffset {
  readonly kind = 'element';
  readonly name: string;
  readonly prefix: string | undefined;
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly nameSpan: Span;
  readonly startTagSpan: Span;
  readonly startTagComplete: boolean;
  readonly selfClosing: boolean;
  readonly attributes: ElementNode['attributes'];
  readonly namespaces: ReadonlyMap<string, string>;
  private listed: ChildNode[] | undefined;

  /** `declared` is the root as its start tag declares it, in the prolog, which does not move. */
  constructor(
    declared: ElementNode,
    readonly span: Span,
    readonly endTagSpan: Span | undefined,
    private readonly pieces: readonly Piece[],
    private readonly source: CompactSource,
  ) {
    this.name = declared.name;
    this.prefix = declared.prefix;
    this.localName = declared.localName;
    this.namespaceURI = declared.namespaceURI;
    this.nameSpan = declared.nameSpan;
    this.startTagSpan = declared.startTagSpan;
    this.startTagComplete = declared.startTagComplete;
    this.selfClosing = declared.selfClosing;
    this.attributes = declared.attributes;
    this.namespaces = declared.namespaces;
  }

  /** Returns the children whose span contains `offset`, parsing again only the pieces around it. */
  childrenAt(offset: number): ChildNode[] {
    const spanOf = (child: ChildNode): Span => child.span;
    if (this.listed !== undefined) return spansContaining(this.listed, offset, spanOf);
    const found: ChildNode[] = [];
    // A piece is the span of the children read in it, so the pieces around the offset hold them.
    for (const piece of spansContaining(this.pieces, offset, (candidate) => candidate)) {
      for (const child of spansContaining(pieceChildren(piece, this.source), offset, spanOf)) found.push(child);
    }
    return found;
  }

  get children(): ChildNode[] {
    if (this.listed === undefined) {
      const children: ChildNode[] = [];
      for (const piece of this.pieces) for (const child of pieceChildren(piece, this.source)) children.push(child);
      this.listed = children;
    }
    return this.listed;
  }

  toJSON(): ElementNode {
    const { kind, name, prefix, localName, namespaceURI, span, nameSpan, startTagSpan, startTagComplete, selfClosing, endTagSpan, attributes, children, namespaces } = this;
    return { kind, name, prefix, localName, namespaceURI, span, nameSpan, startTagSpan, startTagComplete, selfClosing, endTagSpan, attributes, children, namespaces };
  }
}

function absoluteSpan(span: Span, base: number): Span {
  return { start: span.start + base, end: span.end + base };
}

/**
 * Lists the syntax problems as one parse of the whole text would: illegal characters first,
 * then the rest in the order found, the first `MAX_SYNTAX_PROBLEMS - 1` kept.
 */
function mergeSyntaxProblems(pieces: readonly Piece[]): SyntaxProblem[] {
  const kept: SyntaxProblem[] = [];
  let firstDropped: SyntaxProblem | undefined;
  let droppedCount = 0;
  const take = (piece: Piece, list: PieceProblems): void => {
    for (const problem of list.kept) {
      const span = list.inProlog?.has(problem) === true ? { ...problem.span } : absoluteSpan(problem.span, piece.start);
      const absolute: SyntaxProblem = { code: problem.code, span, message: problem.message };
      if (kept.length < MAX_SYNTAX_PROBLEMS - 1) {
        kept.push(absolute);
      } else {
        firstDropped ??= absolute;
        droppedCount++;
      }
    }
    // Problems past a piece's kept ones come after at least MAX_SYNTAX_PROBLEMS others, so they are dropped.
    droppedCount += list.count - list.kept.length;
  };
  for (const piece of pieces) take(piece, piece.illegal);
  for (const piece of pieces) take(piece, piece.scan);
  return sortProblems(kept, firstDropped, droppedCount);
}

/**
 * Returns a copy of the problem with every span moved by `delta`: its own span, related spans
 * and any `{ start, end }` object in its quick-fix data. With `detached`, the message is also
 * copied so that a kept problem does not hold the version's text.
 */
function moveProblem(problem: Problem, delta: number, detached: boolean): Problem {
  const moved: Problem = {
    code: problem.code,
    severity: problem.severity,
    span: { start: problem.span.start + delta, end: problem.span.end + delta },
    message: detached ? detach(problem.message) : problem.message,
  };
  if (problem.related !== undefined) {
    moved.related = problem.related.map((related) => ({ span: { start: related.span.start + delta, end: related.span.end + delta }, message: related.message }));
  }
  if (problem.data !== undefined) moved.data = moveData(problem.data, delta) as Record<string, unknown>;
  return moved;
}

function moveData(value: unknown, delta: number): unknown {
  if (Array.isArray(value)) return value.map((item) => moveData(item, delta));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 2 && typeof record.start === 'number' && typeof record.end === 'number') {
    return { start: record.start + delta, end: record.end + delta };
  }
  const copy: Record<string, unknown> = {};
  for (const key of keys) copy[key] = moveData(record[key], delta);
  return copy;
}
