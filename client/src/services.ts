import type * as vscode from 'vscode';
import type { Settings } from './config';
import type { CredentialStore } from './credentials';
import type { EcaConnector } from './ecaConnection';
import type { ServerConnection } from './languageClient';
import type { LocalEmulator } from './localEmulator';
import type { Logger } from './log';
import type { QuestionLists } from './questionLists';
import type { ResultViews } from './resultView';
import type { SubmitDiagnostics } from './submitDiagnostics';

/** The objects that the commands share, created once in `activate`. */
export interface Services {
  channel: vscode.LogOutputChannel;
  logger: Logger;
  settings: Settings;
  server: ServerConnection;
  credentials: CredentialStore;
  emulator: LocalEmulator;
  connector: EcaConnector;
  results: ResultViews;
  submitDiagnostics: SubmitDiagnostics;
  questionLists: QuestionLists;
}
