/** Small helpers that several rules use to read attribute values. */

import type { AttributeNode } from '../model';
import type { DetailInfo } from '../requests';

/** True for the ASCII characters that `String.prototype.trim` and `\s` treat as white space: tab, LF, VT, FF, CR and space. */
export function isAsciiWhiteSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** True when the value is empty or white space only (any white space that `String.prototype.trim` removes). */
export function isBlank(value: string): boolean {
  // Char codes instead of `trim`, because this runs on every attribute value, and most values
  // are decided by their first character.
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (isAsciiWhiteSpace(code)) {
      continue;
    }
    if (code < 0xa0) {
      return false;
    }
    // Unicode white space outside ASCII is rare, so `trim` decides for such values.
    return value.trim() === '';
  }
  return true;
}

/** Returns the attribute when it has a non-blank value, else `undefined`, because the empty-value rule reports blank values. */
export function presentValue(attribute: AttributeNode | undefined): AttributeNode | undefined {
  return attribute !== undefined && !isBlank(attribute.value) ? attribute : undefined;
}

export function countCodePoints(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        index++;
      }
    }
    count++;
  }
  return count;
}

/** UTF-8 length of the text. A lone surrogate counts 3 bytes, as the U+FFFD that encoders write for it. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    if (codePoint < 0x80) {
      bytes += 1;
    } else if (codePoint < 0x800) {
      bytes += 2;
    } else if (codePoint < 0x10000) {
      bytes += 3;
    } else {
      bytes += 4;
    }
  }
  return bytes;
}

export const DECIMAL_INTEGER = /^[0-9]+$/;

/** Same test as `DECIMAL_INTEGER`, as a loop over char codes for the rules that run on every value. */
export function isDecimalInteger(value: string): boolean {
  if (value.length === 0) {
    return false;
  }
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x30 || code > 0x39) {
      return false;
    }
  }
  return true;
}

/**
 * Names an answer without showing it: "the answer of question 9161083", or by position
 * ("the answer of Details 2") when the question id is missing, blank or not a decimal
 * integer. Such a question value may itself be an answer typed in the wrong attribute.
 */
export function describeAnswer(detail: DetailInfo, index: number): string {
  const id = presentValue(detail.question)?.value.trim();
  return id !== undefined && isDecimalInteger(id) ? `the answer of question ${id}` : `the answer of Details ${index + 1}`;
}

/**
 * Maximum number of Details for which a rule first looks for a repeated value pair by pair,
 * which is faster than building maps. IBKR requires 3 Details per request.
 */
export const PAIRWISE_LIMIT = 8;

/** Returns e.g. "1 character" or "2 characters". */
export function countNoun(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Upper-cases the first letter, for a sentence that starts with `describeAnswer`. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
