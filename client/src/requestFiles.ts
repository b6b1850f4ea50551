import * as vscode from 'vscode';
import type { RequestSummaryResult } from '../../server/src/protocol';
import type { Settings } from './config';
import type { ServerConnection } from './languageClient';
import type { Logger } from './log';
import { errorMessage } from './log';

const ACTIVE_IS_REQUEST_FILE_CONTEXT = 'ibkr.activeEditorIsRequestFile';

/**
 * Asks the server which open documents are request files, for the "Submit to IBKR" CodeLens
 * above each request and the editor title button. The server decides (root element and the
 * `ibkr.requestFiles` globs), so the client never guesses differently from the diagnostics.
 */
export class RequestFileLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private loggedFailure = false;

  constructor(
    private readonly server: ServerConnection,
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {
    this.subscriptions.push(
      vscode.languages.registerCodeLensProvider({ language: 'xml', scheme: 'file' }, this),
      vscode.window.onDidChangeActiveTextEditor(() => void this.updateContext()),
      // New diagnostics mean the server has read the latest text, so its summary is current.
      vscode.languages.onDidChangeDiagnostics((event) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active !== undefined && event.uris.some((uri) => uri.toString() === active)) {
          void this.updateContext();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('ibkr')) {
          this.changeEmitter.fire();
          void this.updateContext();
        }
      }),
      server.onDidStart(() => {
        this.changeEmitter.fire();
        void this.updateContext();
      }),
    );
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const summary = await this.summary(document);
    if (summary === undefined || !summary.isRequestFile) {
      return [];
    }
    const environment = this.settings.environmentName();
    const count = summary.requests.length;
    return summary.requests.map((request) => {
      const range = new vscode.Range(request.line, 0, request.line, 0);
      return new vscode.CodeLens(range, {
        title: `Submit to IBKR (${environment})`,
        tooltip: `Submit ${count === 1 ? 'this file' : `the whole file (${count} requests)`} to IBKR ${environment}`,
        command: 'ibkr.submit',
        arguments: [document.uri],
      });
    });
  }

  private async updateContext(): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    let isRequestFile = false;
    if (document !== undefined && document.languageId === 'xml' && document.uri.scheme === 'file') {
      isRequestFile = (await this.summary(document))?.isRequestFile ?? false;
    }
    await vscode.commands.executeCommand('setContext', ACTIVE_IS_REQUEST_FILE_CONTEXT, isRequestFile);
  }

  private async summary(document: vscode.TextDocument): Promise<RequestSummaryResult | undefined> {
    if (!this.server.isRunning()) {
      return undefined;
    }
    try {
      return await this.server.requestSummary(document.uri);
    } catch (error) {
      if (!this.loggedFailure) {
        this.loggedFailure = true;
        this.logger.warn(`The request summary of ${document.uri.fsPath} failed (${errorMessage(error)}); the Submit CodeLens is missing until it works.`);
      }
      return undefined;
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.changeEmitter.dispose();
  }
}
