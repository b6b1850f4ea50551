/**
 * The text of the read-only view that shows a response from IBKR (or the emulator). It is plain
 * text with one `Name: value` line per field so that it reads the same in any editor and a test
 * can search it. Responses never contain answers, and the ECA client masks the CSID in the raw
 * reply, so nothing here is masked.
 */

import type {
  ExecutionDetails,
  ExtraElement,
  PendingTask,
  RawReply,
  RequestResult,
  RequestStatusResult,
  SignatureCheck,
  SubmitOutcome,
} from '../../../eca/src/index';

/** Longest reply field value shown; longer ones are cut and their length given. */
const MAX_FIELD_LENGTH = 300;
/** Characters of the raw reply shown for an unreadable reply: enough for the title and message of an error page. */
export const MAX_RAW_REPLY_PREVIEW = 2000;

export interface SubmitContext {
  fileName: string;
  /** When the request was sent. */
  sentAt: Date;
}

/** Formats the view's heading: the outcome in capitals, as IBKR writes `request_status`. */
export function outcomeHeadline(outcome: SubmitOutcome): string {
  switch (outcome.outcome) {
    case 'processed':
    case 'error':
    case 'pending':
      return `IBKR response: ${outcome.status ?? outcome.outcome.toUpperCase()}`;
    case 'not-processed':
      return 'IBKR response: NOT PROCESSED';
    case 'invalid-response':
      return 'IBKR response: INVALID RESPONSE';
    case 'unknown':
      return 'IBKR response: OUTCOME UNKNOWN';
  }
}

export function renderSubmitOutcome(outcome: SubmitOutcome, context: SubmitContext): string {
  const lines: string[] = [outcomeHeadline(outcome), ''];
  lines.push(`File: ${context.fileName}`);
  lines.push(`Environment: ${outcome.environment} (${outcome.host})`);
  lines.push(`Sent: ${context.sentAt.toISOString()}`);
  lines.push(`Outcome: ${outcome.outcome}`);
  pushField(lines, 'Status', outcome.status, '');
  pushField(lines, 'Request id', outcome.requestId, '');
  pushField(lines, 'Message', outcome.message, '');
  pushField(lines, 'Detail', outcome.detail, '');
  if (outcome.requests.length === 0) {
    pushList(lines, 'Errors', outcome.errors);
  }

  outcome.requests.forEach((request, index) => {
    lines.push('', `Request ${index + 1} of ${outcome.requests.length}: ${request.requestType}`);
    pushRequest(lines, request);
  });

  if (outcome.execution !== null) {
    lines.push('', 'Execution');
    pushExecution(lines, outcome.execution);
  }

  lines.push('', 'Reply');
  pushField(lines, 'HTTP status', outcome.httpStatus === null ? 'no reply' : String(outcome.httpStatus));
  if (outcome.envelope !== null) {
    pushField(lines, 'isProcessed', String(outcome.envelope.isProcessed));
    pushField(lines, 'Batch id', outcome.envelope.batchId === null ? null : String(outcome.envelope.batchId));
    pushField(lines, 'Name', outcome.envelope.name);
  }
  pushField(lines, 'Zip entry', outcome.fileName);
  pushSignature(lines, outcome.signature);
  if (outcome.outcome === 'invalid-response' || outcome.outcome === 'not-processed') {
    pushRawReply(lines, outcome.rawReply ?? null);
  }
  lines.push('', rawXmlHint(outcome.responseXml !== null));
  return lines.join('\n') + '\n';
}

export function renderRequestStatus(result: RequestStatusResult, requestId: string, environment: string, host: string, checkedAt: Date): string {
  const first = result.requests[0];
  const headline = first === undefined ? 'IBKR request status: see the reply below' : `IBKR request status: ${first.status ?? 'UNKNOWN'}`;
  const lines: string[] = [headline, ''];
  lines.push(`Request id: ${requestId}`);
  lines.push(`Environment: ${environment} (${host})`);
  lines.push(`Checked: ${checkedAt.toISOString()}`);
  lines.push(`Reply format: ${result.format}`);
  result.requests.forEach((request, index) => {
    lines.push('', `Request ${index + 1} of ${result.requests.length}: ${request.requestType}`);
    pushRequest(lines, request);
  });
  // `fileData` contains the encrypted reply, which is shown decrypted above and in the raw XML view.
  const fieldNames = Object.keys(result.fields).filter((name) => name !== 'fileData');
  if (fieldNames.length > 0) {
    lines.push('', 'Reply fields');
    for (const name of fieldNames) {
      pushField(lines, name, truncate(JSON.stringify(result.fields[name]) ?? 'undefined', MAX_FIELD_LENGTH));
    }
  }
  pushSignature(lines, result.signature);
  if (result.requests.length === 0) {
    lines.push('', 'The reply had no request status that this version can read. Raw reply:', '', result.raw);
  }
  lines.push('', rawXmlHint(result.xml !== null));
  return lines.join('\n') + '\n';
}

function pushRequest(lines: string[], request: RequestResult): void {
  if (request.reference !== null) {
    pushField(lines, request.reference.attribute, request.reference.value);
  }
  pushField(lines, 'Status', request.status);
  pushField(lines, 'Request id', request.requestId);
  pushField(lines, 'Message', request.message);
  pushList(lines, 'Errors', request.errors);
  if (request.pendingTasks.length > 0) {
    lines.push(`  Pending tasks (${request.pendingTasks.length}):`);
    for (const task of request.pendingTasks) {
      lines.push(`    - ${describeTask(task)}`);
    }
  }
  for (const [name, value] of Object.entries(request.attributes)) {
    pushField(lines, name, value);
  }
  pushExtra(lines, request.extra);
}

function describeTask(task: PendingTask): string {
  const parts: string[] = [];
  if (task.formNumber !== null) parts.push(`form ${task.formNumber}`);
  if (task.formName !== null) parts.push(`"${task.formName}"`);
  if (task.action !== null) parts.push(`action ${task.action}`);
  if (task.requiredForApproval !== null) parts.push(`required for approval: ${yesNo(task.requiredForApproval)}`);
  if (task.requiredForTrading !== null) parts.push(`required for trading: ${yesNo(task.requiredForTrading)}`);
  if (task.onlineTask !== null) parts.push(`online task: ${yesNo(task.onlineTask)}`);
  const known = new Set(['Form_Number', 'Form_Name', 'Action', 'Is_Required_For_Approval', 'Is_Required_For_Trading', 'Is_Online_Task']);
  for (const [name, value] of Object.entries(task.attributes)) {
    if (!known.has(name)) parts.push(`${name}=${value}`);
  }
  for (const extra of task.extra) {
    parts.push(`${extra.name}: ${oneLine(extra.text)}`);
  }
  return parts.length > 0 ? parts.join(', ') : `<${task.element}> with no attributes`;
}

function pushExecution(lines: string[], execution: ExecutionDetails): void {
  pushField(lines, 'Execution date', execution.date);
  pushField(lines, 'Process file', execution.processFile);
  pushField(lines, 'Client', execution.client);
  pushField(lines, 'Master account', execution.masterAcct);
  pushField(lines, 'Schema version', execution.schemaVersion);
  for (const [name, value] of Object.entries(execution.attributes)) {
    pushField(lines, name, value);
  }
  pushExtra(lines, execution.extra);
}

function pushSignature(lines: string[], signature: SignatureCheck | null): void {
  if (signature === null) {
    return;
  }
  const key = signature.keyId === null ? '' : ` (key ${signature.keyId})`;
  pushField(lines, 'Signature', `${signature.status}${key}: ${signature.message}`);
}

/** Shows the reply as received for a reply that could not be read or was not processed, because its body often explains the failure. */
function pushRawReply(lines: string[], rawReply: RawReply | null): void {
  if (rawReply === null) {
    return;
  }
  lines.push('', 'Raw reply');
  pushField(lines, 'HTTP status', String(rawReply.httpStatus));
  pushField(lines, 'Content type', rawReply.contentType ?? 'none');
  pushField(lines, 'Bytes read', String(rawReply.bytes));
  if (rawReply.text === '') {
    lines.push('  Body: empty');
    return;
  }
  const shown = rawReply.text.slice(0, MAX_RAW_REPLY_PREVIEW);
  const cut = rawReply.truncated || shown.length < rawReply.text.length;
  lines.push(cut ? `  Body (the first ${shown.length} characters):` : '  Body:');
  for (const line of shown.replace(/\r\n?/g, '\n').split('\n')) {
    lines.push(`    ${line}`);
  }
}

function pushExtra(lines: string[], extra: readonly ExtraElement[]): void {
  for (const element of extra) {
    pushField(lines, element.name, element.text === '' ? element.xml : element.text);
  }
}

function pushField(lines: string[], name: string, value: string | null | undefined, indent = '  '): void {
  if (value === null || value === undefined || value === '') {
    return;
  }
  lines.push(`${indent}${name}: ${oneLine(value)}`);
}

function pushList(lines: string[], name: string, values: readonly string[]): void {
  if (values.length === 0) {
    return;
  }
  lines.push(`  ${name}:`);
  for (const value of values) {
    lines.push(`    - ${oneLine(value)}`);
  }
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function rawXmlHint(hasXml: boolean): string {
  return hasXml
    ? 'Raw response XML: click "Show Raw Response XML" above, or run "IBKR: Show Raw Response XML".'
    : 'No response XML was received.';
}
