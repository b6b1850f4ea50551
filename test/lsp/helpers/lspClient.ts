/**
 * A minimal LSP client for tests: spawns `node dist/server.js --stdio`, talks JSON-RPC to it,
 * answers its `workspace/configuration` requests from settings the test controls, and
 * records everything the server sends or prints.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type CodeAction,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type LogMessageParams,
  type MessageConnection,
  type Position,
  type PublishDiagnosticsParams,
  type Range,
  type ShowMessageParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { SERVER_NODE_OPTIONS } from '../../../server/src/nodeOptions';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER_PATH = path.join(REPO_ROOT, 'dist', 'server.js');

/** Long enough for a loaded CI machine, short enough that a missing message fails the test quickly. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface StartOptions {
  /** Workspace folder paths sent in `initialize`. */
  workspaceFolders?: string[];
  /** The `ibkr` settings section returned for every scope, unless `settingsFor` is given. */
  settings?: Record<string, unknown>;
  /** Settings per scope URI, for tests of per-folder settings. */
  settingsFor?: (scopeUri: string | undefined) => unknown;
  /** Replaces the default client capabilities. */
  capabilities?: ClientCapabilities;
}

export const FULL_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
  },
  textDocument: {
    synchronization: { didSave: true, dynamicRegistration: false },
    publishDiagnostics: { versionSupport: true, relatedInformation: true },
    completion: { completionItem: { snippetSupport: true, labelDetailsSupport: true } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } },
      resolveSupport: { properties: ['edit'] },
      isPreferredSupport: true,
    },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
  window: { showMessage: {} },
};

export class LspTestClient {
  /** The `ibkr` section that `workspace/configuration` returns; tests may replace it. */
  settings: Record<string, unknown>;
  settingsFor: ((scopeUri: string | undefined) => unknown) | undefined;
  readonly publishes: PublishDiagnosticsParams[] = [];
  readonly messages: ShowMessageParams[] = [];
  readonly logs: LogMessageParams[] = [];
  readonly configurationRequests: (string | undefined)[] = [];
  private stdout: Buffer[] = [];
  private stderr: Buffer[] = [];
  private readonly documents = new Map<string, TextDocument>();
  private readonly waiters = new Set<() => void>();
  private exited = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly connection: MessageConnection,
    options: StartOptions,
  ) {
    this.settings = options.settings ?? {};
    this.settingsFor = options.settingsFor;
  }

  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    // The server runs with the Node.js options that the extension starts it with.
    const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, SERVER_PATH, '--stdio'], { stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspTestClient(child, connection, options);
    client.attach();
    connection.listen();

    const folders = options.workspaceFolders ?? [];
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folders[0] === undefined ? null : pathToFileURL(folders[0]).href,
      workspaceFolders: folders.map((folder) => ({ uri: pathToFileURL(folder).href, name: path.basename(folder) })),
      capabilities: options.capabilities ?? FULL_CAPABILITIES,
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  private attach(): void {
    this.child.stdout.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk);
      this.notifyWaiters();
    });
    this.child.on('exit', () => {
      this.exited = true;
      this.notifyWaiters();
    });

    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.publishes.push(params);
      this.notifyWaiters();
    });
    this.connection.onNotification('window/showMessage', (params: ShowMessageParams) => {
      this.messages.push(params);
      this.notifyWaiters();
    });
    this.connection.onNotification('window/logMessage', (params: LogMessageParams) => {
      this.logs.push(params);
      this.notifyWaiters();
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { scopeUri?: string; section?: string }[] }) =>
      params.items.map((item) => {
        this.configurationRequests.push(item.scopeUri);
        return this.settingsFor !== undefined ? this.settingsFor(item.scopeUri) : this.settings;
      }),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('client/unregisterCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
  }

  // Documents

  async open(uri: string, text: string, languageId = 'xml'): Promise<void> {
    const document = TextDocument.create(uri, languageId, 1, text);
    this.documents.set(uri, document);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends incremental changes and applies them to the local copy; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const document = this.document(uri);
    const version = document.version + 1;
    TextDocument.update(document, changes, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /** Replaces `[start, end)` (offsets into the local copy) with `text`, as one incremental change. */
  async edit(uri: string, start: number, end: number, text: string): Promise<number> {
    const document = this.document(uri);
    return this.change(uri, [{ range: { start: document.positionAt(start), end: document.positionAt(end) }, text }]);
  }

  async save(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    this.documents.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  document(uri: string): TextDocument {
    const document = this.documents.get(uri);
    if (document === undefined) throw new Error(`The test never opened ${uri}`);
    return document;
  }

  text(uri: string): string {
    return this.document(uri).getText();
  }

  // Requests and notifications

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  async notify(method: string, params: unknown): Promise<void> {
    await this.connection.sendNotification(method, params);
  }

  /** Tells the server that settings changed, after the test replaced `settings`. */
  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.notify('workspace/didChangeConfiguration', { settings: null });
  }

  completion(uri: string, position: Position, triggerCharacter?: string): Promise<CompletionList | null> {
    const context = triggerCharacter === undefined ? { triggerKind: 1 } : { triggerKind: 2, triggerCharacter };
    return this.request('textDocument/completion', { textDocument: { uri }, position, context });
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.request('textDocument/hover', { textDocument: { uri }, position });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<CodeAction[] | null> {
    return this.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics } });
  }

  documentSymbols(uri: string): Promise<DocumentSymbol[] | null> {
    return this.request('textDocument/documentSymbol', { textDocument: { uri } });
  }

  // Waiting

  /** Returns the last diagnostics published for `uri`, or `undefined` when none were. */
  lastPublish(uri: string): PublishDiagnosticsParams | undefined {
    for (let index = this.publishes.length - 1; index >= 0; index -= 1) {
      const publish = this.publishes[index];
      if (publish?.uri === uri) return publish;
    }
    return undefined;
  }

  /**
   * Waits until the last publish for `uri` satisfies `predicate`. On timeout the error shows
   * what was last published, so a failure explains itself.
   */
  async waitForDiagnostics(uri: string, predicate: (publish: PublishDiagnosticsParams) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<PublishDiagnosticsParams> {
    const describeLast = (): string => JSON.stringify(this.lastPublish(uri) ?? 'nothing', null, 1);
    await this.waitFor(() => {
      const last = this.lastPublish(uri);
      return last !== undefined && predicate(last);
    }, `diagnostics for ${uri}; last published: ${describeLast()}`, timeoutMs);
    const last = this.lastPublish(uri);
    if (last === undefined) throw new Error('unreachable: waitFor returned without a publish');
    return last;
  }

  /** Waits for diagnostics of the local copy's current version of `uri`. */
  waitForCurrentVersion(uri: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<PublishDiagnosticsParams> {
    const version = this.document(uri).version;
    return this.waitForDiagnostics(uri, (publish) => publish.version === version, timeoutMs);
  }

  /** Waits until `condition` holds; it is evaluated after every message or output from the server. */
  waitFor(condition: () => boolean, description: string | (() => string), timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) {
          finish();
          resolve();
        } else if (this.exited) {
          finish();
          reject(new Error(`The server exited while waiting for ${text()}. Stderr: ${this.stderrText()}`));
        }
      };
      const text = (): string => (typeof description === 'string' ? description : description());
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${text()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  private notifyWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  // Output

  /** Everything the server wrote to stdout (all protocol messages) and stderr. */
  allOutput(): string {
    return Buffer.concat(this.stdout).toString('utf8') + Buffer.concat(this.stderr).toString('utf8');
  }

  stderrText(): string {
    return Buffer.concat(this.stderr).toString('utf8');
  }

  get isRunning(): boolean {
    return !this.exited;
  }

  /** Shuts the server down politely and kills it if it does not exit within the timeout. */
  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((resolve) => setTimeout(resolve, 2000))]);
        await this.connection.sendNotification('exit');
        await this.waitFor(() => this.exited, 'the server to exit', 5000);
      } catch {
        this.child.kill('SIGKILL');
      }
    }
    this.connection.dispose();
  }
}

/** Applies LSP text edits to a text, last edit first so earlier offsets stay valid. */
export function applyEdits(text: string, edits: readonly { range: Range; newText: string }[]): string {
  const document = TextDocument.create('file:///apply', 'xml', 0, text);
  return TextDocument.applyEdits(document, [...edits]);
}

/** Splits a text with one `|` marking the cursor into the text and the cursor's offset. */
export function withCursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  if (offset === -1 || marked.indexOf('|', offset + 1) !== -1) throw new Error('Mark the cursor with exactly one |');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

export function positionAt(text: string, offset: number): Position {
  return TextDocument.create('file:///position', 'xml', 0, text).positionAt(offset);
}

export function fileUri(filePath: string): string {
  return pathToFileURL(filePath).href;
}
