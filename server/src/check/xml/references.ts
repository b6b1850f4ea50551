/**
 * Decoding of character data and attribute values: the five predefined entities, character
 * references, and attribute-value normalization. No other entity is ever expanded.
 *
 * Messages about attribute values never quote the value or an entity name inside it,
 * because an attribute value may be a security answer.
 */

import type { ParseContext } from './context';
import { formatCodePoint, isXmlChar, scanName } from './chars';

const PREDEFINED_ENTITIES = new Map<string, string>([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

const AMPERSAND = 0x26;
const SEMICOLON = 0x3b;
const NUMBER_SIGN = 0x23;
const LOWER_X = 0x78;
const LESS_THAN = 0x3c;
const RIGHT_BRACKET = 0x5d;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

interface Reference {
  replacement: string;
  end: number;
}

function digitValue(code: number, hexadecimal: boolean): number {
  if (code >= 0x30 && code <= 0x39) {
    return code - 0x30;
  }
  if (hexadecimal) {
    if (code >= 0x61 && code <= 0x66) {
      return code - 0x61 + 10;
    }
    if (code >= 0x41 && code <= 0x46) {
      return code - 0x41 + 10;
    }
  }
  return -1;
}

/**
 * Reads the reference that starts with the `&` at `ampersand` and ends before `limit`, and
 * reports it when it is malformed, illegal or undefined. Such a reference stays in the
 * decoded text as written.
 *
 * @param attributeName the attribute whose value contains the reference, or undefined in text
 */
function readReference(context: ParseContext, ampersand: number, limit: number, attributeName: string | undefined): Reference {
  const text = context.text;
  const where = attributeName === undefined ? '' : ` in the value of "${attributeName}"`;
  let p = ampersand + 1;

  if (p < limit && text.charCodeAt(p) === NUMBER_SIGN) {
    p++;
    const hexadecimal = p < limit && text.charCodeAt(p) === LOWER_X;
    if (hexadecimal) {
      p++;
    }
    const digitsStart = p;
    let codePoint = 0;
    while (p < limit) {
      const digit = digitValue(text.charCodeAt(p), hexadecimal);
      if (digit < 0) {
        break;
      }
      // Stop accumulating once out of Unicode range, so that a long digit run cannot overflow.
      if (codePoint <= 0x10ffff) {
        codePoint = codePoint * (hexadecimal ? 16 : 10) + digit;
      }
      p++;
    }
    if (p === digitsStart || p >= limit || text.charCodeAt(p) !== SEMICOLON) {
      context.error(
        ampersand,
        p,
        `Character reference${where} is not complete: write &#NNNN; (decimal) or &#xHHHH; (hexadecimal).`,
      );
      return { replacement: text.slice(ampersand, p), end: p };
    }
    p++;
    if (!isXmlChar(codePoint)) {
      const target = codePoint > 0x10ffff ? 'a number above U+10FFFF' : formatCodePoint(codePoint);
      context.error(ampersand, p, `Character reference${where} refers to ${target}, which XML 1.0 does not allow: remove it.`);
      return { replacement: text.slice(ampersand, p), end: p };
    }
    return { replacement: String.fromCodePoint(codePoint), end: p };
  }

  const nameEnd = Math.min(scanName(text, p), limit);
  if (nameEnd === p) {
    context.error(ampersand, ampersand + 1, `A literal &${where} must be written as &amp;.`);
    return { replacement: '&', end: ampersand + 1 };
  }
  if (nameEnd >= limit || text.charCodeAt(nameEnd) !== SEMICOLON) {
    context.error(
      ampersand,
      nameEnd,
      `Entity reference${where} has no closing ";": end it with ";", or write a literal & as &amp;.`,
    );
    return { replacement: text.slice(ampersand, nameEnd), end: nameEnd };
  }
  const name = text.slice(p, nameEnd);
  const end = nameEnd + 1;
  const predefined = PREDEFINED_ENTITIES.get(name);
  if (predefined !== undefined) {
    return { replacement: predefined, end };
  }
  const subject = attributeName === undefined ? `Entity &${name};` : `An entity reference in the value of "${attributeName}"`;
  context.report(
    'entity-undefined',
    ampersand,
    end,
    `${subject} is not defined: XML predefines only &lt; &gt; &amp; &quot; &apos;, so write the character itself or a character reference such as &#233;.`,
  );
  return { replacement: text.slice(ampersand, end), end };
}

/**
 * Decodes the attribute value `rawValue`, which starts at offset `start` of the text.
 * References are replaced, and a literal tab, line feed or carriage return becomes a space,
 * CRLF counting as one line break. Character references are not normalized, so `&#10;` stays
 * a line feed. A value that needs no change is returned as the same string.
 */
export function decodeAttributeValue(context: ParseContext, rawValue: string, start: number, attributeName: string): string {
  const text = context.text;
  const end = start + rawValue.length;
  let decoded = '';
  let runStart = start;
  let p = start;
  while (p < end) {
    const code = text.charCodeAt(p);
    if (code === AMPERSAND) {
      decoded += text.slice(runStart, p);
      const reference = readReference(context, p, end, attributeName);
      decoded += reference.replacement;
      p = reference.end;
      runStart = p;
    } else if (code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN) {
      decoded += text.slice(runStart, p) + ' ';
      p += code === CARRIAGE_RETURN && p + 1 < end && text.charCodeAt(p + 1) === LINE_FEED ? 2 : 1;
      runStart = p;
    } else {
      if (code === LESS_THAN) {
        context.error(p, p + 1, `"<" is not allowed in the value of "${attributeName}": write &lt; instead.`);
      }
      p++;
    }
  }
  return runStart === start ? rawValue : decoded + text.slice(runStart, end);
}

/** Length up to which a text without references is stored once per parse, as names are. */
const SHARED_TEXT_LENGTH = 32;

/**
 * Decodes the character data in [start, end) of the text: references are replaced, and CRLF
 * or a lone CR becomes a line feed as XML's end-of-line handling requires.
 */
export function decodeText(context: ParseContext, start: number, end: number): string {
  const text = context.text;
  let decoded = '';
  let runStart = start;
  let p = start;
  while (p < end) {
    const code = text.charCodeAt(p);
    if (code === AMPERSAND) {
      decoded += text.slice(runStart, p);
      const reference = readReference(context, p, end, undefined);
      decoded += reference.replacement;
      p = reference.end;
      runStart = p;
    } else if (code === CARRIAGE_RETURN) {
      decoded += text.slice(runStart, p) + '\n';
      p += p + 1 < end && text.charCodeAt(p + 1) === LINE_FEED ? 2 : 1;
      runStart = p;
    } else if (code === RIGHT_BRACKET && p + 3 <= end && text.startsWith(']]>', p)) {
      context.error(p, p + 3, '"]]>" is not allowed in text: write ]]&gt; instead.');
      p += 3;
    } else {
      p++;
    }
  }
  // Short texts without references, such as the line breaks and indentation between elements,
  // repeat thousands of times in a batch file: they share one stored string each.
  if (runStart === start && end > start && end - start <= SHARED_TEXT_LENGTH) return context.internAt(start, end);
  return decoded + text.slice(runStart, end);
}
