import * as vscode from 'vscode';
import type { AccountDetailResult } from '../../../eca/src/index';
import { errorMessage } from '../log';
import { redactSecrets } from '../logic/mask';
import { userNameEdit } from '../logic/requestEdits';
import type { Services } from '../services';
import { withCancellableProgress } from '../progress';

/**
 * `ibkr.lookUpUserName`: finds the IBKR user name of an account with `getAccountDetail` and
 * writes it into `reference_user_name` of the SecurityQuestions request at the cursor, or copies
 * it to the clipboard when the cursor is in no request.
 */
export async function lookUpUserName(services: Services): Promise<void> {
  const accountId = await vscode.window.showInputBox({
    title: 'IBKR: Look Up User Name',
    prompt: 'The account id whose IBKR user name to look up, e.g. U1234567.',
    ignoreFocusOut: true,
    validateInput: (text) => (/^\s*[A-Za-z0-9]+\s*$/.test(text) ? undefined : 'An account id has letters and digits only, e.g. U1234567.'),
  });
  if (accountId === undefined) {
    return;
  }
  const id = accountId.trim();

  const connection = await services.connector.connect();
  if (connection === undefined) {
    return;
  }
  const { environment, client, secrets } = connection;
  let result: AccountDetailResult;
  try {
    result = await withCancellableProgress(`Looking up account ${id} on IBKR ${environment.name}`, (signal) => client.getAccountDetail(id, { signal }));
  } catch (error) {
    const message = `Account ${id} could not be looked up on ${environment.name} (${environment.host}): ${redactSecrets(errorMessage(error), secrets)}`;
    services.logger.error(message);
    void vscode.window.showErrorMessage(message);
    return;
  }

  const account =
    result.accounts.find((candidate) => candidate.userName !== null && candidate.accountId?.toUpperCase() === id.toUpperCase()) ??
    result.accounts.find((candidate) => candidate.userName !== null);
  const userName = account?.userName ?? null;
  if (userName === null) {
    services.logger.warn(`getAccountDetail on ${environment.name} returned no user name for account ${id}.`);
    const text = `IBKR account detail: no user name found\n\nAccount id: ${id}\nEnvironment: ${environment.name} (${environment.host})\nReply format: ${result.format}\n\nRaw reply:\n\n${result.raw}\n`;
    await services.results.show(`IBKR Account Detail (${id})`, text, result.xml ?? undefined, `IBKR Account Detail XML (${id})`);
    void vscode.window.showWarningMessage(`No user name for account ${id} was found in the reply from ${environment.name}; the result view shows the raw reply.`);
    return;
  }
  services.logger.info(`Account ${id} on ${environment.name} has user name ${userName}.`);
  await insertOrCopy(userName, id);
}

async function insertOrCopy(userName: string, accountId: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor !== undefined && editor.document.languageId === 'xml') {
    const document = editor.document;
    const result = userNameEdit(document.getText(), document.offsetAt(editor.selection.active), userName);
    if ('edit' in result) {
      const range = new vscode.Range(document.positionAt(result.edit.span.start), document.positionAt(result.edit.span.end));
      const applied = await editor.edit((builder) => builder.replace(range, result.edit.newText));
      if (applied) {
        void vscode.window.showInformationMessage(`Set reference_user_name to ${userName} (account ${accountId}).`);
        return;
      }
    } else if ('error' in result) {
      await vscode.env.clipboard.writeText(userName);
      void vscode.window.showWarningMessage(`${result.error} The user name ${userName} was copied to the clipboard.`);
      return;
    }
  }
  await vscode.env.clipboard.writeText(userName);
  void vscode.window.showInformationMessage(`Account ${accountId} has user name ${userName} (copied to the clipboard: the cursor is in no SecurityQuestions request).`);
}
