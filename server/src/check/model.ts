/**
 * The parsed form of a request file. All offsets are UTF-16 code unit offsets into the text
 * exactly as the editor holds it (a leading byte-order mark and CRLF line endings included),
 * so an LSP position is one `positionAt` away. Spans are half-open: [start, end).
 */

import type { DiagnosticCode, Severity } from './codes';

export const IBKR_NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

export interface Span {
  start: number;
  end: number;
}

/** True when `offset` is inside the span or at its end, where a cursor after the last character is. */
export function spanContains(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/**
 * An element that finds its children around an offset without listing all of them, as the
 * root of a large checked document does: listing them parses every request again.
 */
export interface ChildrenAtOffset {
  childrenAt(offset: number): ChildNode[];
}

/** Returns the children of `element` whose span contains `offset`. */
export function childrenAt(element: ElementNode, offset: number): ChildNode[] {
  if ('childrenAt' in element && typeof element.childrenAt === 'function') return (element as ElementNode & ChildrenAtOffset).childrenAt(offset);
  return spansContaining(element.children, offset, (child) => child.span);
}

/**
 * Returns the items of a list in text order whose span contains `offset`, its end included:
 * one, or two where one ends as the next starts. The spans must not overlap, so their ends
 * grow with the index and the first item is found by halving.
 */
export function spansContaining<T>(items: readonly T[], offset: number, spanOf: (item: T) => Span): T[] {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (spanOf(items[middle]!).end < offset) low = middle + 1;
    else high = middle;
  }
  const found: T[] = [];
  for (let index = low; index < items.length && spanOf(items[index]!).start <= offset; index++) found.push(items[index]!);
  return found;
}

export interface AttributeNode {
  /** Qualified name as written, e.g. `answer` or `x:answer`. */
  name: string;
  prefix: string | undefined;
  localName: string;
  /** Namespace of a prefixed attribute; `null` for an unprefixed one (attributes take no default namespace). */
  namespaceURI: string | null;
  nameSpan: Span;
  /**
   * The raw value between the quotes, quotes excluded. For an unquoted value it covers the
   * token; for a missing value it is the empty span where the value should start.
   */
  valueSpan: Span;
  rawValue: string;
  /** Value after entity and character reference decoding and attribute-value normalization (tab, CR, LF become spaces). */
  value: string;
  /** False when the value is not enclosed in matching quotes (half-typed or unquoted). */
  complete: boolean;
}

export interface TextNode {
  kind: 'text' | 'cdata';
  span: Span;
  /** Decoded text (for CDATA, the content between the markers). */
  value: string;
}

export interface CommentNode {
  kind: 'comment' | 'processing-instruction';
  span: Span;
}

export interface ElementNode {
  kind: 'element';
  /** Qualified name as written. */
  name: string;
  prefix: string | undefined;
  localName: string;
  /** Resolved namespace URI; `null` when no namespace applies or the prefix is undeclared. */
  namespaceURI: string | null;
  /** From `<` to the end of the end tag, or to where the parser gave up on an unclosed element. */
  span: Span;
  /** The element name in its start tag. */
  nameSpan: Span;
  /** From `<` to `>` of the start tag (or where the start tag broke off). */
  startTagSpan: Span;
  /** True when the start tag ended with `>` or `/>`. */
  startTagComplete: boolean;
  selfClosing: boolean;
  /** Set when a matching end tag was found. */
  endTagSpan: Span | undefined;
  attributes: AttributeNode[];
  children: ChildNode[];
  /** Namespace declarations in scope at this element, prefix ('' for the default) to URI. */
  namespaces: ReadonlyMap<string, string>;
}

export type ChildNode = ElementNode | TextNode | CommentNode;

export interface XmlDeclaration {
  span: Span;
  version: string | undefined;
  encoding: { value: string; span: Span } | undefined;
  standalone: string | undefined;
}

/** A problem found in the text itself, before any request rule runs. */
export interface SyntaxProblem {
  code: Extract<DiagnosticCode, 'xml-wellformed' | 'doctype-not-allowed' | 'entity-undefined'>;
  span: Span;
  message: string;
}

export interface ParsedDocument {
  text: string;
  /** Length of a leading byte-order mark (0 or 1). */
  bomLength: number;
  xmlDeclaration: XmlDeclaration | undefined;
  doctype: Span | undefined;
  /** The first top-level element, even when it is unclosed or broken. */
  root: ElementNode | undefined;
  /** Further top-level elements (each is also an `xml-wellformed` problem). */
  extraRoots: ElementNode[];
  /** Offset of the first character above U+007F in the text (BOM excluded), or -1. */
  firstNonAscii: number;
  syntaxProblems: SyntaxProblem[];
}

export interface RelatedSpan {
  span: Span;
  message: string;
}

/** A rule or syntax finding, in offsets; servers and the CLI turn it into an LSP diagnostic. */
export interface Problem {
  code: DiagnosticCode;
  severity: Severity;
  span: Span;
  message: string;
  related?: RelatedSpan[];
  /** Data for quick fixes (never an answer text). */
  data?: Record<string, unknown>;
}

/** One entry of IBKR's SECURITY_QUESTIONS list. */
export interface SecurityQuestion {
  id: string;
  question: string;
  canBeNumber: boolean | undefined;
  minAnswerLength: number | undefined;
  maxRepeatableCharsCount: number | undefined;
}

export interface QuestionCatalog {
  /** Where the list came from: a file path, or e.g. `getEnumerations (local)`. */
  origin: string;
  questions: ReadonlyMap<string, SecurityQuestion>;
}
