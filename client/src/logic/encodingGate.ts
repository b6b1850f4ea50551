/**
 * The submit gate for the `encoding-declaration` warning. Without an XML declaration naming
 * UTF-8, IBKR reads the file as ASCII, so non-ASCII answers are stored garbled; answers can be
 * set only once per user, so the mistake cannot be corrected by sending again. The CLI's
 * `submit` refuses such a file for the same reason.
 */

import { checkDocument } from '../../../server/src/check/check';
import { DiagnosticCodes } from '../../../server/src/check/codes';

/** The declaration that makes IBKR read the file as UTF-8. */
export const UTF8_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Returns why the request file `text` must not be sent because of its encoding, or undefined when it may be sent. */
export function encodingRejection(text: string, name: string): string | undefined {
  const { problems } = checkDocument(text, { matchedByGlob: true });
  if (!problems.some((problem) => problem.code === DiagnosticCodes.encodingDeclaration)) {
    return undefined;
  }
  return `${name} has non-ASCII text but no XML declaration naming UTF-8, so IBKR would read it as ASCII and store garbled answers, which cannot be set again. Add ${UTF8_DECLARATION} as the first line, then submit again. Nothing was sent.`;
}
