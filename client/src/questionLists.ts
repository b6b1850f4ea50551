import * as vscode from 'vscode';
import type { EnvironmentName, QuestionListEntry } from '../../server/src/protocol';
import type { Settings } from './config';
import type { ServerConnection } from './languageClient';
import type { Logger } from './log';
import { errorMessage } from './log';
import { readQuestionList, writeQuestionList } from './logic/questionStore';

/**
 * The security question lists fetched per environment. The list of the active environment is
 * sent to the server at start, after a server restart and when the environment changes. Without
 * a stored list the server falls back to `ibkr.securityQuestions.catalogFile`.
 */
export class QuestionLists implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly storageDir: string,
    private readonly server: ServerConnection,
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {
    this.subscriptions.push(
      server.onDidStart(() => void this.sendStoredList()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('ibkr.environment') || event.affectsConfiguration('ibkr.customUrl') || event.affectsConfiguration('ibkr.emulator.port')) {
          void this.sendStoredList();
        }
      }),
    );
  }

  /** Stores a freshly fetched list and sends it to the server at once. */
  async store(environment: EnvironmentName, baseUrl: string, questions: QuestionListEntry[]): Promise<void> {
    await writeQuestionList(this.storageDir, { environment, baseUrl, fetchedAt: new Date().toISOString(), questions });
    await this.send(environment, questions);
  }

  /** Sends the stored list of the active environment, or clears the server's list when there is none. */
  async sendStoredList(): Promise<void> {
    if (!this.server.isRunning()) {
      return;
    }
    const resolution = this.settings.environment();
    if ('error' in resolution) {
      await this.server.setQuestionList({ origin: '', questions: null });
      return;
    }
    const { name, baseUrl } = resolution.environment;
    try {
      const stored = await readQuestionList(this.storageDir, name);
      if ('error' in stored) {
        this.logger.warn(stored.error);
        await this.server.setQuestionList({ origin: '', questions: null });
        return;
      }
      // A custom list belongs to the URL it came from; the emulator's list stays valid when its port changes.
      if (stored.list === undefined || (name === 'custom' && stored.list.baseUrl !== baseUrl)) {
        await this.server.setQuestionList({ origin: '', questions: null });
        return;
      }
      await this.send(name, stored.list.questions);
      this.logger.info(`Sent the stored question list of ${name} (${stored.list.questions.length} questions, fetched ${stored.list.fetchedAt}) to the language server.`);
    } catch (error) {
      this.logger.error(`The stored question list of ${name} could not be sent to the language server: ${errorMessage(error)}`);
    }
  }

  private async send(environment: EnvironmentName, questions: QuestionListEntry[]): Promise<void> {
    await this.server.setQuestionList({ origin: `getEnumerations (${environment})`, questions });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }
}
