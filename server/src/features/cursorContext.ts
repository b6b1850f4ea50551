/**
 * Finds what the cursor is in (text, an element name, an attribute name or value) by
 * scanning the raw text. Completion needs this in documents that are half typed: a start tag
 * without `>`, a value without its closing quote, an element never closed. The tolerant
 * parser's model describes such text too, but its spans mark where the parser recovered, not
 * where the user is typing.
 */

export interface ScannedAttribute {
  name: string;
  nameStart: number;
  nameEnd: number;
  /** Raw text between the quotes; `undefined` when the attribute has no `=` yet. */
  rawValue: string | undefined;
}

export interface ScannedElement {
  name: string;
  localName: string;
  /** Offset of `<`. */
  start: number;
  attributes: ScannedAttribute[];
  parent: ScannedElement | undefined;
}

export type CursorContext =
  /** In character data. `wordStart` is where the word ending at the cursor starts. */
  | { kind: 'content'; parent: ScannedElement | undefined; wordStart: number }
  /** In the name of a start tag, or right after `<`. */
  | { kind: 'elementName'; parent: ScannedElement | undefined; nameStart: number; nameEnd: number }
  /** In a start tag where an attribute name can go, or in a partly typed attribute name. */
  | { kind: 'attributeName'; element: ScannedElement; nameStart: number; nameEnd: number; hasValue: boolean }
  /** Inside a quoted attribute value; `valueEnd` is the closing quote, or where an unclosed value stops. */
  | { kind: 'attributeValue'; element: ScannedElement; attribute: ScannedAttribute; valueStart: number; valueEnd: number; quote: string; closed: boolean }
  /** In a comment, CDATA section, processing instruction, DOCTYPE, end tag or elsewhere in a tag. */
  | { kind: 'none' };

export interface ScanResult {
  context: CursorContext;
  /** Every start tag in document order, with its parent as the scan saw it. */
  elements: ScannedElement[];
}

const NAME_STOP = /[\s<>/="']/;

function isNameChar(char: string | undefined): boolean {
  return char !== undefined && !NAME_STOP.test(char);
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}

function localNameOf(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * A place after the start of the text where a scan may start. The caller vouches that a scan from
 * the start would reach `from` with only the root element open and with no effect on the
 * result other than adding the root's descendants read before `from`. The language server
 * takes such an offset from the parsed model: the start of a child element of the root, with
 * no syntax problem between the root's start tag and there.
 */
export interface ScanStart {
  /** Qualified name of the root element, as the parser read it. */
  rootName: string;
  /** Offset just after the `>` of the root's start tag. */
  rootStartTagEnd: number;
  /** Offset of the `<` of an element child of the root, before the cursor. */
  from: number;
}

/**
 * Scans `text` from the start and returns the context at `offset` with every start tag.
 * An unfinished start tag ends at the next `<` (which no attribute value may contain) and
 * counts as an open element, as an unclosed element runs to the end of the text.
 *
 * With `start`, the scan reads the prolog and the root's start tag, then jumps to
 * `start.from`, and stops once the context is found and only the root is open again. The
 * context is the same as a full scan's; `elements` then lacks the root's descendants outside
 * the scanned part, so it still shows which elements the cursor's elements contain, but not
 * which children the root has. The scan falls back to a full scan when the prolog does not
 * read as `start` says.
 */
export function scanAt(text: string, offset: number, start?: ScanStart): ScanResult {
  const cursor = Math.max(0, Math.min(offset, text.length));
  if (start !== undefined && start.from > start.rootStartTagEnd && start.from < cursor) {
    const result = scanFrom(text, cursor, start);
    if (result !== undefined) return result;
  }
  const scanner = new Scanner(text, cursor);
  while (scanner.step());
  return { context: scanner.context ?? { kind: 'none' }, elements: scanner.elements };
}

function scanFrom(text: string, cursor: number, start: ScanStart): ScanResult | undefined {
  const scanner = new Scanner(text, cursor);
  while (scanner.index < start.rootStartTagEnd && scanner.step());
  const root = scanner.stack[0];
  const prologMatches = scanner.index === start.rootStartTagEnd && scanner.stack.length === 1 && scanner.elements.length === 1 && root?.name === start.rootName;
  if (!prologMatches || scanner.context !== undefined) return undefined;

  scanner.index = start.from;
  // Once the context is known and nothing but the root is open, no element read so far can get
  // another child, so the rest of the text cannot change what completion looks at.
  while (scanner.step()) {
    if (scanner.context !== undefined && scanner.stack.length <= 1 && (scanner.stack[0] ?? root) === root) break;
  }
  return { context: scanner.context ?? { kind: 'none' }, elements: scanner.elements };
}

class Scanner {
  readonly elements: ScannedElement[] = [];
  readonly stack: ScannedElement[] = [];
  context: CursorContext | undefined;
  /** Offset of the next character data, past the end of the text when the scan is done. */
  index = 0;

  constructor(
    private readonly text: string,
    private readonly cursor: number,
  ) {}

  /** Reads the character data at `index` and the markup item after it; returns false at the end of the text. */
  step(): boolean {
    const { text, cursor, stack } = this;
    const index = this.index;
    if (index > text.length) return false;
    const lessThan = text.indexOf('<', index);
    const contentEnd = lessThan === -1 ? text.length : lessThan;
    if (this.context === undefined && cursor >= index && cursor <= contentEnd) {
      this.context = { kind: 'content', parent: stack[stack.length - 1], wordStart: wordStartBefore(text, cursor, index) };
    }
    if (lessThan === -1) {
      this.index = text.length + 1;
      return false;
    }

    const markupEnd = skipSpecialMarkup(text, lessThan);
    if (markupEnd !== undefined) {
      if (this.context === undefined && cursor > lessThan && cursor < markupEnd) this.context = { kind: 'none' };
      this.index = markupEnd;
      return true;
    }

    if (text[lessThan + 1] === '/') {
      const end = endOfTag(text, lessThan + 2);
      if (this.context === undefined && cursor > lessThan && cursor < end) this.context = { kind: 'none' };
      closeElement(stack, text.slice(lessThan + 2, end).replace(/[\s>].*$/s, ''));
      this.index = end;
      return true;
    }

    const tag = scanStartTag(text, lessThan, stack[stack.length - 1], cursor);
    this.elements.push(tag.element);
    if (this.context === undefined && tag.context !== undefined) this.context = tag.context;
    if (!tag.selfClosing) stack.push(tag.element);
    this.index = tag.end;
    return true;
  }
}

/** Returns the end of a comment, CDATA section, processing instruction or DOCTYPE at `start`, or `undefined`. */
function skipSpecialMarkup(text: string, start: number): number | undefined {
  const terminatorOf = (opening: string, closing: string): number | undefined => {
    if (!text.startsWith(opening, start)) return undefined;
    const found = text.indexOf(closing, start + opening.length);
    return found === -1 ? text.length : found + closing.length;
  };
  const end = terminatorOf('<!--', '-->') ?? terminatorOf('<![CDATA[', ']]>') ?? terminatorOf('<?', '?>');
  if (end !== undefined) return end;
  if (text[start + 1] === '!') {
    // DOCTYPE and other declarations; an internal subset in brackets may contain '>'.
    let depth = 0;
    for (let i = start + 2; i < text.length; i += 1) {
      if (text[i] === '[') depth += 1;
      else if (text[i] === ']') depth = Math.max(0, depth - 1);
      else if (text[i] === '>' && depth === 0) return i + 1;
    }
    return text.length;
  }
  return undefined;
}

/** Returns the offset after the `>` that ends a tag, or the offset of the next `<` when it is unfinished. */
function endOfTag(text: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === '>') return i + 1;
    if (text[i] === '<') return i;
  }
  return text.length;
}

function closeElement(stack: ScannedElement[], name: string): void {
  for (let i = stack.length - 1; i >= 0; i -= 1) {
    if (stack[i]?.name === name) {
      stack.length = i;
      return;
    }
  }
}

function wordStartBefore(text: string, cursor: number, limit: number): number {
  let start = cursor;
  while (start > limit && isNameChar(text[start - 1])) start -= 1;
  return start;
}

interface StartTagScan {
  element: ScannedElement;
  selfClosing: boolean;
  end: number;
  context: CursorContext | undefined;
}

function scanStartTag(text: string, start: number, parent: ScannedElement | undefined, cursor: number): StartTagScan {
  let i = start + 1;
  while (isNameChar(text[i])) i += 1;
  const name = text.slice(start + 1, i);
  const element: ScannedElement = { name, localName: localNameOf(name), start, attributes: [], parent };
  let context: CursorContext | undefined;
  if (cursor > start && cursor <= i) context = { kind: 'elementName', parent, nameStart: start + 1, nameEnd: i };

  for (;;) {
    const spaceStart = i;
    while (isSpace(text[i])) i += 1;
    const char = text[i];
    // After white space, the cursor can start a new attribute name unless it touches an existing one.
    if (context === undefined && cursor > spaceStart && (cursor < i || (cursor === i && !isNameChar(char)))) {
      context = { kind: 'attributeName', element, nameStart: cursor, nameEnd: cursor, hasValue: false };
    }
    if (char === undefined) return { element, selfClosing: false, end: text.length, context };
    if (char === '>') return { element, selfClosing: false, end: i + 1, context };
    if (char === '<') return { element, selfClosing: false, end: i, context };
    if (char === '/' && text[i + 1] === '>') return { element, selfClosing: true, end: i + 2, context };
    if (!isNameChar(char)) {
      i += 1;
      continue;
    }

    const nameStart = i;
    while (isNameChar(text[i])) i += 1;
    const attribute: ScannedAttribute = { name: text.slice(nameStart, i), nameStart, nameEnd: i, rawValue: undefined };
    element.attributes.push(attribute);
    const afterName = skipSpaces(text, i);
    const hasValue = text[afterName] === '=';
    if (context === undefined && cursor >= nameStart && cursor <= i && isSpace(text[nameStart - 1])) {
      context = { kind: 'attributeName', element, nameStart, nameEnd: i, hasValue };
    }
    if (!hasValue) continue;

    const valueOpen = skipSpaces(text, afterName + 1);
    const quote = text[valueOpen];
    if (quote !== '"' && quote !== "'") {
      i = valueOpen;
      continue;
    }
    const valueStart = valueOpen + 1;
    const valueEnd = endOfValue(text, valueStart, quote);
    const closed = text[valueEnd] === quote;
    attribute.rawValue = text.slice(valueStart, valueEnd);
    if (context === undefined && cursor >= valueStart && cursor <= valueEnd) {
      context = { kind: 'attributeValue', element, attribute, valueStart, valueEnd, quote, closed };
    }
    i = closed ? valueEnd + 1 : valueEnd;
  }
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (isSpace(text[i])) i += 1;
  return i;
}

/** Returns the offset of the closing quote, or of the `<` or end of text where an unclosed value stops. */
function endOfValue(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i += 1) {
    const char = text[i];
    if (char === quote || char === '<') return i;
  }
  return text.length;
}
