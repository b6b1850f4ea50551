/**
 * Markup other than elements: the XML declaration, processing instructions, comments, CDATA
 * sections and the DOCTYPE.
 *
 * An unterminated comment, CDATA section or processing instruction ends before the next `<`,
 * so that the markup after it still parses while the user is typing.
 */

import type { CommentNode, Span, TextNode, XmlDeclaration } from '../model';
import type { ParseContext } from './context';
import { isWhitespace, scanName, skipWhitespace } from './chars';

const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const EQUALS = 0x3d;
const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const LEFT_BRACKET = 0x5b;
const RIGHT_BRACKET = 0x5d;

const VERSION_NUMBER = /^1\.[0-9]+$/;
const ENCODING_NAME = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** The pseudo-attributes of the XML declaration in their required order. */
const DECLARATION_ORDER = ['version', 'encoding', 'standalone'];

export interface MarkupRead<T> {
  node: T;
  end: number;
}

/**
 * Returns whether the text at `position` starts an XML declaration: `<?xml` followed by white
 * space, `?` or the end of the text (a declaration being typed).
 */
export function startsXmlDeclaration(text: string, position: number): boolean {
  if (!text.startsWith('<?xml', position)) {
    return false;
  }
  const next = position + 5;
  return next === text.length || isWhitespace(text.charCodeAt(next)) || text.charCodeAt(next) === 0x3f;
}

/** Reads the XML declaration at `start`, for which {@link startsXmlDeclaration} holds. */
export function readXmlDeclaration(context: ParseContext, start: number): MarkupRead<XmlDeclaration> {
  const text = context.text;
  let p = start + 5;
  const close = context.nextProcessingInstructionEnd.next(p);
  const lessThan = context.lessThanOrEnd(p);
  const closed = close !== -1 && close < lessThan;
  const limit = closed ? close : lessThan;

  const declaration: XmlDeclaration = { span: { start, end: limit }, version: undefined, encoding: undefined, standalone: undefined };
  let lastRank = -1;
  let tokenEnd = p;
  // Set when `version` is written at all, so that a malformed version is not also reported as missing.
  let versionWritten = false;

  for (;;) {
    const whitespaceStart = p;
    p = skipWhitespace(text, p);
    if (p >= limit) {
      break;
    }
    const nameStart = p;
    const nameEnd = Math.min(scanName(text, nameStart), limit);
    if (nameEnd === nameStart) {
      context.error(p, limit, 'Unexpected text in the XML declaration: write <?xml version="1.0" encoding="UTF-8"?>.');
      tokenEnd = limit;
      break;
    }
    const name = text.slice(nameStart, nameEnd);
    versionWritten ||= name === 'version';
    if (nameStart === whitespaceStart) {
      context.error(nameStart, nameEnd, `Add white space before "${name}" in the XML declaration.`);
    }

    let q = skipWhitespace(text, nameEnd);
    if (q >= limit || text.charCodeAt(q) !== EQUALS) {
      context.error(nameStart, nameEnd, `"${name}" in the XML declaration has no value: write ${name}="...".`);
      p = nameEnd;
      tokenEnd = p;
      continue;
    }
    q = skipWhitespace(text, q + 1);
    const quote = q < limit ? text.charCodeAt(q) : -1;
    if (quote !== DOUBLE_QUOTE && quote !== SINGLE_QUOTE) {
      context.error(nameStart, nameEnd, `The value of "${name}" in the XML declaration must be quoted: write ${name}="...".`);
      p = q;
      while (p < limit && !isWhitespace(text.charCodeAt(p))) {
        p++;
      }
      tokenEnd = p;
      continue;
    }
    const closeQuote = text.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", q + 1);
    if (closeQuote === -1 || closeQuote >= limit) {
      context.error(q, q + 1, `The value of "${name}" in the XML declaration is not closed: add the closing quote.`);
      tokenEnd = limit;
      break;
    }
    const valueSpan: Span = { start: q + 1, end: closeQuote };
    const value = text.slice(valueSpan.start, valueSpan.end);
    p = closeQuote + 1;
    tokenEnd = p;

    const rank = DECLARATION_ORDER.indexOf(name);
    if (rank === -1) {
      context.error(nameStart, nameEnd, `"${name}" is not allowed in the XML declaration: use only version, encoding and standalone.`);
      continue;
    }
    if (rank <= lastRank) {
      context.error(nameStart, nameEnd, `"${name}" in the XML declaration is repeated or out of order: write version, then encoding, then standalone.`);
    }
    lastRank = Math.max(lastRank, rank);
    recordDeclarationValue(context, declaration, name, value, valueSpan);
  }

  if (!versionWritten) {
    context.error(start, start + 5, 'The XML declaration has no version: write <?xml version="1.0" encoding="UTF-8"?>.');
  }
  let end: number;
  if (closed) {
    end = close + 2;
  } else {
    end = tokenEnd;
    context.error(tokenEnd, tokenEnd, 'The XML declaration is not closed: add "?>" here.');
  }
  declaration.span.end = end;
  return { node: declaration, end };
}

function recordDeclarationValue(context: ParseContext, declaration: XmlDeclaration, name: string, value: string, valueSpan: Span): void {
  if (name === 'version') {
    declaration.version = value;
    if (!VERSION_NUMBER.test(value)) {
      context.error(valueSpan.start, valueSpan.end, `XML version "${value}" is not valid: write version="1.0".`);
    }
  } else if (name === 'encoding') {
    declaration.encoding = { value, span: valueSpan };
    if (!ENCODING_NAME.test(value)) {
      context.error(valueSpan.start, valueSpan.end, `Encoding name "${value}" is not valid: write encoding="UTF-8".`);
    }
  } else {
    declaration.standalone = value;
    if (value !== 'yes' && value !== 'no') {
      context.error(valueSpan.start, valueSpan.end, `standalone "${value}" is not valid: write standalone="yes" or standalone="no".`);
    }
  }
}

/** Reads the processing instruction at `lessThan` (`<?`), which is not the XML declaration at the start. */
export function readProcessingInstruction(context: ParseContext, lessThan: number): MarkupRead<CommentNode> {
  const text = context.text;
  const targetStart = lessThan + 2;
  const targetEnd = scanName(text, targetStart);
  const close = context.nextProcessingInstructionEnd.next(targetStart);

  if (targetEnd === targetStart) {
    context.error(lessThan, targetStart, 'A processing instruction needs a target name: write <?target ...?>.');
  } else {
    const target = text.slice(targetStart, targetEnd);
    if (target === 'xml') {
      context.error(lessThan, targetEnd, 'The XML declaration must be at the very start of the file, with only a byte-order mark before it: move it there or remove it.');
    } else if (target.toLowerCase() === 'xml') {
      context.error(targetStart, targetEnd, `Processing instruction target "${target}" is reserved by XML: write the declaration as <?xml ...?> or use another target.`);
    }
  }

  let end: number;
  if (close === -1) {
    end = context.lessThanOrEnd(targetStart);
    context.error(lessThan, targetStart, 'Processing instruction is not closed: add "?>" at its end.');
  } else {
    end = close + 2;
    if (targetEnd > targetStart && close !== targetEnd && !isWhitespace(text.charCodeAt(targetEnd))) {
      context.error(targetEnd, targetEnd + 1, 'Add white space between the processing instruction target and its content.');
    }
  }
  return { node: { kind: 'processing-instruction', span: { start: lessThan, end } }, end };
}

/** Reads the comment at `lessThan` (`<!--`). */
export function readComment(context: ParseContext, lessThan: number): MarkupRead<CommentNode> {
  const contentStart = lessThan + 4;
  const close = context.nextCommentEnd.next(contentStart);
  let end: number;
  if (close === -1) {
    end = context.lessThanOrEnd(contentStart);
    context.error(lessThan, contentStart, 'Comment is not closed: add "-->" at its end.');
  } else {
    end = close + 3;
    const doubleHyphen = context.nextDoubleHyphen.next(contentStart);
    if (doubleHyphen !== -1 && doubleHyphen < close) {
      context.error(doubleHyphen, doubleHyphen + 2, '"--" is not allowed inside a comment: remove it or separate the hyphens.');
    }
  }
  return { node: { kind: 'comment', span: { start: lessThan, end } }, end };
}

/** Reads the CDATA section at `lessThan` (`<![CDATA[`). */
export function readCdata(context: ParseContext, lessThan: number): MarkupRead<TextNode> {
  const text = context.text;
  const contentStart = lessThan + 9;
  const close = context.nextCdataEnd.next(contentStart);
  let contentEnd: number;
  let end: number;
  if (close === -1) {
    contentEnd = end = context.lessThanOrEnd(contentStart);
    context.error(lessThan, contentStart, 'CDATA section is not closed: add "]]>" at its end.');
  } else {
    contentEnd = close;
    end = close + 3;
  }
  let value = text.slice(contentStart, contentEnd);
  if (value.includes('\r')) {
    value = value.replace(/\r\n?/g, '\n');
  }
  return { node: { kind: 'cdata', span: { start: lessThan, end }, value }, end };
}

/**
 * Reads the DOCTYPE at `lessThan` (`<!DOCTYPE`) and returns its span. Nothing inside it is
 * processed: it is skipped with its quoted strings, comments and internal subset.
 */
export function readDoctype(context: ParseContext, lessThan: number): MarkupRead<Span> {
  const text = context.text;
  let p = lessThan + 9;
  let inInternalSubset = false;
  let closed = false;
  while (p < text.length) {
    const code = text.charCodeAt(p);
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      const closeQuote = text.indexOf(code === DOUBLE_QUOTE ? '"' : "'", p + 1);
      p = closeQuote === -1 ? text.length : closeQuote + 1;
    } else if (code === LESS_THAN && text.startsWith('<!--', p)) {
      const commentEnd = text.indexOf('-->', p + 4);
      p = commentEnd === -1 ? text.length : commentEnd + 3;
    } else if (code === LEFT_BRACKET && !inInternalSubset) {
      inInternalSubset = true;
      p++;
    } else if (code === RIGHT_BRACKET && inInternalSubset) {
      inInternalSubset = false;
      p++;
    } else if (code === GREATER_THAN && !inInternalSubset) {
      closed = true;
      p++;
      break;
    } else {
      p++;
    }
  }
  if (!closed) {
    context.error(lessThan, lessThan + 9, 'DOCTYPE is not closed: add ">" at its end (and "]" before it if it has an internal subset).');
  }
  return { node: { start: lessThan, end: p }, end: p };
}
