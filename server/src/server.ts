/**
 * The IBKR request file language server (`node dist/server.js --stdio`). This file only wires
 * the connection: capabilities, document events and one handler per request, each forwarding
 * to a module in `features/`. Every handler catches its errors, logs them through the
 * connection and returns an empty result, so no document can stop the server.
 */

import { readFile } from 'node:fs/promises';

import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  ErrorCodes,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { Analyzer, uriToFilePath, WorkspaceFolders } from './documents';
import { codeActions, deferredActionUri, resolveCodeAction } from './features/codeActions';
import { complete } from './features/completion';
import { documentSymbols } from './features/documentSymbols';
import { hover } from './features/hover';
import { summarizeRequests } from './features/requestSummary';
import { Validator } from './features/validation';
import { RequestSummaryRequest, SetQuestionListNotification, type RequestSummaryParams, type RequestSummaryResult, type SetQuestionListParams } from './protocol';
import { QuestionLists } from './questionList';
import { errorMessage, SETTINGS_SECTION, SettingsStore, type Logger } from './settings';

function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const folders = new WorkspaceFolders();
  const logger: Logger = {
    info: (message) => connection.console.info(message),
    warn: (message) => connection.console.warn(message),
    error: (message) => connection.console.error(message),
  };
  const logError = (action: string, uri: string, error: unknown): void => {
    const stack = error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : '';
    logger.error(`${action} ${uri} failed: ${errorMessage(error)}${stack}`);
  };

  let capabilities: ClientCapabilities = {};
  let settings = new SettingsStore(logger, undefined);
  const questionLists = new QuestionLists({
    logger,
    // `window/showMessage` notifications; `connection.window.show*Message` would send requests that wait for a click.
    showError: (message) => void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message }),
    showInformation: (message) => void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message }),
    onListChanged: () => validator.validateAll(),
  });
  let analyzer = new Analyzer(settings, questionLists, folders, logger);
  const analyze = (document: TextDocument) => analyzer.analyze(document);

  const validator: Validator = new Validator({
    getDocument: (uri) => documents.get(uri),
    allDocuments: () => documents.all(),
    settingsFor: (uri) => settings.get(uri),
    analyze,
    publish: (uri, version, diagnostics) => void connection.sendDiagnostics({ uri, version, diagnostics }),
    logError,
  });

  /** Wraps a request handler: an exception is logged with the document's URI and the fallback is returned. */
  function guard<P extends { textDocument: { uri: string } }, R>(action: string, fallback: R, handler: (params: P, document: TextDocument) => Promise<R> | R) {
    return async (params: P): Promise<R> => {
      const document = documents.get(params.textDocument.uri);
      if (document === undefined) return fallback;
      try {
        return await handler(params, document);
      } catch (error) {
        logError(action, params.textDocument.uri, error);
        return fallback;
      }
    };
  }

  connection.onInitialize((params): InitializeResult => {
    capabilities = params.capabilities;
    folders.set(params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri }] : []));
    if (capabilities.workspace?.configuration === true) {
      settings = new SettingsStore(logger, async (scopeUri) => {
        const [section] = (await connection.workspace.getConfiguration([{ scopeUri, section: SETTINGS_SECTION }])) as unknown[];
        return section;
      });
      analyzer = new Analyzer(settings, questionLists, folders, logger);
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        completionProvider: { triggerCharacters: ['<', '"', "'", ' '], resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: true },
        documentSymbolProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'ibkr-am-requests' },
    };
  });

  connection.onInitialized(() => {
    if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).catch((error: unknown) => logger.warn(`Registering for configuration changes failed: ${errorMessage(error)}`));
    }
    if (capabilities.workspace?.workspaceFolders === true) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        folders.change(event.added, event.removed);
        settings.clear();
        questionLists.reset();
        validator.validateAll();
      });
    }
    logger.info(`IBKR request file server started (process ${process.pid}).`);
  });

  connection.onDidChangeConfiguration((params) => {
    settings.clear();
    settings.setPushedSettings(params.settings);
    questionLists.reset();
    validator.validateAll();
  });

  connection.onDidChangeWatchedFiles((params) => {
    for (const change of params.changes) {
      const filePath = uriToFilePath(change.uri);
      if (filePath !== undefined) questionLists.fileChanged(filePath);
    }
  });

  connection.onNotification(SetQuestionListNotification, (params: SetQuestionListParams) => {
    try {
      questionLists.setClientList(params);
    } catch (error) {
      logError('Setting the question list for', 'all documents', error);
    }
  });

  connection.onRequest(RequestSummaryRequest, async (params: RequestSummaryParams): Promise<RequestSummaryResult> => {
    const uri = typeof params?.uri === 'string' ? params.uri : '';
    try {
      const open = documents.get(uri);
      const analysis = open !== undefined ? await analyze(open) : await analyzer.analyze(await readClosedDocument(uri), { cache: false });
      return summarizeRequests(analysis);
    } catch (error) {
      logError('Summarizing', uri, error);
      // An empty summary would read as "nothing to submit"; an error makes the extension stop.
      throw new ResponseError(ErrorCodes.InternalError, `Could not read the requests of ${uri}: ${errorMessage(error)}`);
    }
  });

  connection.onCompletion(
    guard('Completion in', { isIncomplete: false, items: [] }, async (params, document) => {
      const snippets = capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
      return complete(await analyze(document), params.position, { snippets, triggerCharacter: params.context?.triggerCharacter });
    }),
  );

  connection.onHover(guard('Hover in', null, async (params, document) => hover(await analyze(document), params.position)));

  connection.onCodeAction(
    guard('Code actions in', [], async (params, document) => {
      const resolveEdits = capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true;
      return codeActions(await analyze(document), params.context.diagnostics, { resolveEdits });
    }),
  );

  connection.onCodeActionResolve(async (action) => {
    const uri = deferredActionUri(action);
    const document = uri === undefined ? undefined : documents.get(uri);
    if (uri === undefined || document === undefined) return action;
    try {
      return resolveCodeAction(await analyze(document), action);
    } catch (error) {
      logError('Resolving a code action in', uri, error);
      return action;
    }
  });

  /** Documents whose outline was cut at the limit, so that the log notes it once per document. */
  const cutOutlines = new Set<string>();
  connection.onDocumentSymbol(
    guard('Document symbols in', [], async (_params, document) =>
      documentSymbols(await analyze(document), (maxItems) => {
        if (cutOutlines.has(document.uri)) return;
        cutOutlines.add(document.uri);
        logger.info(`The outline of ${document.uri} lists its first ${maxItems} symbols (ibkr.symbols.maxItemsComputed). Raise the setting to list more.`);
      }),
    ),
  );

  documents.onDidOpen((event) => validator.opened(event.document));
  documents.onDidChangeContent((event) => validator.changed(event.document));
  documents.onDidSave((event) => validator.saved(event.document));
  documents.onDidClose((event) => {
    validator.closed(event.document.uri);
    analyzer.forget(event.document.uri);
    settings.forget(event.document.uri);
    cutOutlines.delete(event.document.uri);
  });

  connection.onShutdown(() => {
    validator.dispose();
    questionLists.dispose();
  });

  // Last resort: a bug outside the guarded handlers is logged instead of ending the session.
  process.on('uncaughtException', (error) => logError('Handling a message for', 'the server', error));
  process.on('unhandledRejection', (reason) => logError('Handling a message for', 'the server', reason));

  documents.listen(connection);
  connection.listen();
}

/** Reads a request file that is not open in the editor, so the extension can summarize it before a submit. */
async function readClosedDocument(uri: string): Promise<TextDocument> {
  const filePath = uriToFilePath(uri);
  if (filePath === undefined) throw new Error(`${uri} is not open and is not a file on disk`);
  const text = await readFile(filePath, 'utf8');
  return TextDocument.create(uri, 'xml', 0, text);
}

startServer(createConnection(ProposedFeatures.all));
