/**
 * Redaction of LSP trace text. With `ibkr.trace.server` set to `verbose`, the client library
 * prints every message it sends and receives, including `textDocument/didOpen` with the whole
 * file and `didChange` fragments typed inside an answer. Answers are secrets, so every document
 * text, edit text and answer attribute is replaced before the trace reaches the output channel.
 */

/** JSON string members that carry document text: didOpen/didChange `text`, edit `newText`, completion `insertText`. */
const TEXT_MEMBER = /("(?:text|newText|insertText)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;

/** `answer="…"` or `answer='…'` as written in XML. */
const ANSWER_ATTRIBUTE = /\banswer(\s*=\s*)(?:"[^"]*"|'[^']*')/g;

/** The same inside a JSON string, where the double quotes are escaped as `\"`. */
const ESCAPED_ANSWER_ATTRIBUTE = /\banswer(\s*=\s*)\\"(?:[^\\]|\\(?!"))*\\"/g;

export const REDACTED = '<redacted>';

export function redactTrace(text: string): string {
  return text
    .replace(TEXT_MEMBER, (_match, member: string) => `${member}"${REDACTED}"`)
    .replace(ESCAPED_ANSWER_ATTRIBUTE, (_match, equals: string) => `answer${equals}\\"${REDACTED}\\"`)
    .replace(ANSWER_ATTRIBUTE, (_match, equals: string) => `answer${equals}"${REDACTED}"`);
}
