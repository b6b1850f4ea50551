import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, DiagnosticCodes } from '../../../server/src/check/codes';
import { describeCorruptRecord, EcaError, findSubmissions, recordSubmission, type NotSentOutcome, type SubmissionEntry, type SubmitOutcome } from '../../../eca/src/index';
import type { RequestSummaryResult } from '../../../server/src/protocol';
import type { Services } from '../services';
import { errorMessage } from '../log';
import { submitConfirmation, SUBMIT_BUTTON, matchesTypedConfirmation, typedConfirmationPrompt, userNames } from '../logic/confirmation';
import { redactSecrets } from '../logic/mask';
import { earlierSubmissions, previousSubmissionWarning, SUBMIT_ANYWAY_BUTTON } from '../logic/previousSubmissions';
import { encodingRejection } from '../logic/encodingGate';
import { answersOf } from '../logic/requestEdits';
import { renderSubmitOutcome } from '../logic/resultText';
import { withCancellableProgress } from '../progress';

export const CHECK_NOW_BUTTON = 'Check Now';
export const CHECK_LATER_BUTTON = 'Check Status Later';
export const SHOW_PROBLEMS_BUTTON = 'Show Problems';
export const SHOW_OUTPUT_BUTTON = 'Show Output';
/** How long to wait for the server to refresh stale diagnostics after a save. */
const DIAGNOSTICS_SETTLE_MS = 3000;

/**
 * `ibkr.submit`: saves the request file, refuses it while it has errors, warns about an earlier
 * submission for the same user, requests confirmation, sends it with a cancellable progress
 * notification, records it and shows the parsed response.
 */
export async function submit(services: Services, target?: unknown): Promise<void> {
  const { logger } = services;
  if (!vscode.workspace.isTrusted) {
    const choice = await vscode.window.showWarningMessage(
      'Submitting to IBKR is disabled in an untrusted workspace. Trust the workspace to submit request files.',
      'Manage Workspace Trust',
    );
    if (choice !== undefined) {
      await vscode.commands.executeCommand('workbench.trust.manage');
    }
    return;
  }

  const document = await targetDocument(target);
  if (document === undefined) {
    void vscode.window.showErrorMessage('Open a request file (for example one ending in .ibkr.xml) to submit it.');
    return;
  }
  const name = path.basename(document.uri.path);
  if (document.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`Save ${name} to a file on disk before submitting it: only saved files are sent and recorded.`);
    return;
  }
  if (document.isDirty && !(await document.save())) {
    void vscode.window.showErrorMessage(`${name} could not be saved, so it was not submitted.`);
    return;
  }

  const summary = await requestSummary(services, document);
  if (summary === undefined) {
    return;
  }
  if (!(await checkSendable(document, name, summary))) {
    return;
  }
  // A warning in the editor, but a refusal here: the garbled answers could not be set again.
  const rejection = encodingRejection(document.getText(), name);
  if (rejection !== undefined) {
    void vscode.window.showErrorMessage(rejection);
    return;
  }

  const connection = await services.connector.connect({ requestTimeoutSeconds: services.settings.timeoutSeconds() });
  if (connection === undefined) {
    return;
  }
  const { environment, client } = connection;
  const secrets = [...connection.secrets, ...answersOf(document.getText())];

  const recordFile = services.settings.submissionRecordFile();
  if ('error' in recordFile) {
    void vscode.window.showErrorMessage(`${recordFile.error} Nothing was sent.`);
    return;
  }
  const earlier = await readEarlierSubmissions(services, recordFile.path, environment.name, summary);
  if (earlier === undefined) {
    return;
  }
  const warning = previousSubmissionWarning(earlier, environment.name);
  if (warning !== undefined) {
    const choice = await vscode.window.showWarningMessage(warning.message, { modal: true, detail: warning.detail }, SUBMIT_ANYWAY_BUTTON);
    if (choice !== SUBMIT_ANYWAY_BUTTON) {
      logger.info(`Submit of ${document.uri.fsPath} to ${environment.name} cancelled at the earlier-submission warning.`);
      return;
    }
  }

  const confirmation = submitConfirmation(environment, name, summary.requests);
  const modal = { modal: true, detail: confirmation.detail };
  const confirmed =
    environment.name === 'production'
      ? await vscode.window.showWarningMessage(confirmation.message, modal, SUBMIT_BUTTON)
      : await vscode.window.showInformationMessage(confirmation.message, modal, SUBMIT_BUTTON);
  if (confirmed !== SUBMIT_BUTTON) {
    logger.info(`Submit of ${document.uri.fsPath} to ${environment.name} cancelled at the confirmation.`);
    return;
  }
  if (environment.name === 'production' && !(await confirmProductionByTyping(summary))) {
    logger.info(`Submit of ${document.uri.fsPath} to production cancelled: the user name was not typed.`);
    return;
  }
  if (document.isDirty) {
    void vscode.window.showErrorMessage(`${name} changed while the confirmation was open, so it was not submitted. Submit it again.`);
    return;
  }

  let data: Uint8Array;
  try {
    data = new Uint8Array(await fs.readFile(document.uri.fsPath));
  } catch (error) {
    void vscode.window.showErrorMessage(`${document.uri.fsPath} could not be read (${errorMessage(error)}), so it was not submitted.`);
    return;
  }

  services.submitDiagnostics.clear(document.uri);
  const sentAt = new Date();
  logger.info(`Submitting ${document.uri.fsPath} to ${environment.name} (${environment.host}).`);
  let outcome: SubmitOutcome;
  try {
    outcome = await withCancellableProgress(`Submitting ${name} to IBKR ${environment.name}`, (signal) => client.update({ name, data }, { signal }));
  } catch (error) {
    // Recorded too, so that the record lists every attempt. A `not-sent` entry never counts as an earlier submission.
    if (error instanceof EcaError && error.notSent !== undefined) {
      await record(services, recordFile.path, document.uri.fsPath, data, error.notSent, sentAt);
    }
    reportSendFailure(services, name, error, secrets);
    return;
  }
  const elapsed = Date.now() - sentAt.getTime();
  logger.info(
    redactSecrets(
      `Submitted ${document.uri.fsPath} to ${environment.name} (${outcome.host}): ${outcome.outcome}${outcome.requestId === null ? '' : `, request id ${outcome.requestId}`}${outcome.status === null ? '' : `, status ${outcome.status}`}, in ${elapsed} ms.`,
      secrets,
    ),
  );

  await record(services, recordFile.path, document.uri.fsPath, data, outcome, sentAt);
  if (outcome.requests.some((request) => request.outcome === 'error')) {
    services.submitDiagnostics.show(document, outcome.requests);
  }
  await services.results.show(`IBKR Response (${name})`, renderSubmitOutcome(outcome, { fileName: name, sentAt }), outcome.responseXml ?? undefined, `IBKR Response XML (${name})`);
  notifyOutcome(outcome, name, secrets);
}

async function targetDocument(target: unknown): Promise<vscode.TextDocument | undefined> {
  if (target instanceof vscode.Uri) {
    return vscode.workspace.openTextDocument(target);
  }
  return vscode.window.activeTextEditor?.document;
}

async function requestSummary(services: Services, document: vscode.TextDocument): Promise<RequestSummaryResult | undefined> {
  if (!services.server.isRunning()) {
    void vscode.window.showErrorMessage('The IBKR language server is not running, so the file cannot be checked before it is sent. See the IBKR output.', SHOW_OUTPUT_BUTTON).then((choice) => {
      if (choice === SHOW_OUTPUT_BUTTON) services.channel.show();
    });
    return undefined;
  }
  try {
    return await services.server.requestSummary(document.uri);
  } catch (error) {
    services.logger.error(`The request summary of ${document.uri.fsPath} failed: ${errorMessage(error)}`);
    void vscode.window.showErrorMessage(`The IBKR language server could not read ${path.basename(document.uri.path)} (${errorMessage(error)}), so it was not submitted.`);
    return undefined;
  }
}

/** Rejects a file that is not a request file, contains no request, or has Error diagnostics. */
async function checkSendable(document: vscode.TextDocument, name: string, summary: RequestSummaryResult): Promise<boolean> {
  if (!summary.isRequestFile) {
    void vscode.window.showErrorMessage(`${name} is not an IBKR request file: its root element is not AcctMgmtRequests and it does not match ibkr.requestFiles.`);
    return false;
  }
  if (summary.requests.length === 0) {
    void vscode.window.showErrorMessage(`${name} contains no request to submit.`);
    return false;
  }
  let editorErrors = countCheckErrors(document.uri);
  if (summary.errorCount === 0 && editorErrors > 0) {
    // The server found no error in the saved text, so the editor may still show diagnostics of
    // an earlier version (validation on save publishes a moment later).
    await diagnosticsChange(document.uri, DIAGNOSTICS_SETTLE_MS);
    editorErrors = countCheckErrors(document.uri);
  }
  const errors = Math.max(summary.errorCount, editorErrors);
  if (errors > 0) {
    const choice = await vscode.window.showErrorMessage(
      `${name} has ${errors} ${errors === 1 ? 'error' : 'errors'} from the IBKR checks. Fix ${errors === 1 ? 'it' : 'them'} before submitting.`,
      SHOW_PROBLEMS_BUTTON,
    );
    if (choice === SHOW_PROBLEMS_BUTTON) {
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
    return false;
  }
  return true;
}

/** Error diagnostics of the checks (source `ibkr`), not the results of an earlier submission. */
function countCheckErrors(uri: vscode.Uri): number {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => {
    const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
    return diagnostic.source === DIAGNOSTIC_SOURCE && diagnostic.severity === vscode.DiagnosticSeverity.Error && code !== DiagnosticCodes.submitError;
  }).length;
}

function diagnosticsChange(uri: vscode.Uri, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) {
        done();
      }
    });
    function done(): void {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    }
  });
}

async function readEarlierSubmissions(
  services: Services,
  recordFile: string,
  environment: SubmissionEntry['environment'],
  summary: RequestSummaryResult,
): Promise<SubmissionEntry[] | undefined> {
  const entries: SubmissionEntry[] = [];
  let corruptReported = false;
  try {
    for (const user of userNames(summary.requests)) {
      const found = await findSubmissions(recordFile, environment, user);
      // A loop, not push(...entries): a long-lived record can hold more entries than a call's argument limit.
      for (const entry of found.entries) entries.push(entry);
      // Every read returns every corrupt line of the file, so one report covers all users.
      const corrupt = describeCorruptRecord(recordFile, found);
      if (corrupt !== undefined && !corruptReported) {
        corruptReported = true;
        services.logger.warn(corrupt);
        void vscode.window.showWarningMessage(corrupt);
      }
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`The submission record ${recordFile} could not be read (${errorMessage(error)}), so an earlier submission cannot be ruled out. Nothing was sent.`);
    return undefined;
  }
  const unique = [...new Set(entries)];
  return earlierSubmissions(unique, environment, summary.requests);
}

async function confirmProductionByTyping(summary: RequestSummaryResult): Promise<boolean> {
  const names = userNames(summary.requests);
  if (names.length === 0) {
    void vscode.window.showErrorMessage('The file names no reference_user_name, so it cannot be confirmed for production.');
    return false;
  }
  const typed = await vscode.window.showInputBox({
    title: 'IBKR: Confirm Production Submit',
    prompt: typedConfirmationPrompt(names),
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() === '' || matchesTypedConfirmation(text, names) ? undefined : 'This does not match the user name in the file.'),
  });
  return typed !== undefined && matchesTypedConfirmation(typed, names);
}

function reportSendFailure(services: Services, name: string, error: unknown, secrets: readonly string[]): void {
  const message = redactSecrets(errorMessage(error), secrets);
  if (error instanceof EcaError && error.code === 'cancelled') {
    services.logger.info(`Submit of ${name} cancelled before anything was sent.`);
    void vscode.window.showInformationMessage(`Submit of ${name} cancelled. Nothing was sent.`);
    return;
  }
  if (error instanceof EcaError) {
    // The ECA client raises only when nothing reached the server, and its message states that.
    services.logger.error(`Submit of ${name} failed: ${message}`);
    void vscode.window.showErrorMessage(`Submitting ${name} failed: ${message}`);
    return;
  }
  services.logger.error(`Submit of ${name} failed unexpectedly: ${message}`);
  void vscode.window.showErrorMessage(`Submitting ${name} failed: ${message} The outcome is unknown: check the status before sending again.`);
}

async function record(services: Services, recordFile: string, filePath: string, data: Uint8Array, outcome: SubmitOutcome | NotSentOutcome, time: Date): Promise<void> {
  try {
    await recordSubmission({ recordFile, filePath, data, outcome, time });
  } catch (error) {
    const reason = errorMessage(error);
    const message =
      outcome.outcome === 'not-sent'
        ? `The failed attempt could not be recorded in ${recordFile} (${reason}).`
        : `The submission could not be recorded in ${recordFile} (${reason}), so a second submission for this user will not be flagged.`;
    services.logger.error(message);
    void vscode.window.showWarningMessage(message);
  }
}

/** Shows the notification after a submission, which repeats the headline of the result view. */
function notifyOutcome(outcome: SubmitOutcome, name: string, secrets: readonly string[]): void {
  const id = outcome.requestId === null ? '' : `, request ${outcome.requestId}`;
  const more = outcome.requests.length > 1 ? ` (${outcome.requests.length} requests; see the response view)` : '';
  const message = redactSecrets(outcome.message, secrets);
  switch (outcome.outcome) {
    case 'processed':
      void vscode.window.showInformationMessage(`IBKR: PROCESSED${id}${more}. ${message}`);
      return;
    case 'error': {
      const reason = redactSecrets(outcome.errors[0] ?? outcome.message, secrets);
      void vscode.window.showErrorMessage(`IBKR: ERROR${id}${more}. ${reason}`);
      return;
    }
    case 'pending': {
      const requestId = outcome.requestId;
      const buttons = requestId === null ? [] : [CHECK_NOW_BUTTON, CHECK_LATER_BUTTON];
      void vscode.window.showInformationMessage(`IBKR: PENDING${id}${more}. ${message}`, ...buttons).then((choice) => {
        if (choice === CHECK_NOW_BUTTON && requestId !== null) {
          void vscode.commands.executeCommand('ibkr.checkRequestStatus', requestId);
        }
      });
      return;
    }
    case 'not-processed':
      void vscode.window.showErrorMessage(`IBKR did not process ${name}. ${message}`);
      return;
    case 'invalid-response':
    case 'unknown':
      // The client's message already says what to do before sending again.
      void vscode.window.showErrorMessage(message.includes('before sending again') ? message : `${message} Check the status before sending again.`);
      return;
  }
}
