/**
 * The compact model that the incremental checker keeps between versions. A batch file of a few
 * MB has tens of thousands of requests, and a node for every Details element, attribute and
 * span of them would cost many times the text's size in memory and in garbage collection.
 *
 * Once a request element has been checked, the checker keeps a `CompactElement` of it: the
 * element's own name, spans and attributes, without its descendants. When a feature reads the
 * children, they are parsed again from the text, which takes microseconds for one request, and
 * the last few of them are cached. The parse is the same one that built the element, started
 * at the same offset in the same state, so it reads the same nodes.
 */

import type { AttributeNode, ChildNode, ElementNode, Span } from './model';
import { DocumentParser } from './parser';
import { describeRequest, type DetailInfo, type RequestInfo } from './requests';
import { ParseContext } from './xml/context';

/** The latest text of a document and its root as the start tag declares it, shared by the compact elements of its pieces. */
export interface CompactSource {
  text: string;
  /** The root element without children, in the state a parse resumes from. */
  readonly root: ElementNode;
  /** The context of the parses of compact elements' children, for `text`. */
  context?: ParseContext;
}

/** Number of compact elements whose parsed children are kept, so that a feature reading one request several times parses it once. */
const MATERIALIZED_CACHE_SIZE = 32;

/** The most recently parsed compact elements, oldest first. */
const materialized: CompactElement[] = [];

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

/**
 * Returns a copy of `value` that shares no memory with the text it was sliced from. V8 keeps
 * a substring of 13 or more characters as a view into its parent string, so a kept node would
 * otherwise keep the whole text of the version it was parsed in.
 */
export function detach(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}

/** Detaches the strings of an attribute in place and returns it. */
function detachAttribute(attribute: AttributeNode): AttributeNode {
  const plain = attribute.localName === attribute.name;
  attribute.name = detach(attribute.name);
  attribute.localName = plain ? attribute.name : detach(attribute.localName);
  const same = attribute.value === attribute.rawValue;
  attribute.rawValue = detach(attribute.rawValue);
  attribute.value = same ? attribute.rawValue : detach(attribute.value);
  return attribute;
}

/** A child element of the root, kept with its own attributes and spans; its children are parsed again on demand. */
export class CompactElement implements ElementNode {
  readonly kind = 'element';
  name: string;
  prefix: string | undefined;
  localName: string;
  namespaceURI: string | null;
  span: Span;
  nameSpan: Span;
  startTagSpan: Span;
  startTagComplete: boolean;
  selfClosing: boolean;
  endTagSpan: Span | undefined;
  attributes: AttributeNode[];
  namespaces: ReadonlyMap<string, string>;

  /** The parsed element and the text it was parsed from, while this element is in the cache. */
  private parsed: { text: string; start: number; element: ElementNode } | undefined;

  /** Takes over the element's own fields and attributes (detaching their strings); `element` itself is not kept. */
  constructor(
    element: ElementNode,
    private readonly source: CompactSource,
  ) {
    const unprefixed = element.localName === element.name;
    this.name = detach(element.name);
    this.prefix = element.prefix;
    this.localName = unprefixed ? this.name : detach(element.localName);
    this.namespaceURI = element.namespaceURI;
    this.span = element.span;
    this.nameSpan = element.nameSpan;
    this.startTagSpan = element.startTagSpan;
    this.startTagComplete = element.startTagComplete;
    this.selfClosing = element.selfClosing;
    this.endTagSpan = element.endTagSpan;
    this.attributes = element.attributes.map(detachAttribute);
    this.namespaces = element.namespaces;
  }

  get children(): ChildNode[] {
    return this.expand().children;
  }

  /** Serializes as the whole element would: its own fields with the children parsed again. */
  toJSON(): ElementNode {
    const { kind, name, prefix, localName, namespaceURI, span, nameSpan, startTagSpan, startTagComplete, selfClosing, endTagSpan, attributes, namespaces } = this;
    return { kind, name, prefix, localName, namespaceURI, span, nameSpan, startTagSpan, startTagComplete, selfClosing, endTagSpan, attributes, children: this.children, namespaces };
  }

  /** Adds the spans of this element and its attributes to `spans`, for the checker to move when text before them changes. */
  ownSpans(spans: Span[]): void {
    spans.push(this.span, this.nameSpan, this.startTagSpan);
    if (this.endTagSpan !== undefined) spans.push(this.endTagSpan);
    for (const attribute of this.attributes) spans.push(attribute.nameSpan, attribute.valueSpan);
  }

  /** Returns the whole element, parsed again from the source's text unless it is cached for that text. */
  expand(): ElementNode {
    const text = this.source.text;
    const parsed = this.parsed;
    if (parsed !== undefined && parsed.text === text && parsed.start === this.span.start) return parsed.element;

    const root: ElementNode = { ...this.source.root, span: { ...this.source.root.span }, children: [], endTagSpan: undefined };
    const parser = new DocumentParser(text, undefined, contextFor(this.source));
    parser.resumeInsideRoot(root);
    // The first point where only the root is open again is the end of this element.
    parser.scan(this.span.start, () => true);
    const element = root.children.find((child): child is ElementNode => child.kind === 'element');
    if (element === undefined || element.span.start !== this.span.start) {
      throw new Error(`Failed to parse the element at offset ${this.span.start} again: its model belongs to an earlier version of the document, so check the document again.`);
    }
    this.parsed = { text, start: this.span.start, element };
    if (parsed === undefined) {
      materialized.push(this);
      if (materialized.length > MATERIALIZED_CACHE_SIZE) materialized.shift()!.parsed = undefined;
    }
    return element;
  }
}

/** A request of a checked piece: what document rules and features read without parsing, the Details on demand. */
export class CompactRequest implements RequestInfo {
  readonly requestType: string;
  readonly userName: AttributeNode | undefined;
  readonly inputLanguage: AttributeNode | undefined;
  readonly parentNamespaceURI: string | null | undefined;

  /** `described` is the request as `describeRequest` read it from the whole element that `element` was made from. */
  constructor(
    readonly element: CompactElement,
    described: RequestInfo,
  ) {
    this.requestType = element.localName;
    // The compact element took over the whole element's attribute objects, so these are its own.
    this.userName = described.userName;
    this.inputLanguage = described.inputLanguage;
    this.parentNamespaceURI = described.parentNamespaceURI;
  }

  get details(): DetailInfo[] {
    return describeRequest(this.element.expand(), this.parentNamespaceURI).details;
  }

  /** Serializes as `describeRequest` of the whole element would. */
  toJSON(): RequestInfo {
    const { element, requestType, userName, inputLanguage, details, parentNamespaceURI } = this;
    return { element, requestType, userName, inputLanguage, details, parentNamespaceURI };
  }
}
