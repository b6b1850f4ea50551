/**
 * The tolerant XML parser behind every check: it turns the text of a request file into the
 * model of `model.ts`, with exact UTF-16 spans, and reports what is not well-formed.
 *
 * It is hand-written because the language server needs spans for every attribute value, a
 * model of half-typed documents, no entity expansion or fetching, and speed on large batch
 * files. It never throws, uses no recursion (an explicit element stack) and runs in time and
 * memory linear in the text length. parser-limits.test.ts checks this on deep nesting and on
 * random input. `@xmldom/xmldom` remains the reference parser: parser-differential.test.ts
 * compares the two verdicts.
 */

import type { ChildNode, ElementNode, ParsedDocument, Span, XmlDeclaration } from './model';
import { formatCodePoint, isWhitespace, scanName, skipWhitespace, startsName } from './xml/chars';
import { ParseContext, ProblemList, type ProblemSink } from './xml/context';
import { readCdata, readComment, readDoctype, readProcessingInstruction, readXmlDeclaration, startsXmlDeclaration } from './xml/markup';
import { NamespaceResolver } from './xml/namespaces';
import { decodeText } from './xml/references';
import { readSimpleElement } from './xml/simpleElement';
import { readStartTag } from './xml/startTag';

export { MAX_SYNTAX_PROBLEMS } from './xml/context';

const BYTE_ORDER_MARK = 0xfeff;
const EXCLAMATION_MARK = 0x21;
const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;
const GREATER_THAN = 0x3e;

export interface DocumentParserOptions {
  /**
   * Read plain elements directly inside the root with the fast reader of `simpleElement.ts`.
   * The nodes are the same either way. The incremental checker turns it on and the full check
   * leaves it off, so tests that compare the two also compare the readers.
   */
  simpleElements?: boolean;
}

/** Runs of code points outside XML 1.0's Char production. A lone surrogate counts as one such code point. */
const ILLEGAL_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+/gu;
/**
 * The code units that can be part of an illegal character: controls, surrogates (legal only in
 * pairs) and U+FFFE/U+FFFF. Without the `u` flag this search is several times faster than the
 * one above, so the text is searched with it first and most texts need no second search.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this search looks for.
const POSSIBLY_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const NON_ASCII = /[\u0080-\uFFFF]/;

/** Parses a request file. Never throws: problems are returned in `syntaxProblems`. */
export function parseDocument(text: string): ParsedDocument {
  return new DocumentParser(text).parse();
}

/** Reports each run of characters in [start, end) that XML 1.0 does not allow anywhere in a document. */
export function reportIllegalCharacters(context: ParseContext, start: number, end: number): void {
  // A slice keeps the search inside the range; `exec` with `lastIndex` would run on to the end of the text.
  const range = start === 0 && end === context.text.length ? context.text : context.text.slice(start, end);
  if (!POSSIBLY_ILLEGAL.test(range)) return;
  for (const match of range.matchAll(ILLEGAL_CHARACTERS)) {
    const run = match[0];
    const first = formatCodePoint(run.codePointAt(0)!);
    const count = Array.from(run).length;
    const message =
      count === 1
        ? `Character ${first} is not allowed in XML 1.0: remove it.`
        : `${count} characters starting with ${first} are not allowed in XML 1.0: remove them.`;
    context.error(start + match.index, start + match.index + run.length, message);
  }
}

/** Returns the offset of the first character above U+007F in [start, end), or -1. */
export function findNonAscii(text: string, start: number, end: number): number {
  const range = start === 0 && end === text.length ? text : text.slice(start, end);
  const found = range.search(NON_ASCII);
  return found === -1 ? -1 : start + found;
}

export class DocumentParser {
  private readonly context: ParseContext;
  private readonly namespaces: NamespaceResolver;
  private readonly stack: ElementNode[] = [];
  /** Open elements per name, so that an end tag can tell in O(1) whether its element is open further up. */
  private readonly openCounts = new Map<string, number>();
  private root: ElementNode | undefined;
  private readonly extraRoots: ElementNode[] = [];
  private xmlDeclaration: XmlDeclaration | undefined;
  private doctype: Span | undefined;
  /** The first DOCTYPE read since `takeDoctype` was last called. */
  private recentDoctype: Span | undefined;

  /** Set when the parser keeps its own capped list, i.e. when no sink was passed in. */
  private readonly problemList: ProblemList | undefined;

  /**
   * @param context a context of `text` to share with earlier parses of it, so that its cached
   *   searches serve them all. Problems then go to the context's sink, and `sink` is ignored.
   */
  constructor(
    private readonly text: string,
    sink?: ProblemSink,
    context?: ParseContext,
    private readonly options: DocumentParserOptions = {},
  ) {
    this.problemList = sink === undefined && context === undefined ? new ProblemList() : undefined;
    this.context = context ?? new ParseContext(text, sink ?? this.problemList!);
    this.namespaces = new NamespaceResolver(this.context);
  }

  parse(): ParsedDocument {
    const text = this.text;
    reportIllegalCharacters(this.context, 0, text.length);
    this.scan(this.readProlog(), undefined);
    return {
      text,
      bomLength: this.bomLength,
      xmlDeclaration: this.xmlDeclaration,
      doctype: this.doctype,
      root: this.root,
      extraRoots: this.extraRoots,
      firstNonAscii: findNonAscii(text, this.bomLength, text.length),
      syntaxProblems: this.problemList?.toArray() ?? [],
    };
  }

  get bomLength(): number {
    return this.text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
  }

  /** Reads the byte-order mark and the XML declaration, and returns the offset after them. */
  readProlog(): number {
    let position = this.bomLength;
    if (startsXmlDeclaration(this.text, position)) {
      const read = readXmlDeclaration(this.context, position);
      this.xmlDeclaration = read.node;
      position = read.end;
    }
    return position;
  }

  /**
   * Continues a parse inside `root`, as if the text before `position` had opened it and closed
   * everything opened after it. The incremental checker uses this to re-parse from a point
   * where an earlier parse was in that state.
   */
  resumeInsideRoot(root: ElementNode): void {
    this.root = root;
    this.stack.push(root);
    this.openCounts.set(root.name, 1);
    this.namespaces.resumeInside(root.namespaces);
  }

  /**
   * Scans markup and text from `position` to the end of the text, then closes what is still
   * open. With `boundary`, calls it at each offset after a markup item where only the root
   * element is open, and stops there, before the end-of-text steps, when it returns true.
   * Returns the offset where it stopped, or -1 when it reached the end.
   */
  scan(start: number, boundary: ((position: number) => boolean) | undefined): number {
    const text = this.text;
    // Text runs from textStart up to the next markup. A `<` that starts no markup stays in the text.
    let position = start;
    let textStart = position;
    for (;;) {
      const lessThan = text.indexOf('<', position);
      if (lessThan === -1) {
        break;
      }
      if (!this.startsMarkup(lessThan)) {
        position = lessThan + 1;
        continue;
      }
      this.addText(textStart, lessThan);
      position = this.readSimpleElement(lessThan);
      if (position === -1) position = this.readMarkup(lessThan);
      textStart = position;
      if (boundary !== undefined && this.stack.length === 1 && this.stack[0] === this.root && boundary(position)) {
        return position;
      }
    }
    this.addText(textStart, text.length);

    while (this.stack.length > 0) {
      this.reportNotClosed(this.popElement(text.length));
    }
    if (this.root === undefined) {
      this.context.error(text.length, text.length, 'The document has no root element: add the <AcctMgmtRequests> element.');
    }
    return -1;
  }

  /** The outcome of `scan` that the incremental checker keeps per piece of the text. */
  get state(): { root: ElementNode | undefined; extraRoots: ElementNode[]; xmlDeclaration: XmlDeclaration | undefined; doctype: Span | undefined } {
    return { root: this.root, extraRoots: this.extraRoots, xmlDeclaration: this.xmlDeclaration, doctype: this.doctype };
  }

  /**
   * Returns the first DOCTYPE read since the last call, so that the incremental checker can
   * record each piece's own DOCTYPE: the document's first one may be deleted later.
   */
  takeDoctype(): Span | undefined {
    const doctype = this.recentDoctype;
    this.recentDoctype = undefined;
    return doctype;
  }

  /**
   * Returns the end of the text that the parse has read since the last call, for a piece of
   * the text that ends at `position`, and starts counting again. The parse reads no further
   * than the furthest match of a forward search (to the end of the text where one found none).
   * It also reads up to the next `<` after `position`, where a start tag cut off by the next tag
   * stopped. Everything else it reads lies before `position`.
   */
  takeReadEnd(position: number): number {
    const reach = this.context.searchReach;
    const nextLessThan = this.text.indexOf('<', position);
    const end = Math.max(reach.end, position, nextLessThan === -1 ? Infinity : nextLessThan + 1);
    reach.end = 0;
    return end;
  }

  /** Returns whether the `<` at `lessThan` starts markup, and reports it as text when it does not. */
  private startsMarkup(lessThan: number): boolean {
    const text = this.text;
    const next = text.charCodeAt(lessThan + 1);
    if (next === SLASH || next === QUESTION_MARK || startsName(text, lessThan + 1)) {
      return true;
    }
    if (next === EXCLAMATION_MARK) {
      if (text.startsWith('<!--', lessThan) || text.startsWith('<![CDATA[', lessThan) || text.startsWith('<!DOCTYPE', lessThan)) {
        return true;
      }
      this.context.error(lessThan, lessThan + 2, '"<!" must start a comment <!-- -->, a CDATA section <![CDATA[ ]]> or a DOCTYPE: complete it, or write &lt; for a literal "<".');
      return false;
    }
    this.context.error(lessThan, lessThan + 1, '"<" is not followed by a tag name: complete the tag, or write &lt; for a literal "<".');
    return false;
  }

  /**
   * Reads the element at `lessThan` with the fast reader when that is on, only the root is open
   * and the element is plain throughout. Returns the offset after it, or -1 when it read nothing.
   *
   * Only at this level: after the fast reader gives up on an element, the general reader reads
   * all of it before the next try, so no text is read by the fast reader twice.
   */
  private readSimpleElement(lessThan: number): number {
    if (this.options.simpleElements !== true || this.stack.length !== 1) return -1;
    const root = this.stack[0]!;
    return readSimpleElement(this.context, lessThan, { parent: root, namespaces: this.namespaces.currentScope, defaultNamespace: this.namespaces.defaultNamespace });
  }

  /** Reads the markup at `lessThan`, which {@link startsMarkup} accepted, and returns the offset after it. */
  private readMarkup(lessThan: number): number {
    const text = this.text;
    const next = text.charCodeAt(lessThan + 1);
    if (next === SLASH) {
      return this.readEndTag(lessThan);
    }
    if (next === QUESTION_MARK) {
      const read = readProcessingInstruction(this.context, lessThan);
      this.appendToOpenElement(read.node);
      return read.end;
    }
    if (next !== EXCLAMATION_MARK) {
      return this.readElement(lessThan);
    }

    if (text.startsWith('<!--', lessThan)) {
      const read = readComment(this.context, lessThan);
      this.appendToOpenElement(read.node);
      return read.end;
    }
    if (text.startsWith('<![CDATA[', lessThan)) {
      const read = readCdata(this.context, lessThan);
      if (!this.appendToOpenElement(read.node)) {
        this.context.error(lessThan, lessThan + 9, 'A CDATA section is not allowed outside the root element: move it inside the root element or remove it.');
      }
      return read.end;
    }

    const read = readDoctype(this.context, lessThan);
    this.doctype ??= read.node;
    this.recentDoctype ??= read.node;
    this.context.report(
      'doctype-not-allowed',
      read.node.start,
      read.node.end,
      'A DOCTYPE is not allowed in a request file: remove it. Entities that it declares are never expanded or fetched.',
    );
    if (this.root !== undefined) {
      this.context.error(lessThan, lessThan + 9, 'A DOCTYPE can only come before the root element: remove it.');
    }
    return read.end;
  }

  /** Appends a node to the innermost open element. Returns false when no element is open. */
  private appendToOpenElement(node: ChildNode): boolean {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      return false;
    }
    parent.children.push(node);
    return true;
  }

  private readElement(lessThan: number): number {
    const { element, end } = readStartTag(this.context, lessThan);
    if (!this.appendToOpenElement(element)) {
      if (this.root === undefined) {
        this.root = element;
      } else {
        this.extraRoots.push(element);
        this.context.error(
          element.nameSpan.start,
          element.nameSpan.end,
          `<${element.name}> is a second top-level element, but a document has exactly one root element <${this.root.name}>: move it inside the root element or remove it.`,
        );
      }
    }

    this.namespaces.enterElement(element);
    if (element.startTagComplete && !element.selfClosing) {
      this.stack.push(element);
      this.openCounts.set(element.name, (this.openCounts.get(element.name) ?? 0) + 1);
    } else {
      this.namespaces.leaveElement();
    }
    return end;
  }

  private readEndTag(lessThan: number): number {
    const text = this.context.text;
    const nameStart = lessThan + 2;
    const nameEnd = scanName(text, nameStart);
    const afterName = skipWhitespace(text, nameEnd);
    const closedAfterName = afterName < text.length && text.charCodeAt(afterName) === GREATER_THAN;
    // Where the `>` is not right after the name, it still ends the tag if it comes before the next `<`.
    const greaterThan = closedAfterName ? afterName : this.context.nextGreaterThan.next(nameStart);
    const closesBeforeNextTag = greaterThan !== -1 && greaterThan < this.context.lessThanOrEnd(nameStart);

    if (nameEnd === nameStart) {
      this.context.error(lessThan, nameStart, 'End tag has no name: write </Name>.');
      return closesBeforeNextTag ? greaterThan + 1 : nameStart;
    }
    const name = text.slice(nameStart, nameEnd);

    let end: number;
    if (closedAfterName) {
      end = afterName + 1;
    } else if (closesBeforeNextTag) {
      this.context.error(afterName, greaterThan, `Unexpected text in the end tag </${name}>: remove it.`);
      end = greaterThan + 1;
    } else {
      this.context.error(nameEnd, nameEnd, `End tag </${name}> is not closed: add ">" here.`);
      end = nameEnd;
    }

    this.closeElement(name, { start: nameStart, end: nameEnd }, { start: lessThan, end });
    return end;
  }

  /**
   * Closes the open element that an end tag names. Elements open inside it are closed too and
   * reported as not closed. An end tag that names no open element is reported and ignored.
   */
  private closeElement(name: string, nameSpan: Span, endTagSpan: Span): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.context.error(nameSpan.start, nameSpan.end, `End tag </${name}> has no matching start tag: remove it.`);
      return;
    }
    if ((this.openCounts.get(name) ?? 0) === 0) {
      this.context.error(
        nameSpan.start,
        nameSpan.end,
        `End tag </${name}> does not match the open element <${top.name}>: change it to </${top.name}> or remove it.`,
      );
      return;
    }
    for (;;) {
      const element = this.popElement(endTagSpan.start);
      if (element.name === name) {
        element.endTagSpan = endTagSpan;
        element.span.end = endTagSpan.end;
        return;
      }
      this.reportNotClosed(element);
    }
  }

  /** Pops the innermost open element and ends its span at `spanEnd`. The stack must not be empty. */
  private popElement(spanEnd: number): ElementNode {
    const element = this.stack.pop()!;
    this.openCounts.set(element.name, this.openCounts.get(element.name)! - 1);
    this.namespaces.leaveElement();
    element.span.end = spanEnd;
    return element;
  }

  private reportNotClosed(element: ElementNode): void {
    this.context.error(
      element.nameSpan.start,
      element.nameSpan.end,
      `Element <${element.name}> is not closed: add </${element.name}>, or end its start tag with "/>".`,
    );
  }

  /** Adds the text in [start, end) to the open element, or reports it when it is not white space outside the root. */
  private addText(start: number, end: number): void {
    if (end <= start) {
      return;
    }
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined) {
      parent.children.push({ kind: 'text', span: { start, end }, value: decodeText(this.context, start, end) });
      return;
    }
    const text = this.text;
    let first = start;
    while (first < end && isWhitespace(text.charCodeAt(first))) {
      first++;
    }
    if (first === end) {
      return;
    }
    let last = end;
    while (last > first && isWhitespace(text.charCodeAt(last - 1))) {
      last--;
    }
    this.context.error(first, last, 'Text is not allowed outside the root element: remove it, or move it inside the root element.');
  }
}
