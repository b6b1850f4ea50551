import * as vscode from 'vscode';
import type { EnumerationsResult } from '../../../eca/src/index';
import { errorMessage } from '../log';
import { redactSecrets } from '../logic/mask';
import type { Services } from '../services';
import { withCancellableProgress } from '../progress';

/**
 * `ibkr.refreshQuestionList`: fetches SECURITY_QUESTIONS with `getEnumerations` from the active
 * environment, stores it for that environment and hands it to the language server.
 */
export async function refreshQuestionList(services: Services): Promise<void> {
  const connection = await services.connector.connect();
  if (connection === undefined) {
    return;
  }
  const { environment, client, secrets } = connection;

  let result: EnumerationsResult;
  try {
    result = await withCancellableProgress(`Fetching the security question list from IBKR ${environment.name}`, (signal) => client.getEnumerations({ signal }));
  } catch (error) {
    const message = `The security question list could not be fetched from ${environment.name} (${environment.host}): ${redactSecrets(errorMessage(error), secrets)}`;
    services.logger.error(message);
    void vscode.window.showErrorMessage(message);
    return;
  }

  if (result.entries.length === 0) {
    const message = `The security question list from ${environment.name} is empty, so the stored list was kept.`;
    services.logger.warn(message);
    void vscode.window.showWarningMessage(message);
    return;
  }
  try {
    await services.questionLists.store(environment.name, environment.baseUrl, result.entries);
  } catch (error) {
    const message = `The security question list from ${environment.name} could not be stored: ${errorMessage(error)}`;
    services.logger.error(message);
    void vscode.window.showErrorMessage(message);
    return;
  }
  const count = result.entries.length;
  services.logger.info(`Loaded ${count} security questions from ${environment.name} (${environment.host}).`);
  void vscode.window.showInformationMessage(`Loaded ${count} security ${count === 1 ? 'question' : 'questions'} from ${environment.name}`);
}
