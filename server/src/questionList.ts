/**
 * The security question list that checks and features use: the one the extension sent with
 * `ibkr/setQuestionList` while it is set, else the file named by
 * `ibkr.securityQuestions.catalogFile`. Files are read once, watched, and read again when
 * they change or the setting changes.
 */

import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { catalogFromEntries, parseQuestionList } from './check/catalog';
import type { QuestionCatalog } from './check/model';
import type { QuestionListEntry, ServerSettings, SetQuestionListParams } from './protocol';
import { REFRESH_COMMAND_TITLE } from './features/questionText';
import { errorMessage, type Logger } from './settings';

/** A question list has a few dozen entries; a file this large is not one (a guard, not an IBKR limit). */
const MAX_LIST_FILE_BYTES = 5 * 1024 * 1024;

/** Editors save in several steps (truncate, write, rename), so a burst of watch events becomes one read. */
const RELOAD_DELAY_MS = 100;


export interface QuestionListHost {
  logger: Logger;
  showError(message: string): void;
  showInformation(message: string): void;
  /** Called after the list that documents are checked against has changed. */
  onListChanged(): void;
}

type FileState = { kind: 'loaded'; catalog: QuestionCatalog; text: string } | { kind: 'failed'; message: string };

interface FolderWatch {
  watcher: FSWatcher;
  fileNames: Set<string>;
}

export class QuestionLists {
  private clientList: QuestionCatalog | undefined;
  private readonly loads = new Map<string, Promise<FileState>>();
  private readonly settled = new Map<string, FileState>();
  private readonly watches = new Map<string, FolderWatch>();
  private readonly reloadTimers = new Map<string, NodeJS.Timeout>();
  /** The last error shown per file or setting value, so a failure is announced once and not per document. */
  private readonly shownErrors = new Map<string, string>();
  private missingListNoticeShown = false;

  constructor(private readonly host: QuestionListHost) {}

  /** Stores or clears the list that the extension fetched, which takes precedence over the file while set. */
  setClientList(params: SetQuestionListParams): void {
    if (params.questions === null) {
      if (this.clientList === undefined) return;
      this.clientList = undefined;
      this.host.logger.info('The question list sent by the extension was cleared; checks use ibkr.securityQuestions.catalogFile again.');
      this.host.onListChanged();
      return;
    }

    const origin = typeof params.origin === 'string' && params.origin !== '' ? params.origin : 'the extension';
    if (!Array.isArray(params.questions)) {
      this.host.logger.error(`Ignored ibkr/setQuestionList from ${origin}: "questions" must be an array or null.`);
      return;
    }
    const entries = params.questions.filter(isQuestionListEntry);
    const dropped = params.questions.length - entries.length;
    if (dropped > 0) {
      this.host.logger.warn(`Ignored ${dropped} of ${params.questions.length} entries of the question list from ${origin}: each entry needs a non-empty string "id" and a string "question".`);
    }
    this.clientList = catalogFromEntries(origin, entries);
    this.host.logger.info(`Using the question list from ${origin} (${this.clientList.questions.size} questions).`);
    this.host.onListChanged();
  }

  /** Returns the list to check a document against, loading the configured file on first use. */
  async catalogFor(settings: ServerSettings, folderPath: string | undefined): Promise<QuestionCatalog | undefined> {
    if (this.clientList !== undefined) return this.clientList;
    const setting = settings.securityQuestions.catalogFile;
    if (setting === '') return undefined;

    const resolved = resolveCatalogPath(setting, folderPath);
    if ('error' in resolved) {
      this.announceError(`setting:${setting}`, resolved.error);
      return undefined;
    }
    const state = await this.load(resolved.path);
    return state.kind === 'loaded' ? state.catalog : undefined;
  }

  /**
   * Shows, once per server session, that no list is loaded and how to load one. Documents are
   * then checked without question-unknown and answer-constraint findings.
   */
  noteMissingList(settings: ServerSettings): void {
    if (this.missingListNoticeShown || this.clientList !== undefined) return;
    // A configured file that failed to load has already produced an error naming the file.
    if (settings.securityQuestions.catalogFile !== '') return;
    this.missingListNoticeShown = true;
    const message = `No IBKR security question list is loaded, so question ids are checked for their format only. Set ibkr.securityQuestions.catalogFile to a JSON or CSV question list, or run "${REFRESH_COMMAND_TITLE}".`;
    this.host.logger.info(message);
    this.host.showInformation(message);
  }

  /** Reads a list file again after `workspace/didChangeWatchedFiles` or a watch event named it. */
  fileChanged(filePath: string): void {
    const key = path.resolve(filePath);
    if (!this.loads.has(key)) return;
    const pending = this.reloadTimers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    this.reloadTimers.set(
      key,
      setTimeout(() => {
        this.reloadTimers.delete(key);
        this.reload(key).catch((error: unknown) => this.host.logger.error(`Reloading the question list ${key} failed: ${errorMessage(error)}`));
      }, RELOAD_DELAY_MS),
    );
  }

  /** Forgets every file and watcher, so the next check reads the files named by the new settings. */
  reset(): void {
    this.closeWatches();
    this.loads.clear();
    this.settled.clear();
  }

  dispose(): void {
    this.closeWatches();
  }

  private load(filePath: string): Promise<FileState> {
    let state = this.loads.get(filePath);
    if (state === undefined) {
      this.watchFile(filePath);
      state = this.read(filePath);
      this.loads.set(filePath, state);
    }
    return state;
  }

  private async reload(filePath: string): Promise<void> {
    const previous = this.settled.get(filePath);
    const state = this.read(filePath);
    this.loads.set(filePath, state);
    const next = await state;
    if (this.loads.get(filePath) !== state) return; // A newer read or a reset replaced this one.
    const unchanged = previous?.kind === 'loaded' && next.kind === 'loaded' && previous.text === next.text;
    if (!unchanged) this.host.onListChanged();
  }

  private async read(filePath: string): Promise<FileState> {
    const state = await readListFile(filePath);
    this.settled.set(filePath, state);
    if (state.kind === 'loaded') {
      this.shownErrors.delete(filePath);
      this.host.logger.info(`Loaded the question list ${filePath} (${state.catalog.questions.size} questions).`);
    } else {
      this.announceError(filePath, state.message);
    }
    return state;
  }

  private announceError(key: string, message: string): void {
    this.host.logger.error(message);
    if (this.shownErrors.get(key) === message) return;
    this.shownErrors.set(key, message);
    this.host.showError(message);
  }

  /** Watches the folder, not the file, so that a file created later or replaced by a rename is seen. */
  private watchFile(filePath: string): void {
    const folder = path.dirname(filePath);
    const existing = this.watches.get(folder);
    if (existing !== undefined) {
      existing.fileNames.add(path.basename(filePath));
      return;
    }
    try {
      const fileNames = new Set([path.basename(filePath)]);
      const watcher = watch(folder, { persistent: false }, (_event, fileName) => {
        const names = fileName === null ? [...fileNames] : [fileName.toString()].filter((name) => fileNames.has(name));
        for (const name of names) this.fileChanged(path.join(folder, name));
      });
      watcher.on('error', (error) => {
        this.host.logger.warn(`Stopped watching ${folder} for question list changes: ${errorMessage(error)}`);
        watcher.close();
        this.watches.delete(folder);
      });
      this.watches.set(folder, { watcher, fileNames });
    } catch (error) {
      this.host.logger.warn(`Cannot watch ${folder} for question list changes (${errorMessage(error)}); a change to ${path.basename(filePath)} is seen only when the client reports it or the setting changes.`);
    }
  }

  private closeWatches(): void {
    for (const { watcher } of this.watches.values()) watcher.close();
    this.watches.clear();
    for (const timer of this.reloadTimers.values()) clearTimeout(timer);
    this.reloadTimers.clear();
  }
}

/**
 * Resolves `ibkr.securityQuestions.catalogFile`: an absolute path, a path starting with `~/`
 * (the home folder) or `${workspaceFolder}/`, or a path relative to the workspace folder.
 */
export function resolveCatalogPath(setting: string, folderPath: string | undefined): { path: string } | { error: string } {
  const workspaceToken = '${workspaceFolder}';
  let value = setting;
  if (value === '~' || value.startsWith('~/') || value.startsWith('~\\')) {
    value = path.join(os.homedir(), value.slice(1));
  }
  if (value.startsWith(workspaceToken)) {
    if (folderPath === undefined) {
      return { error: `ibkr.securityQuestions.catalogFile "${setting}" uses \${workspaceFolder} but no workspace folder is open. Open the folder or use an absolute path.` };
    }
    value = path.join(folderPath, value.slice(workspaceToken.length));
  }
  if (path.isAbsolute(value)) return { path: path.resolve(value) };
  if (folderPath === undefined) {
    return { error: `ibkr.securityQuestions.catalogFile "${setting}" is a relative path but no workspace folder is open. Open the folder or use an absolute path.` };
  }
  return { path: path.resolve(folderPath, value) };
}

async function readListFile(filePath: string): Promise<FileState> {
  let text: string;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) {
      return { kind: 'failed', message: `The question list ${filePath} is not a file. Point ibkr.securityQuestions.catalogFile at a JSON or CSV file.` };
    }
    if (info.size > MAX_LIST_FILE_BYTES) {
      return { kind: 'failed', message: `The question list ${filePath} is ${info.size} bytes, more than the ${MAX_LIST_FILE_BYTES} bytes a question list can reasonably be. Point ibkr.securityQuestions.catalogFile at the JSON or CSV list.` };
    }
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { kind: 'failed', message: `The question list ${filePath} was not found. Create it, or fix ibkr.securityQuestions.catalogFile. Checks run without a question list until then.` };
    }
    return { kind: 'failed', message: `Reading the question list ${filePath} failed: ${errorMessage(error)}. Checks run without a question list until it can be read.` };
  }

  // The error message starts with the origin (the path) and the 1-based line.
  const parsed = parseQuestionList(text, filePath);
  if ('error' in parsed) {
    return { kind: 'failed', message: `Invalid security question list ${parsed.error.message} Checks run without a question list until the file is fixed.` };
  }
  return { kind: 'loaded', catalog: parsed.catalog, text };
}

function isQuestionListEntry(value: unknown): value is QuestionListEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry['id'] === 'string' && entry['id'] !== '' && typeof entry['question'] === 'string';
}
