import * as vscode from 'vscode';
import { readSubmissions, type RequestStatusResult, type SubmissionEntry } from '../../../eca/src/index';
import { errorMessage } from '../log';
import { describeEntry } from '../logic/previousSubmissions';
import { redactSecrets } from '../logic/mask';
import { renderRequestStatus } from '../logic/resultText';
import type { Services } from '../services';
import { withCancellableProgress } from '../progress';

/** Records offered in the pick list, newest first. */
const MAX_PICKED_RECORDS = 20;

interface RequestItem extends vscode.QuickPickItem {
  requestId: string | undefined;
}

/**
 * `ibkr.checkRequestStatus [requestId]`: requests the status of a request from the active
 * environment with `getAmRequestStatus`. Without an id it offers the recorded submissions of the
 * active environment, or an id typed in.
 */
export async function checkRequestStatus(services: Services, requestIdArgument?: unknown): Promise<void> {
  let requestId = typeof requestIdArgument === 'string' || typeof requestIdArgument === 'number' ? String(requestIdArgument) : undefined;
  if (requestId === undefined) {
    requestId = await pickRequestId(services);
    if (requestId === undefined) {
      return;
    }
  }

  const connection = await services.connector.connect();
  if (connection === undefined) {
    return;
  }
  const { environment, client, secrets } = connection;
  let result: RequestStatusResult;
  try {
    result = await withCancellableProgress(`Checking request ${requestId} on IBKR ${environment.name}`, (signal) => client.getAmRequestStatus(requestId, { signal }));
  } catch (error) {
    const message = `The status of request ${requestId} could not be fetched from ${environment.name} (${environment.host}): ${redactSecrets(errorMessage(error), secrets)}`;
    services.logger.error(message);
    void vscode.window.showErrorMessage(message);
    return;
  }

  const status = result.requests.find((request) => request.requestId === requestId)?.status ?? result.requests[0]?.status ?? null;
  services.logger.info(`Request ${requestId} on ${environment.name} (${environment.host}): ${status ?? 'no status found in the reply'}.`);
  const text = renderRequestStatus(result, requestId, environment.name, environment.host, new Date());
  await services.results.show(`IBKR Request Status (${requestId})`, text, result.xml ?? undefined, `IBKR Request Status XML (${requestId})`);
  if (status === null) {
    void vscode.window.showWarningMessage(`The reply for request ${requestId} holds no status that this version can read; the result view shows the raw reply.`);
  } else {
    void vscode.window.showInformationMessage(`Request ${requestId} on ${environment.name}: ${status}`);
  }
}

async function pickRequestId(services: Services): Promise<string | undefined> {
  const items: RequestItem[] = [{ label: 'Enter a request id…', requestId: undefined, alwaysShow: true }];
  const recorded = await recordedRequests(services);
  for (const entry of recorded) {
    items.push({ label: entry.requestId ?? '', description: entry.status ?? entry.outcome, detail: describeEntry(entry), requestId: entry.requestId ?? undefined });
  }
  const picked =
    recorded.length === 0
      ? items[0]
      : await vscode.window.showQuickPick(items, { title: 'IBKR: Check Request Status', placeHolder: 'Pick a recorded submission or enter a request id', matchOnDetail: true });
  if (picked === undefined) {
    return undefined;
  }
  if (picked.requestId !== undefined) {
    return picked.requestId;
  }
  const typed = await vscode.window.showInputBox({
    title: 'IBKR: Check Request Status',
    prompt: 'The request id that IBKR returned (a non-negative integer).',
    ignoreFocusOut: true,
    validateInput: (text) => (/^\s*\d+\s*$/.test(text) ? undefined : 'A request id is a non-negative integer, e.g. 486582.'),
  });
  return typed?.trim();
}

/** Recorded submissions of the active environment that have a request id, newest first. */
async function recordedRequests(services: Services): Promise<SubmissionEntry[]> {
  const resolution = services.settings.environment();
  const recordFile = services.settings.submissionRecordFile();
  if ('error' in resolution || !('path' in recordFile)) {
    return [];
  }
  try {
    const record = await readSubmissions(recordFile.path);
    return record.entries
      .filter((entry) => entry.environment === resolution.environment.name && entry.requestId !== null)
      .sort((a, b) => b.time.localeCompare(a.time))
      .slice(0, MAX_PICKED_RECORDS);
  } catch (error) {
    services.logger.warn(`The submission record ${recordFile.path} could not be read (${errorMessage(error)}); enter the request id instead.`);
    return [];
  }
}
