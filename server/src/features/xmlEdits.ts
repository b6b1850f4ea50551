/** Text helpers for quick fixes: offset edits, line endings, indentation and attribute escaping. */

import { childrenAt, spanContains, type ElementNode, type ParsedDocument } from '../check/model';

/** A replacement of `[start, end)` in document offsets; converted to an LSP `TextEdit` at the end. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export function replaceSpan(span: { start: number; end: number }, newText: string): OffsetEdit {
  return { start: span.start, end: span.end, newText };
}

export function insertAt(offset: number, newText: string): OffsetEdit {
  return { start: offset, end: offset, newText };
}

/** Returns the line ending the document already uses (CRLF when its first line break is CRLF). */
export function lineEnding(text: string): string {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
}

export function lineStart(text: string, offset: number): number {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start -= 1;
  return start;
}

/** Returns the white space before `offset` on its line, or `undefined` when other text precedes it on the line. */
export function indentationBefore(text: string, offset: number): string | undefined {
  const prefix = text.slice(lineStart(text, offset), offset);
  return /^[ \t]*$/.test(prefix) ? prefix : undefined;
}

/**
 * Returns one level of indentation as the document writes it: the difference between an element's
 * indentation and its first indented child element's, else two spaces (a tab when the
 * document indents with tabs).
 */
export function indentUnit(text: string, element: ElementNode | undefined): string {
  if (element !== undefined) {
    const own = indentationBefore(text, element.span.start) ?? '';
    for (const child of element.children) {
      if (child.kind !== 'element') continue;
      const childIndent = indentationBefore(text, child.span.start);
      if (childIndent !== undefined && childIndent.length > own.length && childIndent.startsWith(own)) return childIndent.slice(own.length);
    }
  }
  return /\n\t/.test(text) ? '\t' : '  ';
}

/**
 * Escapes text for a double-quoted attribute value. Tab, CR and LF become character
 * references, because XML attribute-value normalization would turn them into spaces.
 */
export function escapeAttributeValue(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (character) => {
    switch (character) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '"':
        return '&quot;';
      default:
        return `&#${character.charCodeAt(0)};`;
    }
  });
}

/**
 * Returns the offset after the closing quote of an attribute, or after its value when unclosed.
 * The parser leaves the closing quote of an unquoted or curly-quoted value (`a=x"`, `a=“x”`)
 * outside the value, so a quote right after such a value counts as part of the attribute.
 */
export function attributeEnd(attribute: { valueSpan: { end: number }; complete: boolean }, text: string): number {
  if (attribute.complete) return attribute.valueSpan.end + 1;
  return CLOSING_QUOTES.has(text[attribute.valueSpan.end] ?? '') ? attribute.valueSpan.end + 1 : attribute.valueSpan.end;
}

const CLOSING_QUOTES: ReadonlySet<string> = new Set(['"', "'", '\u201c', '\u201d', '\u2018', '\u2019']);

/** Returns the start of the white space before `offset` on the same line, for deleting an attribute with its separator. */
export function startOfSpaceBefore(text: string, offset: number): number {
  let start = offset;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start -= 1;
  if (start === offset) {
    while (start > 0 && (text[start - 1] === '\n' || text[start - 1] === '\r')) start -= 1;
  }
  return start;
}

/**
 * Maps the elements that contain `offset` to their parents, since the model links only
 * downwards: the root, and each element below it whose span contains the offset. Only children
 * around the offset are read, because the children of a request in a large file are parsed
 * again when read, and a quick fix request may carry a thousand diagnostics.
 */
export function parentMap(parsed: ParsedDocument, offset: number): Map<ElementNode, ElementNode | undefined> {
  const parents = new Map<ElementNode, ElementNode | undefined>();
  const pending: { element: ElementNode; parent: ElementNode | undefined }[] = [];
  if (parsed.root !== undefined) pending.push({ element: parsed.root, parent: undefined });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    parents.set(next.element, next.parent);
    if (!spanContains(next.element.span, offset)) continue;
    for (const child of childrenAt(next.element, offset)) {
      if (child.kind === 'element') pending.push({ element: child, parent: next.element });
    }
  }
  return parents;
}

/** Levenshtein distance, for ranking likely typos of ids and attribute names. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
