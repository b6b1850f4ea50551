/**
 * Runs the language server's checks on files, exactly as the editor does for a file matched by
 * the `ibkr.requestFiles` globs, and returns LSP diagnostics.
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseQuestionList } from '../../server/src/check/catalog';
import { checkDocument, hasErrors } from '../../server/src/check/check';
import { toLspDiagnostic } from '../../server/src/check/diagnostics';
import type { ParsedDocument, QuestionCatalog } from '../../server/src/check/model';
import { CliError } from './errors';
import { readTextFile } from './files';

export interface FileCheckResult {
  /** The path as the user gave it. */
  file: string;
  uri: string;
  text: string;
  parsed: ParsedDocument;
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

/** Loads a question list (JSON array or CSV with a header row); exit 4 naming file and line when it is malformed. */
export function loadQuestionList(file: string): QuestionCatalog {
  const text = readTextFile(file, 'question list');
  const result = parseQuestionList(text, file);
  if ('error' in result) {
    // The message names the file and the line: "questions.csv, line 4: ...".
    throw new CliError(`invalid question list ${result.error.message}`);
  }
  return result.catalog;
}

/** Checks one request file's text. */
export function checkText(file: string, text: string, catalog: QuestionCatalog | undefined): FileCheckResult {
  const uri = pathToFileURL(path.resolve(file)).href;
  const document = TextDocument.create(uri, 'xml', 1, text);
  const result = checkDocument(text, { catalog, matchedByGlob: true });
  return {
    file,
    uri,
    text,
    parsed: result.parsed,
    diagnostics: result.problems.map((problem) => toLspDiagnostic(problem, document, uri)),
    hasErrors: hasErrors(result.problems),
  };
}

/** Reads and checks one request file; throws a `CliError` when it cannot be read. */
export function checkFile(file: string, catalog: QuestionCatalog | undefined): FileCheckResult {
  return checkText(file, readTextFile(file, 'request file'), catalog);
}
