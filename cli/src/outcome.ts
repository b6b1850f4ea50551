/** Printing what IBKR (or the emulator) returned: submission outcomes and request results. */

import type { ExecutionDetails, PendingTask, RawReply, RequestResult, SubmitOutcome } from '../../eca/src/index';
import { ExitCode, type ExitCodeValue } from './errors';

/** Maps an outcome kind to the exit code: 0 processed, 2 error, 3 pending, 4 anything else. */
export function exitCodeOfOutcomeKind(kind: string | undefined): ExitCodeValue {
  switch (kind) {
    case 'processed':
      return ExitCode.ok;
    case 'error':
      return ExitCode.requestError;
    case 'pending':
      return ExitCode.requestPending;
    default:
      return ExitCode.failure;
  }
}

export function exitCodeOfOutcome(outcome: SubmitOutcome): ExitCodeValue {
  return exitCodeOfOutcomeKind(outcome.outcome);
}

function taskJson(task: PendingTask): Record<string, unknown> {
  return {
    formNumber: task.formNumber,
    formName: task.formName,
    action: task.action,
    requiredForApproval: task.requiredForApproval,
    requiredForTrading: task.requiredForTrading,
    onlineTask: task.onlineTask,
  };
}

function executionJson(execution: ExecutionDetails | null): Record<string, unknown> | null {
  if (execution === null) {
    return null;
  }
  return { date: execution.date, processFile: execution.processFile, client: execution.client, masterAcct: execution.masterAcct };
}

function requestJson(request: RequestResult): Record<string, unknown> {
  return {
    requestType: request.requestType,
    userName: request.reference?.value ?? null,
    status: request.status,
    requestId: request.requestId,
    message: request.message,
    errors: request.errors,
    pendingTasks: request.pendingTasks.map(taskJson),
  };
}

/**
 * Returns the JSON form of an outcome: exactly the documented fields, plus `responseXml` and
 * `rawReply` (`null` when no reply arrived) when the user asked for the raw response with --show-raw.
 */
export function outcomeJson(outcome: SubmitOutcome, showRaw: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    outcome: outcome.outcome,
    status: outcome.status,
    requestId: outcome.requestId,
    message: outcome.message,
    errors: outcome.errors,
    pendingTasks: outcome.pendingTasks.map(taskJson),
    execution: executionJson(outcome.execution),
    detail: outcome.detail,
    // The top-level fields are the first request's; a file may hold several requests.
    requests: outcome.requests.map(requestJson),
  };
  if (showRaw) {
    json['responseXml'] = outcome.responseXml;
    json['rawReply'] = outcome.rawReply ?? null;
  }
  return json;
}

/**
 * Formats the start of the reply as received, for --show-raw: HTTP status, content type, size,
 * whether the text is cut, then the text itself (with the CSID already masked by the ECA client).
 */
export function formatRawReply(rawReply: RawReply | null): string {
  if (rawReply === null) {
    return 'Raw reply: (none: no reply arrived)\n';
  }
  const cut = rawReply.truncated ? 'truncated: the text below is only the start of the body' : 'complete';
  const header = `Raw reply: HTTP ${rawReply.httpStatus}, content type ${rawReply.contentType ?? 'none'}, ${rawReply.bytes} bytes read, ${cut}`;
  const text = rawReply.text === '' ? '(empty body)' : rawReply.text;
  return `${header}\n${text}${text.endsWith('\n') ? '' : '\n'}`;
}

function flagText(value: boolean | null): string {
  if (value === null) {
    return 'unknown';
  }
  return value ? 'yes' : 'no';
}

/** Formats a pending task on one line. */
export function formatTask(task: PendingTask): string {
  const form = [task.formNumber !== null ? `form ${task.formNumber}` : undefined, task.formName ?? undefined].filter((part) => part !== undefined).join(' ');
  const name = form === '' ? task.element : form;
  return [
    name,
    `action: ${task.action ?? 'unknown'}`,
    `required for approval: ${flagText(task.requiredForApproval)}`,
    `required for trading: ${flagText(task.requiredForTrading)}`,
    `online task: ${flagText(task.onlineTask)}`,
  ].join(', ');
}

/** Formats the `<Execution>` block on one line. */
export function formatExecution(execution: ExecutionDetails): string {
  const parts = [
    `date ${execution.date ?? 'unknown'}`,
    `file ${execution.processFile ?? 'unknown'}`,
    `client ${execution.client ?? 'unknown'}`,
    `master account ${execution.masterAcct ?? 'unknown'}`,
  ];
  return parts.join(', ');
}

/** Formats one request element of a response, indented by `indent`. */
export function formatRequestResult(request: RequestResult, indent = ''): string[] {
  const reference = request.reference !== null ? ` ${request.reference.attribute}=${request.reference.value}` : '';
  const lines = [`${indent}${request.requestType}${reference}: ${request.status ?? 'no request_status'}, request id ${request.requestId ?? 'none'}`];
  if (request.message !== null) {
    lines.push(`${indent}  Message: ${request.message}`);
  }
  for (const error of request.errors) {
    lines.push(`${indent}  Error: ${error}`);
  }
  for (const task of request.pendingTasks) {
    lines.push(`${indent}  Pending task: ${formatTask(task)}`);
  }
  for (const [name, value] of Object.entries(request.attributes)) {
    lines.push(`${indent}  ${name}: ${value}`);
  }
  for (const extra of request.extra) {
    lines.push(`${indent}  ${extra.name}: ${extra.text}`);
  }
  return lines;
}

/** Formats an outcome for people: status, request id, message, errors, pending tasks, execution. */
export function formatOutcomeText(outcome: SubmitOutcome): string {
  const lines = [
    `Outcome:    ${outcome.outcome}${outcome.status !== null ? ` (request_status ${outcome.status})` : ''}`,
    `Request id: ${outcome.requestId ?? 'none'}`,
    `Message:    ${outcome.message}`,
  ];
  if (outcome.errors.length > 0) {
    lines.push('Errors:');
    for (const error of outcome.errors) {
      lines.push(`  - ${error}`);
    }
  }
  if (outcome.pendingTasks.length > 0) {
    lines.push('Pending tasks:');
    for (const task of outcome.pendingTasks) {
      lines.push(`  - ${formatTask(task)}`);
    }
  }
  if (outcome.execution !== null) {
    lines.push(`Execution:  ${formatExecution(outcome.execution)}`);
  }
  if (outcome.requests.length > 1) {
    lines.push('Requests:');
    for (const request of outcome.requests) {
      lines.push(...formatRequestResult(request, '  '));
    }
  }
  if (outcome.signature !== null && outcome.signature.status === 'invalid') {
    lines.push(`Signature:  ${outcome.signature.message}`);
  }
  if (outcome.detail !== null) {
    lines.push(`Detail:     ${outcome.detail}`);
  }
  lines.push(`Sent:       ${outcome.fileName} to ${outcome.host} (${outcome.environment}), HTTP ${outcome.httpStatus ?? 'no reply'}`);
  return `${lines.join('\n')}\n`;
}
