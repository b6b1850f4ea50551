/**
 * The compact model that the incremental checker keeps between versions. A batch file of a few
 * MB has tens of thousands of requests, and a node for every Details element, attribute and
 * span of them would cost many times the text's size in memory and in garbage collection.
 *
 * Once a piece of the text has been checked, the checker keeps only what document rules read:
 * a `PieceRequest` with the request type and the user name. The nodes of the piece are made on
 * first use by parsing the piece again, which takes microseconds. A `CompactElement` keeps the
 * element's own name, spans and attributes. It parses its children again when they are read,
 * and keeps the last few of them. Each parse starts at the same offset in the same state as the
 * one that checked the piece, so it reads the same nodes. Offsets of compact nodes are relative
 * to their piece, so moving a piece after an edit before it moves all of them at once.
 */

import type { AttributeNode, ChildNode, CommentNode, ElementNode, Span, TextNode } from './model';
import { DocumentParser } from './parser';
import { describeRequest, type DetailInfo, type RequestInfo } from './requests';
import { ParseContext } from './xml/context';
import { detach } from './xml/strings';

/** The latest text of a document and its root as the start tag declares it, shared by the compact elements of its pieces. */
export interface CompactSource {
  text: string;
  /** The root element without children, in the state a parse resumes from. */
  readonly root: ElementNode;
  /** The context of the parses of compact elements' children, for `text`. */
  context?: ParseContext;
  /** The compact elements whose whole element is kept, oldest first. */
  expanded?: CompactElement[];
}

/** Number of compact elements per document whose whole element is kept, so that a feature reading one request several times parses it once. */
const EXPANDED_CACHE_SIZE = 32;

/**
 * Sets the source's text to the next version's. The parse context and the whole elements of
 * the previous text are dropped, because they are stale and would keep that text in memory.
 */
export function changeSourceText(source: CompactSource, text: string): void {
  source.text = text;
  source.context = undefined;
  for (const element of source.expanded ?? []) element.forgetExpanded();
  source.expanded = undefined;
}

/** Returns a copy of the root without its children and end tag: the state that a parse resumes from. */
export function rootWithoutChildren(root: ElementNode): ElementNode {
  return { ...root, span: { ...root.span }, children: [], endTagSpan: undefined };
}

/**
 * Parses the source's text again from `start`, where only the root is open, until `stop`
 * accepts an offset where only the root is open again. Returns the root's children read and the
 * offset where the scan stopped, or -1 at the end of the text.
 */
function parseInsideRoot(source: CompactSource, start: number, stop: (position: number) => boolean): { children: ChildNode[]; stopped: number } {
  const root = rootWithoutChildren(source.root);
  const parser = new DocumentParser(source.text, undefined, contextFor(source));
  parser.resumeInsideRoot(root);
  const stopped = parser.scan(start, stop);
  return { children: root.children, stopped };
}

/** Drops the syntax problems of a repeated parse: they were reported when the element was first parsed. */
const DISCARD_PROBLEMS = { add: (): void => undefined };

/**
 * Returns the source's parse context for its current text. Its forward searches remember where
 * the next `<`, quote or line break is, so parsing every request of a file in turn (for the
 * outline) stays linear even where a search finds nothing up to the end of the text.
 */
function contextFor(source: CompactSource): ParseContext {
  if (source.context?.text !== source.text) source.context = new ParseContext(source.text, DISCARD_PROBLEMS);
  return source.context;
}

/** Bound of the table of short strings, so that a file of millions of distinct names cannot grow it without limit. */
const MAX_SHARED_STRINGS = 4096;

/** Names and short texts (such as the white space between requests) of compact nodes, one detached copy of each. */
const sharedStrings = new Map<string, string>();

/** Returns the one kept copy of a name or a short text, detached from the text it was sliced from. */
function share(value: string): string {
  if (value.length > 64) return detach(value);
  const stored = sharedStrings.get(value);
  if (stored !== undefined) return stored;
  const copy = detach(value);
  if (sharedStrings.size < MAX_SHARED_STRINGS) sharedStrings.set(copy, copy);
  return copy;
}

/** Returns the shared copies of a node's qualified name, prefix and local name. */
function shareNames(node: { name: string; prefix: string | undefined; localName: string }): { name: string; prefix: string | undefined; localName: string } {
  const name = share(node.name);
  return { name, prefix: node.prefix === undefined ? undefined : share(node.prefix), localName: node.localName === node.name ? name : share(node.localName) };
}

/** The start of the piece of text that contains a compact node. Offsets of compact nodes are relative to it, so moving a piece moves them all. */
export interface Anchor {
  start: number;
}

/** An attribute of a compact element, its spans relative to the anchor. */
class CompactAttribute implements AttributeNode {
  readonly name: string;
  readonly prefix: string | undefined;
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly rawValue: string;
  readonly value: string;
  readonly complete: boolean;
  private readonly nameStart: number;
  private readonly nameEnd: number;
  private readonly valueStart: number;
  private readonly valueEnd: number;

  constructor(
    attribute: AttributeNode,
    private readonly anchor: Anchor,
  ) {
    const base = anchor.start;
    ({ name: this.name, prefix: this.prefix, localName: this.localName } = shareNames(attribute));
    this.namespaceURI = attribute.namespaceURI;
    this.rawValue = detach(attribute.rawValue);
    this.value = attribute.value === attribute.rawValue ? this.rawValue : detach(attribute.value);
    this.complete = attribute.complete;
    this.nameStart = attribute.nameSpan.start - base;
    this.nameEnd = attribute.nameSpan.end - base;
    this.valueStart = attribute.valueSpan.start - base;
    this.valueEnd = attribute.valueSpan.end - base;
  }

  get nameSpan(): Span {
    const base = this.anchor.start;
    return { start: base + this.nameStart, end: base + this.nameEnd };
  }

  get valueSpan(): Span {
    const base = this.anchor.start;
    return { start: base + this.valueStart, end: base + this.valueEnd };
  }

  toJSON(): AttributeNode {
    const { name, prefix, localName, namespaceURI, nameSpan, valueSpan, rawValue, value, complete } = this;
    return { name, prefix, localName, namespaceURI, nameSpan, valueSpan, rawValue, value, complete };
  }
}

/** Text or CDATA between the root's children, its span relative to the anchor. */
export class CompactText implements TextNode {
  readonly kind: 'text' | 'cdata';
  readonly value: string;
  private readonly start: number;
  private readonly end: number;

  constructor(
    node: TextNode,
    private readonly anchor: Anchor,
  ) {
    this.kind = node.kind;
    this.value = share(node.value);
    this.start = node.span.start - anchor.start;
    this.end = node.span.end - anchor.start;
  }

  get span(): Span {
    return { start: this.anchor.start + this.start, end: this.anchor.start + this.end };
  }

  toJSON(): TextNode {
    return { kind: this.kind, span: this.span, value: this.value };
  }
}

/** A comment or processing instruction between the root's children, its span relative to the anchor. */
class CompactMarkup implements CommentNode {
  readonly kind: 'comment' | 'processing-instruction';
  private readonly start: number;
  private readonly end: number;

  constructor(
    node: CommentNode,
    private readonly anchor: Anchor,
  ) {
    this.kind = node.kind;
    this.start = node.span.start - anchor.start;
    this.end = node.span.end - anchor.start;
  }

  get span(): Span {
    return { start: this.anchor.start + this.start, end: this.anchor.start + this.end };
  }

  toJSON(): CommentNode {
    return { kind: this.kind, span: this.span };
  }
}

/** Returns the compact form of a child of the root: an element keeps its own fields and parses its children again on demand. */
function compactChild(node: ChildNode, anchor: Anchor, source: CompactSource): ChildNode {
  if (node.kind === 'element') return new CompactElement(node, anchor, source);
  // TextNode's kind is a union, so a test of `kind` does not narrow ChildNode to CommentNode.
  return 'value' in node ? new CompactText(node, anchor) : new CompactMarkup(node, anchor);
}

/** No end tag: an offset that no span has. */
const NO_END_TAG = -1;

/**
 * A child element of the root, kept with its own attributes and spans relative to the anchor.
 * Its children are parsed again from the text when read.
 */
export class CompactElement implements ElementNode {
  readonly kind = 'element';
  readonly name: string;
  readonly prefix: string | undefined;
  readonly localName: string;
  readonly namespaceURI: string | null;
  readonly startTagComplete: boolean;
  readonly selfClosing: boolean;
  readonly attributes: AttributeNode[];
  readonly namespaces: ReadonlyMap<string, string>;
  private readonly start: number;
  private readonly end: number;
  private readonly nameEnd: number;
  private readonly startTagEnd: number;
  private readonly endTagStart: number;
  private readonly endTagEnd: number;

  /** The parsed element and the text it was parsed from, while this element is in the cache. */
  private parsed: { text: string; start: number; element: ElementNode } | undefined;

  /** Takes over the element's own fields and attributes, its strings detached from the text; `element` itself is not kept. */
  constructor(
    element: ElementNode,
    private readonly anchor: Anchor,
    private readonly source: CompactSource,
  ) {
    const base = anchor.start;
    ({ name: this.name, prefix: this.prefix, localName: this.localName } = shareNames(element));
    this.namespaceURI = element.namespaceURI;
    this.startTagComplete = element.startTagComplete;
    this.selfClosing = element.selfClosing;
    this.attributes = element.attributes.map((attribute) => new CompactAttribute(attribute, anchor));
    this.namespaces = element.namespaces;
    this.start = element.span.start - base;
    this.end = element.span.end - base;
    // The name starts right after `<`, and the start tag starts at the element's start.
    this.nameEnd = element.nameSpan.end - base;
    this.startTagEnd = element.startTagSpan.end - base;
    this.endTagStart = element.endTagSpan === undefined ? NO_END_TAG : element.endTagSpan.start - base;
    this.endTagEnd = element.endTagSpan === undefined ? NO_END_TAG : element.endTagSpan.end - base;
  }

  get span(): Span {
    return { start: this.anchor.start + this.start, end: this.anchor.start + this.end };
  }

  get nameSpan(): Span {
    return { start: this.anchor.start + this.start + 1, end: this.anchor.start + this.nameEnd };
  }

  get startTagSpan(): Span {
    return { start: this.anchor.start + this.start, end: this.anchor.start + this.startTagEnd };
  }

  get endTagSpan(): Span | undefined {
    if (this.endTagStart === NO_END_TAG) return undefined;
    return { start: this.anchor.start + this.endTagStart, end: this.anchor.start + this.endTagEnd };
  }

  get children(): ChildNode[] {
    return this.expand().children;
  }

  /** Serializes as the whole element would: its own fields with the children parsed again. */
  toJSON(): ElementNode {
    const { kind, name, prefix, localName, namespaceURI, span, nameSpan, startTagSpan, startTagComplete, selfClosing, endTagSpan, attributes, namespaces } = this;
    return { kind, name, prefix, localName, namespaceURI, span, nameSpan, startTagSpan, startTagComplete, selfClosing, endTagSpan, attributes, children: this.children, namespaces };
  }

  /** Returns the whole element, parsed again from the source's text unless it is cached for that text. */
  expand(): ElementNode {
    const text = this.source.text;
    const start = this.anchor.start + this.start;
    const parsed = this.parsed;
    if (parsed !== undefined && parsed.text === text && parsed.start === start) return parsed.element;

    // The first point where only the root is open again is the end of this element.
    const { children } = parseInsideRoot(this.source, start, () => true);
    const element = children.find((child): child is ElementNode => child.kind === 'element');
    if (element === undefined || element.span.start !== start) {
      throw new Error(`Failed to parse the element at offset ${start} again: its model belongs to an earlier version of the document, so check the document again.`);
    }
    this.keepExpanded(element);
    return element;
  }

  /** Keeps `element`, this element parsed whole from the source's current text, among the document's recently parsed ones. */
  keepExpanded(element: ElementNode): void {
    const isCached = this.parsed !== undefined;
    this.parsed = { text: this.source.text, start: element.span.start, element };
    if (isCached) return;
    const expanded = (this.source.expanded ??= []);
    expanded.push(this);
    if (expanded.length > EXPANDED_CACHE_SIZE) expanded.shift()!.forgetExpanded();
  }

  /** Drops the kept whole element. */
  forgetExpanded(): void {
    this.parsed = undefined;
  }
}

/**
 * A piece of the text that starts where only the root is open and ends where that is next the
 * case, so it contains at most one child element of the root. Its children are made on first use.
 */
export interface CompactPiece extends Anchor {
  end: number;
  /** The compact children of the root in this piece, once made. */
  children: ChildNode[] | undefined;
  /** The requests of the piece's elements, when the root is AcctMgmtRequests. */
  requests: PieceRequest[];
}

/** Returns the compact children of the root in the piece, parsing the piece again the first time. */
export function pieceChildren(piece: CompactPiece, source: CompactSource): ChildNode[] {
  if (piece.children !== undefined) return piece.children;
  const parsed = parseInsideRoot(source, piece.start, (position) => position >= piece.end);
  if (parsed.stopped === -1 ? piece.end !== source.text.length : parsed.stopped !== piece.end) {
    throw new Error(`Failed to parse the piece at offsets ${piece.start} to ${piece.end} again: its model belongs to an earlier version of the document, so check the document again.`);
  }
  const children: ChildNode[] = [];
  let elementIndex = 0;
  for (const child of parsed.children) {
    if (child.kind !== 'element') {
      children.push(compactChild(child, piece, source));
      continue;
    }
    const request = piece.requests[elementIndex++];
    children.push(request === undefined ? new CompactElement(child, piece, source) : request.adopt(child));
  }
  piece.children = children;
  return children;
}

/**
 * A request of a piece, with what document rules read: the request type and the user name. The
 * element is made from the text on first use, and the Details are parsed again when read.
 */
export class PieceRequest implements RequestInfo {
  readonly requestType: string;
  readonly userName: AttributeNode | undefined;
  readonly parentNamespaceURI: string | null | undefined;
  private readonly start: number;
  private readonly end: number;
  /** Indexes of the user name and input_language attributes in the element, or -1. */
  private readonly userNameIndex: number;
  private readonly inputLanguageIndex: number;
  private compact: CompactElement | undefined;

  /** `described` is the request as `describeRequest` read it from `whole`, the element of the request. */
  constructor(
    private readonly piece: CompactPiece,
    private readonly source: CompactSource,
    whole: ElementNode,
    described: RequestInfo,
  ) {
    this.requestType = share(described.requestType);
    this.userName = described.userName === undefined ? undefined : new CompactAttribute(described.userName, piece);
    this.parentNamespaceURI = described.parentNamespaceURI;
    this.start = whole.span.start - piece.start;
    this.end = whole.span.end - piece.start;
    this.userNameIndex = described.userName === undefined ? -1 : whole.attributes.indexOf(described.userName);
    this.inputLanguageIndex = described.inputLanguage === undefined ? -1 : whole.attributes.indexOf(described.inputLanguage);
  }

  /** The span of the request element. */
  get span(): Span {
    return { start: this.piece.start + this.start, end: this.piece.start + this.end };
  }

  get element(): CompactElement {
    if (this.compact === undefined) pieceChildren(this.piece, this.source);
    return this.compact!;
  }

  get inputLanguage(): AttributeNode | undefined {
    return this.inputLanguageIndex === -1 ? undefined : this.element.attributes[this.inputLanguageIndex];
  }

  get details(): DetailInfo[] {
    return describeRequest(this.element.expand(), this.parentNamespaceURI).details;
  }

  /** Makes the compact element of the request from its whole element, parsed again from the piece, and keeps it. */
  adopt(whole: ElementNode): CompactElement {
    const compact = new CompactElement(whole, this.piece, this.source);
    // The user name that document rules read is the element's own attribute.
    if (this.userName !== undefined) compact.attributes[this.userNameIndex] = this.userName;
    compact.keepExpanded(whole);
    this.compact = compact;
    return compact;
  }

  /** Serializes as `describeRequest` of the whole element would. */
  toJSON(): RequestInfo {
    const { element, requestType, userName, inputLanguage, details, parentNamespaceURI, span } = this;
    return { element, span, requestType, userName, inputLanguage, details, parentNamespaceURI };
  }
}
