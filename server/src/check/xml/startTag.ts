/**
 * Start tags and their attributes, with the recovery that keeps a half-typed tag from
 * swallowing the lines after it.
 */

import type { AttributeNode, ElementNode } from '../model';
import type { ParseContext } from './context';
import { isNameStartChar, isWhitespace, scanName, skipWhitespace, startsName } from './chars';
import { decodeAttributeValue } from './references';
import { detach } from './strings';

const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const SLASH = 0x2f;
const LESS_THAN = 0x3c;
const EQUALS = 0x3d;
const GREATER_THAN = 0x3e;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** “ ” ‘ ’: typed by word processors and smart keyboards in place of " and '. */
const CURLY_QUOTES: ReadonlySet<number> = new Set([0x201c, 0x201d, 0x2018, 0x2019]);

/** Placeholder until the namespace resolver sets the element's scope. */
const NO_NAMESPACES: ReadonlyMap<string, string> = new Map();

/** Attribute count above which duplicate names are found with a set instead of a linear scan. */
const LINEAR_DUPLICATE_SCAN_LIMIT = 8;

export interface StartTag {
  element: ElementNode;
  /** Offset where scanning continues: after `>`, or where the broken tag ended. */
  end: number;
}

interface AttributeRead {
  attribute: AttributeNode;
  end: number;
  /** True when the value ran into a `<` or the end of the text before its closing quote. */
  brokenValue: boolean;
}

/** Number of qualified names whose prefix and local name are kept, so that each distinct name is split once. */
const MAX_SPLIT_NAMES = 1024;

const splitNames = new Map<string, { prefix: string | undefined; localName: string }>();

/** Splits `prefix:localName`. A name without a colon, or with one at either end, has no prefix. */
export function splitQualifiedName(name: string): { prefix: string | undefined; localName: string } {
  const colon = name.indexOf(':');
  if (colon <= 0 || colon === name.length - 1) return { prefix: undefined, localName: name };
  return { prefix: name.slice(0, colon), localName: name.slice(colon + 1) };
}

/** Like `splitQualifiedName`, with the result of each distinct name kept, its strings detached from the text. */
function splitKnownName(name: string): { prefix: string | undefined; localName: string } {
  const known = splitNames.get(name);
  if (known !== undefined) return known;
  const detached = detach(name);
  const split = Object.freeze(splitQualifiedName(detached));
  if (splitNames.size < MAX_SPLIT_NAMES) splitNames.set(detached, split);
  return split;
}

/**
 * Reports a name that is an XML Name but not a QName of Namespaces in XML: a name with more
 * than one colon, or a colon at either end or before a character that cannot start a name.
 */
export function checkQualifiedName(context: ParseContext, name: string, start: number, nameKind: 'Element' | 'Attribute'): void {
  const colon = name.indexOf(':');
  if (colon === -1) {
    return;
  }
  const localStart = name.codePointAt(colon + 1);
  const valid =
    colon > 0 &&
    localStart !== undefined &&
    localStart !== 0x3a &&
    isNameStartChar(localStart) &&
    name.indexOf(':', colon + 1) === -1;
  if (!valid) {
    context.error(
      start,
      start + name.length,
      `${nameKind} name "${name}" is not a valid qualified name: use at most one colon, with a name on each side (prefix:localName).`,
    );
  }
}

/**
 * Reads the start tag at `lessThan`, whose `<` the caller has checked to be followed by a name.
 *
 * A tag can break off at a `<` or at the end of the text. It is then reported where its `>`
 * is missing and keeps the attributes read so far. It becomes an empty element, so that the
 * elements after it stay its siblings.
 */
export function readStartTag(context: ParseContext, lessThan: number): StartTag {
  const text = context.text;
  const nameStart = lessThan + 1;
  const nameEnd = scanName(text, nameStart);
  const name = context.internAt(nameStart, nameEnd);
  checkQualifiedName(context, name, nameStart, 'Element');

  const attributes: AttributeNode[] = [];
  let attributeNames: Set<string> | undefined;
  let p = nameEnd;
  // End of the last token read: where a missing `>` belongs.
  let tokenEnd = nameEnd;
  let complete = false;
  let selfClosing = false;
  let pendingSlash = false;
  let previousWasAttribute = false;

  for (;;) {
    const whitespaceStart = p;
    p = skipWhitespace(text, p);
    if (p >= text.length) {
      break;
    }
    const code = text.charCodeAt(p);

    if (code === GREATER_THAN) {
      complete = true;
      selfClosing = pendingSlash;
      p++;
      break;
    }
    if (code === LESS_THAN) {
      break;
    }
    if (code === SLASH) {
      if (text.charCodeAt(p + 1) === GREATER_THAN) {
        complete = true;
        selfClosing = true;
        p += 2;
        break;
      }
      context.error(p, p + 1, `In the start tag of <${name}>, "/" must be directly followed by ">": write "/>" to end an empty element.`);
      pendingSlash = true;
      p++;
      tokenEnd = p;
      previousWasAttribute = false;
      continue;
    }
    pendingSlash = false;

    if (startsName(text, p)) {
      const previous = attributes[attributes.length - 1];
      if (previousWasAttribute && previous !== undefined && p === whitespaceStart) {
        // A name glued to a quoted value is either a missing space (`a="1"b="2"`) or the
        // rest of a value that contains a quote (`answer="The "Big" Dog"`). Only the first
        // is read as an attribute. The second may be part of a secret, so it is never named.
        if (!isFollowedByEquals(text, p)) {
          const junkEnd = skipToTagEnd(context, p);
          let reportEnd = junkEnd;
          while (reportEnd > p && isWhitespace(text.charCodeAt(reportEnd - 1))) {
            reportEnd--;
          }
          context.error(p, reportEnd, `Unexpected text after the value of "${previous.name}": write a quote inside a value as &quot; or &apos;.`);
          p = junkEnd;
          tokenEnd = p;
          previousWasAttribute = false;
          continue;
        }
        context.error(p, scanName(text, p), `Add white space between the value of "${previous.name}" and the attribute after it.`);
      }
      const read = readAttribute(context, p, name);
      const attribute = read.attribute;

      let duplicate: boolean;
      if (attributeNames !== undefined) {
        duplicate = attributeNames.has(attribute.name);
        attributeNames.add(attribute.name);
      } else {
        duplicate = false;
        for (const other of attributes) {
          duplicate ||= other.name === attribute.name;
        }
        if (attributes.length >= LINEAR_DUPLICATE_SCAN_LIMIT) {
          attributeNames = new Set(attributes.map((other) => other.name));
          attributeNames.add(attribute.name);
        }
      }
      if (duplicate) {
        context.error(attribute.nameSpan.start, attribute.nameSpan.end, `Attribute "${attribute.name}" is repeated in <${name}>: remove one of them.`);
      }

      attributes.push(attribute);
      p = read.end;
      tokenEnd = p;
      previousWasAttribute = true;
      if (read.brokenValue) {
        break;
      }
      continue;
    }

    const junkEnd = skipJunk(context, p);
    context.error(p, junkEnd, `Unexpected text in the start tag of <${name}>: write attributes as name="value".`);
    p = junkEnd;
    tokenEnd = p;
    previousWasAttribute = false;
  }

  const tagEnd = complete ? p : tokenEnd;
  if (!complete) {
    context.error(tokenEnd, tokenEnd, `Start tag of <${name}> is not closed: add ">" here, or "/>" for an empty element.`);
  }
  const { prefix, localName } = splitKnownName(name);
  const element: ElementNode = {
    kind: 'element',
    name,
    prefix,
    localName,
    namespaceURI: null,
    span: { start: lessThan, end: tagEnd },
    nameSpan: { start: nameStart, end: nameEnd },
    startTagSpan: { start: lessThan, end: tagEnd },
    startTagComplete: complete,
    selfClosing,
    endTagSpan: undefined,
    // An exact-size copy: a grown array keeps spare capacity, and a model keeps many of them.
    attributes: attributes.length === 0 ? [] : attributes.slice(),
    children: [],
    namespaces: NO_NAMESPACES,
  };
  return { element, end: tagEnd };
}

/**
 * Returns the end of a run of text in a start tag that cannot start an attribute. A quoted
 * string in the run is skipped whole when it closes before the next `<`.
 */
function skipJunk(context: ParseContext, start: number): number {
  const text = context.text;
  let p = start;
  while (p < text.length) {
    const code = text.charCodeAt(p);
    if (isWhitespace(code) || code === GREATER_THAN || code === SLASH || code === LESS_THAN) {
      break;
    }
    if (p > start && startsName(text, p)) {
      break;
    }
    if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      p = skipQuoted(context, p);
      continue;
    }
    // A surrogate pair is one character. A lone high surrogate is one code unit, so that the
    // `<` or quote after it still ends the run.
    const next = text.charCodeAt(p + 1);
    p += code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return p;
}

/** Returns whether the name at `nameStart` is followed by `=`, white space allowed before it. */
function isFollowedByEquals(text: string, nameStart: number): boolean {
  const afterName = skipWhitespace(text, scanName(text, nameStart));
  return afterName < text.length && text.charCodeAt(afterName) === EQUALS;
}

/**
 * Returns the offset of the `>`, `/>` or `<` that ends the start tag containing `start`.
 * Quoted strings are skipped whole when they close before the next `<`.
 */
function skipToTagEnd(context: ParseContext, start: number): number {
  const text = context.text;
  let p = start;
  while (p < text.length) {
    const code = text.charCodeAt(p);
    if (code === GREATER_THAN || code === LESS_THAN || (code === SLASH && text.charCodeAt(p + 1) === GREATER_THAN)) {
      break;
    }
    p = code === DOUBLE_QUOTE || code === SINGLE_QUOTE ? skipQuoted(context, p) : p + 1;
  }
  return p;
}

/** Returns the offset after the quoted string at `quote` when it closes before the next `<`, else after the quote. */
function skipQuoted(context: ParseContext, quote: number): number {
  const search = context.text.charCodeAt(quote) === DOUBLE_QUOTE ? context.nextDoubleQuote : context.nextSingleQuote;
  const close = search.next(quote + 1);
  return close !== -1 && close < context.lessThanOrEnd(quote + 1) ? close + 1 : quote + 1;
}

/** Reads the attribute whose name starts at `nameStart`. */
function readAttribute(context: ParseContext, nameStart: number, elementName: string): AttributeRead {
  const text = context.text;
  const nameEnd = scanName(text, nameStart);
  const name = context.internAt(nameStart, nameEnd);
  checkQualifiedName(context, name, nameStart, 'Attribute');

  // Without a value, the value span is empty: at the end of the name when `=` is missing,
  // after `=` and white space when the value is.
  let valueStart = nameEnd;
  let valueEnd = nameEnd;
  let complete = false;
  let brokenValue = false;
  let end: number;

  let p = skipWhitespace(text, nameEnd);
  const code = p < text.length ? text.charCodeAt(p) : -1;
  if (code !== EQUALS) {
    context.error(nameStart, nameEnd, `Attribute "${name}" of <${elementName}> has no value: write ${name}="...".`);
    end = nameEnd;
  } else {
    const equals = p;
    p = skipWhitespace(text, equals + 1);
    const valueCode = p < text.length ? text.charCodeAt(p) : -1;
    if (valueCode === DOUBLE_QUOTE || valueCode === SINGLE_QUOTE) {
      const quoted = findQuotedValue(context, p, name);
      valueStart = p + 1;
      valueEnd = quoted.valueEnd;
      complete = quoted.complete;
      brokenValue = !quoted.complete;
      end = quoted.complete ? valueEnd + 1 : valueEnd;
    } else if (endsUnquotedValue(text, p)) {
      context.error(nameStart, nameEnd, `Attribute "${name}" of <${elementName}> has no value after "=": write ${name}="...".`);
      valueStart = valueEnd = p;
      end = equals + 1;
    } else {
      // An unquoted value, or one in curly quotes. The message never quotes the value: it may
      // be a secret answer.
      const curly = CURLY_QUOTES.has(valueCode);
      const runEnd = unquotedValueEnd(text, curly ? p + 1 : p);
      // A trailing quote is the closing quote of a value whose opening quote is missing or curly.
      const lastCode = runEnd > p + (curly ? 1 : 0) ? text.charCodeAt(runEnd - 1) : -1;
      const closed = CURLY_QUOTES.has(lastCode) || lastCode === DOUBLE_QUOTE || lastCode === SINGLE_QUOTE;
      valueStart = curly ? p + 1 : p;
      valueEnd = closed ? runEnd - 1 : runEnd;
      const advice = curly ? 'curly quotes (“ ” ‘ ’) are not XML quotes, so use straight double quotes' : 'put it in double quotes';
      context.error(p, runEnd, `The value of ${name} is not in quotes: ${advice}, as in ${name}="…".`);
      end = runEnd;
    }
  }

  const { prefix, localName } = splitKnownName(name);
  const rawValue = text.slice(valueStart, valueEnd);
  const attribute: AttributeNode = {
    name,
    prefix,
    localName,
    namespaceURI: null,
    nameSpan: { start: nameStart, end: nameEnd },
    valueSpan: { start: valueStart, end: valueEnd },
    rawValue,
    value: decodeAttributeValue(context, rawValue, valueStart, name),
    complete,
  };
  return { attribute, end, brokenValue };
}

/**
 * Returns the end of an unquoted value that starts at `start`. A value typed without quotes
 * often contains spaces (`answer=Rexy Fluffy Spot`), and reading its words as attribute names
 * would put them in messages. So the value runs on over spaces up to the next `name=`, `>`,
 * `/>`, `<` or the end of the line, without the white space at its end.
 */
function unquotedValueEnd(text: string, start: number): number {
  let p = start;
  let end = start;
  while (p < text.length) {
    const code = text.charCodeAt(p);
    if (code === LINE_FEED || code === CARRIAGE_RETURN || code === GREATER_THAN || code === LESS_THAN || (code === SLASH && text.charCodeAt(p + 1) === GREATER_THAN)) {
      break;
    }
    if (isWhitespace(code)) {
      let next = p + 1;
      while (next < text.length && (text.charCodeAt(next) === 0x20 || text.charCodeAt(next) === 0x09)) {
        next++;
      }
      if (startsName(text, next) && isFollowedByEquals(text, next)) {
        break;
      }
      p = next;
      continue;
    }
    p++;
    end = p;
  }
  return end;
}

/** Returns whether an unquoted attribute value ends at `position`: at white space, `>`, `/>`, `<` or the end of the text. */
function endsUnquotedValue(text: string, position: number): boolean {
  if (position >= text.length) {
    return true;
  }
  const code = text.charCodeAt(position);
  return isWhitespace(code) || code === GREATER_THAN || code === LESS_THAN || (code === SLASH && text.charCodeAt(position + 1) === GREATER_THAN);
}

/**
 * Finds the end of the quoted value whose opening quote is at `quote`, and reports it when
 * it is not closed.
 *
 * The value ends at the next matching quote unless a `<` comes first. A `<` inside a value
 * that closes on the same line is kept (and reported while decoding). Otherwise the value is
 * unfinished: it is cut at the end of its first line (or at the `<`, if that comes sooner),
 * because mid-edit the user is typing there and the following lines are complete markup.
 */
function findQuotedValue(context: ParseContext, quote: number, name: string): { valueEnd: number; complete: boolean } {
  const text = context.text;
  const quoteChar = text.charCodeAt(quote) === DOUBLE_QUOTE ? '"' : "'";
  const valueStart = quote + 1;
  const close = (quoteChar === '"' ? context.nextDoubleQuote : context.nextSingleQuote).next(valueStart);
  const lessThan = context.nextLessThan.next(valueStart);

  const closesFirst = close !== -1 && (lessThan === -1 || close < lessThan);
  if (closesFirst || (close !== -1 && context.lineEnd(valueStart) > close)) {
    return { valueEnd: close, complete: true };
  }
  context.error(quote, quote + 1, `Attribute value of "${name}" is not closed: add the closing ${quoteChar} before the end of the tag.`);
  return { valueEnd: Math.min(lessThan === -1 ? text.length : lessThan, context.lineEnd(valueStart)), complete: false };
}
