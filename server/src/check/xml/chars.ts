/**
 * Character classes of XML 1.0 (Fifth Edition): white space, name characters and the
 * characters a document may contain at all.
 */

const NAME_START = 1;
const NAME = 2;

/** Flags of the ASCII characters, so that the common case costs one table lookup. */
const ASCII_FLAGS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[A-Za-z_:]/.test(char)) {
    ASCII_FLAGS[code] = NAME_START | NAME;
  } else if (/[0-9.-]/.test(char)) {
    ASCII_FLAGS[code] = NAME;
  }
}

/** XML white space: space, tab, line feed and carriage return, nothing else. */
export function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

export function skipWhitespace(text: string, position: number): number {
  let p = position;
  while (p < text.length && isWhitespace(text.charCodeAt(p))) {
    p++;
  }
  return p;
}

/** NameStartChar of XML 1.0 Fifth Edition, production [4]. */
export function isNameStartChar(codePoint: number): boolean {
  if (codePoint < 0x80) {
    return (ASCII_FLAGS[codePoint]! & NAME_START) !== 0;
  }
  return (
    (codePoint >= 0xc0 && codePoint <= 0xd6) ||
    (codePoint >= 0xd8 && codePoint <= 0xf6) ||
    (codePoint >= 0xf8 && codePoint <= 0x2ff) ||
    (codePoint >= 0x370 && codePoint <= 0x37d) ||
    (codePoint >= 0x37f && codePoint <= 0x1fff) ||
    codePoint === 0x200c ||
    codePoint === 0x200d ||
    (codePoint >= 0x2070 && codePoint <= 0x218f) ||
    (codePoint >= 0x2c00 && codePoint <= 0x2fef) ||
    (codePoint >= 0x3001 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xf900 && codePoint <= 0xfdcf) ||
    (codePoint >= 0xfdf0 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0xeffff)
  );
}

/** NameChar of XML 1.0 Fifth Edition, production [4a]. */
export function isNameChar(codePoint: number): boolean {
  if (codePoint < 0x80) {
    return (ASCII_FLAGS[codePoint]! & NAME) !== 0;
  }
  return (
    codePoint === 0xb7 ||
    (codePoint >= 0x300 && codePoint <= 0x36f) ||
    (codePoint >= 0x203f && codePoint <= 0x2040) ||
    isNameStartChar(codePoint)
  );
}

/** Char of XML 1.0, production [2]: the code points a document may contain. */
export function isXmlChar(codePoint: number): boolean {
  if (codePoint < 0x20) {
    return codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d;
  }
  return (
    codePoint <= 0xd7ff ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/**
 * Returns whether a name starts at `position`. A lone surrogate is never a name character,
 * because `codePointAt` returns the surrogate itself.
 */
export function startsName(text: string, position: number): boolean {
  const codePoint = text.codePointAt(position);
  return codePoint !== undefined && isNameStartChar(codePoint);
}

/**
 * Scans an XML Name (colons included) and returns the offset after it, or `position` when
 * no name starts there.
 */
export function scanName(text: string, position: number): number {
  const first = text.codePointAt(position);
  if (first === undefined || !isNameStartChar(first)) {
    return position;
  }
  let p = position + (first > 0xffff ? 2 : 1);
  while (p < text.length) {
    const code = text.charCodeAt(p);
    if (code < 0x80) {
      if ((ASCII_FLAGS[code]! & NAME) === 0) {
        break;
      }
      p++;
      continue;
    }
    const codePoint = text.codePointAt(p)!;
    if (!isNameChar(codePoint)) {
      break;
    }
    p += codePoint > 0xffff ? 2 : 1;
  }
  return p;
}

/** Formats a code point the way Unicode charts name it, e.g. `U+0001` or `U+1F600`. */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}
