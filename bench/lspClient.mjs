// A small LSP client for the benchmark: starts `node dist/server.js --stdio`, keeps a local
// copy of each open document, and resolves waits as soon as the awaited message arrives.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SERVER_NODE_OPTIONS } from '../server/src/nodeOptions.ts';

const SERVER_PATH = path.resolve(import.meta.dirname, '..', 'dist', 'server.js');

const CAPABILITIES = {
  workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
  textDocument: {
    synchronization: { didSave: true },
    publishDiagnostics: { versionSupport: true, relatedInformation: true },
    completion: { completionItem: { snippetSupport: true } },
  },
};

export class BenchClient {
  constructor(child, connection, settings) {
    this.child = child;
    this.connection = connection;
    this.settings = settings;
    this.documents = new Map();
    this.lastPublishes = new Map();
    this.waiters = new Set();
    this.stderr = '';
  }

  /** Starts the server and completes `initialize`; `settings` is the `ibkr` section for every scope. */
  static async start(settings) {
    // The server runs with the Node.js options that the extension starts it with. IBKR_BENCH_NODE_ARGS
    // adds options such as --cpu-prof, for profiling.
    const extraArgs = (process.env.IBKR_BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
    const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, ...extraArgs, SERVER_PATH, '--stdio'], { stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new BenchClient(child, connection, settings);
    child.stderr.on('data', (chunk) => (client.stderr += String(chunk)));
    connection.onNotification('textDocument/publishDiagnostics', (params) => {
      client.lastPublishes.set(params.uri, params);
      for (const waiter of [...client.waiters]) waiter();
    });
    connection.onNotification('window/logMessage', () => undefined);
    connection.onNotification('window/showMessage', () => undefined);
    connection.onRequest('workspace/configuration', (params) => params.items.map(() => client.settings));
    connection.onRequest('client/registerCapability', () => null);
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: CAPABILITIES });
    await connection.sendNotification('initialized', {});
    return client;
  }

  get pid() {
    return this.child.pid;
  }

  async open(uri, text) {
    this.documents.set(uri, TextDocument.create(uri, 'xml', 1, text));
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version: 1, text } });
  }

  /** Replaces [start, end) of the local copy with `text` as one incremental change; returns the new version. */
  async edit(uri, start, end, text) {
    const document = this.documents.get(uri);
    const version = document.version + 1;
    const change = { range: { start: document.positionAt(start), end: document.positionAt(end) }, text };
    TextDocument.update(document, [change], version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    return version;
  }

  document(uri) {
    return this.documents.get(uri);
  }

  text(uri) {
    return this.documents.get(uri).getText();
  }

  lastPublish(uri) {
    return this.lastPublishes.get(uri);
  }

  completion(uri, position, triggerCharacter) {
    return this.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position, context: { triggerKind: 2, triggerCharacter } });
  }

  /** Resolves when the server has published diagnostics for `version` of the document. */
  waitForVersion(uri, version, timeoutMs) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.lastPublishes.get(uri)?.version !== version) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`No diagnostics for version ${version} of ${uri} within ${timeoutMs} ms. Server stderr: ${this.stderr}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  async stop() {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      this.child.kill('SIGKILL');
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}
