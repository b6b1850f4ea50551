import * as vscode from 'vscode';
import { checkRequestStatus } from './commands/checkRequestStatus';
import { lookUpUserName } from './commands/lookUpUserName';
import { refreshQuestionList } from './commands/refreshQuestionList';
import { setCredentials } from './commands/setCredentials';
import { submit } from './commands/submit';
import { CatalogFileWatcher } from './catalogWatcher';
import { Settings } from './config';
import { CredentialStore } from './credentials';
import { EcaConnector } from './ecaConnection';
import { EnvironmentStatus, selectEnvironment } from './environment';
import { GitExposureWarnings } from './gitExposure';
import { ServerConnection } from './languageClient';
import { LocalEmulator } from './localEmulator';
import { createLogger, errorMessage } from './log';
import { QuestionLists } from './questionLists';
import { RequestFileLenses } from './requestFiles';
import { ResultViews } from './resultView';
import type { Services } from './services';
import { SubmitDiagnostics } from './submitDiagnostics';

let services: Services | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const channel = vscode.window.createOutputChannel('IBKR', { log: true });
  context.subscriptions.push(channel);
  const logger = createLogger(channel);
  const packageVersion = (context.extension.packageJSON as { version?: unknown }).version;
  const version = typeof packageVersion === 'string' ? packageVersion : 'unknown';
  logger.info(`IBKR Account Management Requests ${version} activated (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: submitting is disabled'}).`);

  const settings = new Settings(logger);
  const server = new ServerConnection(context, channel, logger);
  const credentials = new CredentialStore(context.secrets, settings, logger);
  const emulator = new LocalEmulator(settings, logger);
  const connector = new EcaConnector(settings, credentials, emulator, logger);
  const results = new ResultViews();
  const submitDiagnostics = new SubmitDiagnostics();
  const questionLists = new QuestionLists(context.globalStorageUri.fsPath, server, settings, logger);
  const current: Services = { channel, logger, settings, server, credentials, emulator, connector, results, submitDiagnostics, questionLists };
  services = current;

  context.subscriptions.push(
    server,
    emulator,
    results,
    submitDiagnostics,
    questionLists,
    new CatalogFileWatcher(server),
    new EnvironmentStatus(settings),
    new RequestFileLenses(server, settings, logger),
    new GitExposureWarnings(logger),
    registerCommand('ibkr.submit', (target) => submit(current, target)),
    registerCommand('ibkr.refreshQuestionList', () => refreshQuestionList(current)),
    registerCommand('ibkr.checkRequestStatus', (requestId) => checkRequestStatus(current, requestId)),
    registerCommand('ibkr.lookUpUserName', () => lookUpUserName(current)),
    registerCommand('ibkr.setCredentials', () => setCredentials(current)),
    registerCommand('ibkr.selectEnvironment', () => selectEnvironment(settings, logger)),
    registerCommand('ibkr.startLocalEmulator', () => startLocalEmulator(current)),
    registerCommand('ibkr.showOutput', () => channel.show()),
    registerCommand('ibkr.showRawResponse', (uri) => results.showRawXml(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('ibkr')) {
        settings.checkWorkspaceOverrides();
      }
    }),
  );
  settings.checkWorkspaceOverrides();

  function registerCommand(id: string, run: (argument?: unknown) => unknown): vscode.Disposable {
    return vscode.commands.registerCommand(id, async (argument?: unknown) => {
      try {
        await run(argument);
      } catch (error) {
        // Commands report expected failures themselves; this catches the rest so none is silent.
        logger.error(`${id} failed: ${errorMessage(error)}`);
        void vscode.window.showErrorMessage(`IBKR: ${id} failed: ${errorMessage(error)}`);
      }
    });
  }

  try {
    await server.start();
  } catch (error) {
    logger.error(`The IBKR language server could not start: ${errorMessage(error)}`);
    void vscode.window.showErrorMessage('The IBKR language server could not start, so request files are not checked. See the IBKR output.');
  }
}

async function startLocalEmulator(current: Services): Promise<void> {
  const handle = await current.emulator.start();
  if (handle !== undefined) {
    await current.questionLists.sendStoredList();
  }
}

export async function deactivate(): Promise<void> {
  const current = services;
  services = undefined;
  if (current === undefined) {
    return;
  }
  await current.emulator.stop();
  if (current.server.isRunning()) {
    await current.server.client.stop();
  }
}
