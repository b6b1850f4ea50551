import type { Span } from '../model';
import { createProblem, type DocumentRule } from './rule';

/**
 * Warns about non-ASCII text in a file whose XML declaration does not name UTF-8, because IBKR
 * reads a file without an encoding declaration as ASCII.
 */
export const checkEncodingDeclaration: DocumentRule = (parsed) => {
  if (parsed.firstNonAscii < 0) {
    return [];
  }
  const declaration = parsed.xmlDeclaration;
  const encoding = declaration?.encoding;
  if (encoding !== undefined && encoding.value.trim().toUpperCase() === 'UTF-8') {
    return [];
  }

  if (encoding !== undefined) {
    return [
      createProblem(
        'encoding-declaration',
        encoding.span,
        `The file contains non-ASCII characters, but its XML declaration names the encoding ${encoding.value}. Declare encoding="UTF-8" and save the file as UTF-8 so that IBKR reads the characters as written.`,
        { data: { declaration: 'other-encoding', declarationSpan: declaration?.span, encodingSpan: encoding.span } },
      ),
    ];
  }

  const message =
    declaration === undefined
      ? 'The file contains non-ASCII characters but has no XML declaration, so IBKR reads it as ASCII. Add <?xml version="1.0" encoding="UTF-8"?> as the first line.'
      : 'The file contains non-ASCII characters, but its XML declaration names no encoding, so IBKR reads it as ASCII. Add encoding="UTF-8" to the declaration.';
  return [
    createProblem('encoding-declaration', firstCharacterSpan(parsed.text, parsed.firstNonAscii), message, {
      data: { declaration: declaration === undefined ? 'missing' : 'no-encoding', declarationSpan: declaration?.span },
    }),
  ];
};

/** Returns the span of the character at `offset`: two UTF-16 code units for a surrogate pair. */
function firstCharacterSpan(text: string, offset: number): Span {
  const codePoint = text.codePointAt(offset) ?? 0;
  return { start: offset, end: Math.min(text.length, offset + (codePoint > 0xffff ? 2 : 1)) };
}
