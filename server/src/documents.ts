/**
 * Request file detection and document analysis. An analysis is the checked model of one
 * document version, with the settings and the question list it was checked against.
 */

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { minimatch } from 'minimatch';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { checkDocument, type CheckResult } from './check/check';
import { IncrementalChecker } from './check/incremental';
import { parseDocument } from './check/parser';
import type { QuestionCatalog } from './check/model';
import { findRequests, type RequestInfo } from './check/requests';
import { findTextEdit, type TextEdit } from './check/textEdit';
import type { ServerSettings } from './protocol';
import type { QuestionLists } from './questionList';
import type { Logger, SettingsStore } from './settings';
import { DocumentSnapshot } from './snapshot';

/** Characters per MB of `ibkr.validate.maxFileSize`: 2^20, so a MB is a MiB of ASCII text. */
export const CHARACTERS_PER_MB = 1024 * 1024;

export interface WorkspaceFolderInfo {
  uri: string;
  /** File system path of the folder; `undefined` for a folder that is not on the local file system. */
  path: string | undefined;
}

/** The workspace folders the client reported in `initialize` and in later folder changes. */
export class WorkspaceFolders {
  private folders: WorkspaceFolderInfo[] = [];

  set(folders: readonly { uri: string }[]): void {
    this.folders = folders.map((folder) => ({ uri: folder.uri, path: uriToFilePath(folder.uri) }));
  }

  change(added: readonly { uri: string }[], removed: readonly { uri: string }[]): void {
    const removedUris = new Set(removed.map((folder) => folder.uri));
    const remaining = this.folders.filter((folder) => !removedUris.has(folder.uri));
    this.folders = [...remaining, ...added.map((folder) => ({ uri: folder.uri, path: uriToFilePath(folder.uri) }))];
  }

  all(): readonly WorkspaceFolderInfo[] {
    return this.folders;
  }

  /** Returns the innermost folder that contains the document, else the first folder (for untitled documents). */
  folderFor(documentUri: string): WorkspaceFolderInfo | undefined {
    const documentPath = uriToFilePath(documentUri);
    let best: WorkspaceFolderInfo | undefined;
    if (documentPath !== undefined) {
      for (const folder of this.folders) {
        if (folder.path === undefined || !isInside(documentPath, folder.path)) continue;
        if (best?.path === undefined || folder.path.length > best.path.length) best = folder;
      }
    }
    return best ?? this.folders[0];
  }
}

/** Returns the file system path of a `file:` URI, or `undefined` for any other scheme or a malformed URI. */
export function uriToFilePath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function filePathToUri(filePath: string): string {
  return pathToFileURL(filePath).href;
}

/**
 * Returns the path that `ibkr.requestFiles` patterns are matched against: the file path of a
 * `file:` URI, else the path part of the URI (`Untitled-1` for `untitled:Untitled-1`).
 */
function matchablePath(uri: string): string | undefined {
  const filePath = uriToFilePath(uri);
  if (filePath !== undefined) return filePath;
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return undefined;
  }
}

/**
 * Tells whether a document matches one of the `ibkr.requestFiles` glob patterns. Each pattern
 * is tried on the absolute path and on the path relative to every workspace folder that
 * contains the document. A pattern without a slash matches the file name alone, as
 * `*.ibkr.xml` does in VS Code's `files.associations`.
 */
export function matchesRequestFiles(uri: string, patterns: readonly string[], folders: readonly WorkspaceFolderInfo[]): boolean {
  if (patterns.length === 0) return false;
  const documentPath = matchablePath(uri);
  if (documentPath === undefined) return false;

  const candidates = [toSlashes(documentPath)];
  for (const folder of folders) {
    if (folder.path !== undefined && isInside(documentPath, folder.path)) {
      candidates.push(toSlashes(path.relative(folder.path, documentPath)));
    }
  }
  const options = { dot: true, matchBase: true, nocase: process.platform === 'win32' };
  return patterns.some((pattern) => candidates.some((candidate) => minimatch(candidate, toSlashes(pattern), options)));
}

function toSlashes(value: string): string {
  return value.replace(/\\/g, '/');
}

function isInside(filePath: string, folderPath: string): boolean {
  const relative = path.relative(folderPath, filePath);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Root element names that make an XML file a request file, as `isRequestFile` decides it. */
const REQUEST_ROOT = /^<(?:[A-Za-z_][\w.-]*:)?(?:AcctMgmtRequests|SecurityQuestions)[\s/>]/;

/**
 * Tells from the first element of the text whether it is a request file, without parsing it:
 * the XML declaration, comments, processing instructions and a DOCTYPE before it are skipped.
 * For documents too large to check, to decide whether to say that the check was skipped.
 */
export function isRequestRootName(text: string): boolean {
  let position = text.indexOf('<');
  while (position !== -1) {
    if (text.startsWith('<!--', position)) {
      const end = text.indexOf('-->', position + 4);
      position = end === -1 ? -1 : text.indexOf('<', end + 3);
    } else if (text.startsWith('<?', position) || text.startsWith('<!', position)) {
      const end = text.indexOf('>', position + 2);
      position = end === -1 ? -1 : text.indexOf('<', end + 1);
    } else {
      return REQUEST_ROOT.test(text.slice(position, position + 200));
    }
  }
  return false;
}

/** One checked version of a document. */
export interface Analysis {
  /** A snapshot of the document at the checked version; the live document may have moved on. */
  document: TextDocument;
  settings: ServerSettings;
  /** The question list the document was checked against, if one is loaded. */
  catalog: QuestionCatalog | undefined;
  result: CheckResult;
  /** The requests in the document; empty when `result.applies` is false. */
  requests: RequestInfo[];
  /** Set when the document is over `ibkr.validate.maxFileSize` and was not checked. */
  skipped?: { length: number; maxFileSize: number };
}

/** The incremental state of one open document: its latest snapshot and checker. */
interface OpenDocumentState {
  snapshot: DocumentSnapshot;
  checker: IncrementalChecker;
}

/**
 * Checks documents and caches the result per document until its version, its settings or
 * the question list changes, so validation and every feature share one parse per version.
 */
export class Analyzer {
  private readonly cache = new Map<string, Analysis>();
  private readonly open = new Map<string, OpenDocumentState>();
  /** Documents already reported as too large, so the warning is logged once per document. */
  private readonly oversized = new Set<string>();

  constructor(
    private readonly settings: SettingsStore,
    private readonly questionLists: QuestionLists,
    private readonly folders: WorkspaceFolders,
    private readonly logger: Logger,
  ) {}

  /** Checks the document's current text. `cache: false` is for a file read from disk that no editor has open. */
  async analyze(document: TextDocument, options: { cache: boolean } = { cache: true }): Promise<Analysis> {
    const settings = await this.settings.get(document.uri);
    const folder = this.folders.folderFor(document.uri);
    const catalog = await this.questionLists.catalogFor(settings, folder?.path);

    const cached = this.cache.get(document.uri);
    if (options.cache && cached !== undefined && cached.document.version === document.version && cached.settings === settings && cached.catalog === catalog) {
      return cached;
    }

    const text = document.getText();
    const maxLength = settings.validate.maxFileSize * CHARACTERS_PER_MB;
    if (text.length > maxLength) {
      this.reportOversized(document.uri, text.length, settings.validate.maxFileSize);
      this.open.delete(document.uri);
      const snapshot = TextDocument.create(document.uri, document.languageId, document.version, text);
      const analysis: Analysis = { document: snapshot, settings, catalog, result: { parsed: parseDocument(''), applies: false, problems: [] }, requests: [] };
      if (matchesRequestFiles(document.uri, settings.requestFiles, this.folders.all()) || isRequestRootName(text)) {
        analysis.skipped = { length: text.length, maxFileSize: settings.validate.maxFileSize };
      }
      return analysis;
    }
    this.oversized.delete(document.uri);

    const matchedByGlob = matchesRequestFiles(document.uri, settings.requestFiles, this.folders.all());
    if (!options.cache) {
      // A file read from disk for one request: check it whole and keep nothing.
      const result = checkDocument(text, { catalog, matchedByGlob });
      const snapshot = TextDocument.create(document.uri, document.languageId, document.version, text);
      return { document: snapshot, settings, catalog, result, requests: result.applies ? findRequests(result.parsed) : [] };
    }

    // An open document is checked incrementally: only the requests that changed since the last
    // check are parsed and checked again, and the line index is updated from the same edit.
    let state = this.open.get(document.uri);
    let edit: TextEdit | undefined;
    if (state === undefined) {
      state = { snapshot: DocumentSnapshot.create(document.uri, document.languageId, document.version, text), checker: new IncrementalChecker() };
      this.open.set(document.uri, state);
    } else {
      edit = findTextEdit(state.snapshot.getText(), text);
      state.snapshot = state.snapshot.next(document.version, text, edit);
    }
    const snapshot = state.snapshot;
    let checked;
    try {
      checked = state.checker.check(text, { catalog, matchedByGlob }, edit);
    } catch (error) {
      // The snapshot has moved on but the checker has not: start both afresh next time.
      this.open.delete(document.uri);
      throw error;
    }
    const { requests, ...result } = checked;
    const analysis: Analysis = { document: snapshot, settings, catalog, result, requests };
    this.cache.set(document.uri, analysis);

    if (result.applies && catalog === undefined) this.questionLists.noteMissingList(settings);
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.open.delete(uri);
    this.oversized.delete(uri);
  }

  private reportOversized(uri: string, length: number, maxFileSize: number): void {
    if (this.oversized.has(uri)) return;
    this.oversized.add(uri);
    this.logger.warn(`${uri} is not checked: it has ${length} characters, more than ibkr.validate.maxFileSize (${maxFileSize} MB of ${CHARACTERS_PER_MB} characters).`);
  }
}
