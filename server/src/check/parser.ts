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
import { ParseContext } from './xml/context';
import { readCdata, readComment, readDoctype, readProcessingInstruction, readXmlDeclaration, startsXmlDeclaration } from './xml/markup';
import { NamespaceResolver } from './xml/namespaces';
import { decodeText } from './xml/references';
import { readStartTag } from './xml/startTag';

export { MAX_SYNTAX_PROBLEMS } from './xml/context';

const BYTE_ORDER_MARK = 0xfeff;
const EXCLAMATION_MARK = 0x21;
const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;
const GREATER_THAN = 0x3e;

/** Runs of code points outside XML 1.0's Char production. A lone surrogate counts as one such code point. */
const ILLEGAL_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+/gu;
const NON_ASCII = /[\u0080-\uFFFF]/g;

/** Parses a request file. Never throws: problems are returned in `syntaxProblems`. */
export function parseDocument(text: string): ParsedDocument {
  return new DocumentParser(text).parse();
}

class DocumentParser {
  private readonly context: ParseContext;
  private readonly namespaces: NamespaceResolver;
  private readonly stack: ElementNode[] = [];
  /** Open elements per name, so that an end tag can tell in O(1) whether its element is open further up. */
  private readonly openCounts = new Map<string, number>();
  private root: ElementNode | undefined;
  private readonly extraRoots: ElementNode[] = [];
  private xmlDeclaration: XmlDeclaration | undefined;
  private doctype: Span | undefined;

  constructor(private readonly text: string) {
    this.context = new ParseContext(text);
    this.namespaces = new NamespaceResolver(this.context);
  }

  parse(): ParsedDocument {
    const text = this.text;
    const bomLength = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
    this.reportIllegalCharacters();

    let position = bomLength;
    if (startsXmlDeclaration(text, position)) {
      const read = readXmlDeclaration(this.context, position);
      this.xmlDeclaration = read.node;
      position = read.end;
    }

    // Text runs from textStart up to the next markup. A `<` that starts no markup stays in the text.
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
      position = this.readMarkup(lessThan);
      textStart = position;
    }
    this.addText(textStart, text.length);

    while (this.stack.length > 0) {
      this.reportNotClosed(this.popElement(text.length));
    }
    if (this.root === undefined) {
      this.context.error(text.length, text.length, 'The document has no root element: add the <AcctMgmtRequests> element.');
    }

    NON_ASCII.lastIndex = bomLength;
    const nonAscii = NON_ASCII.exec(text);
    return {
      text,
      bomLength,
      xmlDeclaration: this.xmlDeclaration,
      doctype: this.doctype,
      root: this.root,
      extraRoots: this.extraRoots,
      firstNonAscii: nonAscii === null ? -1 : nonAscii.index,
      syntaxProblems: this.context.problems.toArray(),
    };
  }

  /** Reports each run of characters that XML 1.0 does not allow anywhere in a document. */
  private reportIllegalCharacters(): void {
    for (const match of this.text.matchAll(ILLEGAL_CHARACTERS)) {
      const run = match[0];
      const first = formatCodePoint(run.codePointAt(0)!);
      const count = Array.from(run).length;
      const message =
        count === 1
          ? `Character ${first} is not allowed in XML 1.0: remove it.`
          : `${count} characters starting with ${first} are not allowed in XML 1.0: remove them.`;
      this.context.error(match.index, match.index + run.length, message);
    }
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
