/**
 * Request file detection and document analysis. An analysis is the checked model of one
 * document version, with the settings and the question list it was checked against.
 */

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { minimatch } from 'minimatch';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { checkDocument, type CheckResult } from './check/check';
import { parseDocument } from './check/parser';
import type { QuestionCatalog } from './check/model';
import { findRequests, type RequestInfo } from './check/requests';
import type { ServerSettings } from './protocol';
import type { QuestionLists } from './questionList';
import type { Logger, SettingsStore } from './settings';

/**
 * Request files hold a few requests of a few hundred characters each. A larger document is not
 * checked at all (no diagnostics, no completion), so that opening a huge file by mistake costs
 * nothing. A guard of this server, not an IBKR limit.
 */
export const MAX_CHECKED_DOCUMENT_LENGTH = 5 * 1024 * 1024;

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
}

/**
 * Checks documents and caches the result per document until its version, its settings or
 * the question list changes, so validation and every feature share one parse per version.
 */
export class Analyzer {
  private readonly cache = new Map<string, Analysis>();
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
    const snapshot = TextDocument.create(document.uri, document.languageId, document.version, text);
    if (text.length > MAX_CHECKED_DOCUMENT_LENGTH) {
      this.reportOversized(document.uri, text.length);
      return { document: snapshot, settings, catalog, result: { parsed: parseDocument(''), applies: false, problems: [] }, requests: [] };
    }

    const matchedByGlob = matchesRequestFiles(document.uri, settings.requestFiles, this.folders.all());
    const result = checkDocument(text, { catalog, matchedByGlob });
    const requests = result.applies ? findRequests(result.parsed) : [];
    const analysis: Analysis = { document: snapshot, settings, catalog, result, requests };
    if (options.cache) this.cache.set(document.uri, analysis);

    if (result.applies && catalog === undefined) this.questionLists.noteMissingList(settings);
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.oversized.delete(uri);
  }

  private reportOversized(uri: string, length: number): void {
    if (this.oversized.has(uri)) return;
    this.oversized.add(uri);
    this.logger.warn(`${uri} is not checked: it has ${length} characters, more than the ${MAX_CHECKED_DOCUMENT_LENGTH} this server checks.`);
  }
}
