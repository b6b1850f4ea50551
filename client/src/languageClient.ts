import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeWatchedFilesNotification,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type FileEvent,
  type LanguageClientOptions,
  type Message,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  RequestSummaryRequest,
  SetQuestionListNotification,
  type RequestSummaryParams,
  type RequestSummaryResult,
  type SetQuestionListParams,
} from '../../server/src/protocol';
import type { Logger } from './log';
import { createRedactingChannel } from './redactingChannel';
import { SERVER_NODE_OPTIONS } from '../../server/src/nodeOptions';

/** The client library restarts a crashed server up to this many times in 3 minutes. */
const MAX_RESTARTS = 4;

/**
 * The language server connection. `onDidStart` fires after the first start and after every
 * restart, so state that the server keeps only in memory (the fetched question list) can be
 * sent again.
 */
export class ServerConnection implements vscode.Disposable {
  readonly client: LanguageClient;
  private readonly startedEmitter = new vscode.EventEmitter<void>();
  readonly onDidStart = this.startedEmitter.event;

  constructor(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel, logger: Logger) {
    const module = context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_OPTIONS] } },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_OPTIONS, '--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelector(),
      // File events for the catalog file come from `CatalogFileWatcher`, which follows the setting.
      synchronize: { configurationSection: 'ibkr' },
      outputChannel: channel,
      traceOutputChannel: createRedactingChannel(channel),
      diagnosticCollectionName: 'ibkr',
    };
    // The id `ibkr` makes the client read its trace level from `ibkr.trace.server`.
    this.client = new LanguageClient('ibkr', 'IBKR Language Server', serverOptions, clientOptions);
    this.client.clientOptions.errorHandler = new LoggingErrorHandler(this.client.createDefaultErrorHandler(MAX_RESTARTS), logger);
    this.client.onDidChangeState((change) => {
      if (change.newState === State.Running) {
        this.startedEmitter.fire();
      }
    });
  }

  async start(): Promise<void> {
    await this.client.start();
  }

  isRunning(): boolean {
    return this.client.state === State.Running;
  }

  async requestSummary(uri: vscode.Uri): Promise<RequestSummaryResult> {
    const params: RequestSummaryParams = { uri: this.client.code2ProtocolConverter.asUri(uri) };
    return this.client.sendRequest<RequestSummaryResult>(RequestSummaryRequest, params);
  }

  async sendFileEvents(changes: FileEvent[]): Promise<void> {
    await this.client.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  async setQuestionList(params: SetQuestionListParams): Promise<void> {
    await this.client.sendNotification(SetQuestionListNotification, params);
  }

  dispose(): void {
    this.startedEmitter.dispose();
  }
}

/**
 * XML on disk and in untitled editors, plus the schemes of virtual workspace folders (e.g.
 * `vscode-vfs`), where checking works but submitting does not. Other schemes, such as this
 * extension's own response views, are left alone.
 */
function documentSelector(): { language: string; scheme: string }[] {
  const schemes = new Set(['file', 'untitled']);
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    schemes.add(folder.uri.scheme);
  }
  return [...schemes].map((scheme) => ({ language: 'xml', scheme }));
}

/** Keeps the library's restart policy and logs each time the server stops. */
class LoggingErrorHandler implements ErrorHandler {
  constructor(
    private readonly inner: ErrorHandler,
    private readonly logger: Logger,
  ) {}

  error(error: Error, message: Message | undefined, count: number | undefined): ErrorHandlerResult | Promise<ErrorHandlerResult> {
    this.logger.error(`The connection to the IBKR language server failed: ${error.message}`);
    return this.inner.error(error, message, count);
  }

  async closed(): Promise<CloseHandlerResult> {
    const result = await this.inner.closed();
    if (result.action === CloseAction.Restart) {
      this.logger.warn(`The IBKR language server stopped unexpectedly and is being restarted (at most ${MAX_RESTARTS} restarts in 3 minutes).`);
    } else {
      this.logger.error(
        `The IBKR language server stopped ${MAX_RESTARTS + 1} times in 3 minutes and will not be restarted. Run "Developer: Reload Window" to start it again.`,
      );
    }
    return result;
  }
}
