/**
 * Reading the `<Process>` document that IBKR returns for a submitted file, and turning it into
 * a `SubmitOutcome`. Unknown elements and attributes are kept, never fatal.
 */

import type { Element } from '@xmldom/xmldom';

import { attributesOf, childElements, elementName, ownText, parseXml, toExtraElement } from './xml';
import type {
  EnvironmentName,
  ExecutionDetails,
  ExtraElement,
  PendingTask,
  ProcessResponse,
  RequestResult,
  SignatureCheck,
  SubmitOutcome,
  UpdateEnvelope,
} from './types';

/** Message of an outcome that cannot be known because no reply arrived. */
export const OUTCOME_UNKNOWN_MESSAGE = 'outcome unknown, check the status before sending again';

/** Message for `isProcessed: false`, with the causes that IBKR's documentation gives. */
export const NOT_PROCESSED_MESSAGE =
  "IBKR did not process the file (isProcessed: false). IBKR's documentation gives three causes: the XML was invalid, the wrong keys were used, or the service was down.";

const EXECUTION_FIELDS: Record<string, keyof Pick<ExecutionDetails, 'date' | 'processFile' | 'client' | 'masterAcct'>> = {
  Execution_Date: 'date',
  Process_File: 'processFile',
  Client: 'client',
  Client_Master_Acct: 'masterAcct',
};

function readExecution(element: Element): ExecutionDetails {
  const attributes = attributesOf(element);
  const schemaVersion = attributes['ECA_XML_Schema_Version'] ?? null;
  delete attributes['ECA_XML_Schema_Version'];

  const execution: ExecutionDetails = { date: null, processFile: null, client: null, masterAcct: null, schemaVersion, attributes, extra: [] };
  for (const child of childElements(element)) {
    const field = EXECUTION_FIELDS[elementName(child)];
    if (field !== undefined) {
      execution[field] = (child.textContent ?? '').trim();
    } else {
      execution.extra.push(toExtraElement(child));
    }
  }
  return execution;
}

/** Reads IBKR's flag values, returning `null` for a spelling other than the usual ones. */
function readFlag(value: string | null): boolean | null {
  if (value === null) return null;
  const normalized = value.trim().toLowerCase();
  if (['true', 't', 'yes', 'y', '1'].includes(normalized)) return true;
  if (['false', 'f', 'no', 'n', '0'].includes(normalized)) return false;
  return null;
}

/** Reads a task field from an attribute or, failing that, from a child element of that name. */
function taskField(element: Element, attributes: Record<string, string>, name: string): string | null {
  const attribute = attributes[name];
  if (attribute !== undefined) return attribute;
  const child = childElements(element).find((candidate) => elementName(candidate) === name);
  return child === undefined ? null : (child.textContent ?? '').trim();
}

function readTask(element: Element): PendingTask {
  const attributes = attributesOf(element);
  return {
    formNumber: taskField(element, attributes, 'Form_Number'),
    formName: taskField(element, attributes, 'Form_Name'),
    action: taskField(element, attributes, 'Action'),
    requiredForApproval: readFlag(taskField(element, attributes, 'Is_Required_For_Approval')),
    requiredForTrading: readFlag(taskField(element, attributes, 'Is_Required_For_Trading')),
    onlineTask: readFlag(taskField(element, attributes, 'Is_Online_Task')),
    element: element.nodeName,
    attributes,
    extra: childElements(element).map(toExtraElement),
  };
}

/**
 * Collects the tasks under `<Pending_Tasks>`. IBKR documents the content only as `<Tasks>`, so
 * a child that has element children but no attributes is read as a wrapper and descended into.
 */
function readTasks(container: Element): PendingTask[] {
  const tasks: PendingTask[] = [];
  for (const child of childElements(container)) {
    const isWrapper = child.attributes.length === 0 && childElements(child).some((grandchild) => grandchild.attributes.length > 0);
    if (isWrapper) {
      for (const task of readTasks(child)) tasks.push(task);
    } else {
      tasks.push(readTask(child));
    }
  }
  return tasks;
}

function readErrors(container: Element): string[] {
  const children = childElements(container);
  if (children.length === 0) {
    const text = ownText(container).trim();
    return text === '' ? [] : [text];
  }
  return children.map((child) => (child.textContent ?? '').trim()).filter((text) => text !== '');
}

export function outcomeOfStatus(status: string | null): RequestResult['outcome'] {
  switch (status?.trim().toUpperCase()) {
    case 'PROCESSED':
      return 'processed';
    case 'ERROR':
      return 'error';
    case 'PENDING':
      return 'pending';
    default:
      return 'unknown';
  }
}

/** Reads one request element such as `<SecurityQuestions request_status="..." ...>`. */
export function readRequestElement(element: Element): RequestResult {
  const attributes = attributesOf(element);
  const take = (name: string): string | null => {
    const value = attributes[name];
    delete attributes[name];
    return value ?? null;
  };
  const status = take('request_status');
  const requestId = take('request_id');
  const message = take('message');

  const referenceName = Object.keys(attributes).find((name) => name.startsWith('reference_'));
  const reference = referenceName === undefined ? null : { attribute: referenceName, value: take(referenceName) ?? '' };

  const errors: string[] = [];
  const pendingTasks: PendingTask[] = [];
  const extra: ExtraElement[] = [];
  for (const child of childElements(element)) {
    const name = elementName(child);
    if (name === 'Errors') {
      // Loops, not push(...list): a hostile reply can hold more items than a call's argument limit.
      for (const error of readErrors(child)) errors.push(error);
    } else if (name === 'Error') {
      errors.push((child.textContent ?? '').trim());
    } else if (name === 'Pending_Tasks') {
      for (const task of readTasks(child)) pendingTasks.push(task);
    } else {
      extra.push(toExtraElement(child));
    }
  }

  return {
    requestType: elementName(element),
    status,
    outcome: outcomeOfStatus(status),
    requestId,
    message,
    reference,
    errors,
    pendingTasks,
    attributes,
    extra,
  };
}

/** Parses a `<Process>` response document. Raises `invalid-response` for XML that is not well-formed or has another root. */
export function parseProcessXml(xml: string): ProcessResponse {
  return readProcessElement(parseXml(xml, 'The decrypted response'));
}

/** Reads a parsed `<Process>` element; any other root is kept whole in `extra`. */
export function readProcessElement(root: Element): ProcessResponse {
  if (elementName(root) !== 'Process') {
    return { execution: null, requests: [], extra: [toExtraElement(root)] };
  }

  let execution: ExecutionDetails | null = null;
  const requests: RequestResult[] = [];
  const extra: ExtraElement[] = [];
  for (const child of childElements(root)) {
    if (elementName(child) === 'Execution' && execution === null) {
      execution = readExecution(child);
    } else if (child.hasAttribute('request_status') || child.hasAttribute('request_id')) {
      requests.push(readRequestElement(child));
    } else {
      extra.push(toExtraElement(child));
    }
  }
  return { execution, requests, extra };
}

const OUTCOME_RANK: Record<RequestResult['outcome'], number> = { error: 3, unknown: 2, pending: 1, processed: 0 };

/** Returns the request that decides a file's outcome: the worst one, first in file order on a tie. */
export function worstRequest(requests: RequestResult[]): RequestResult | undefined {
  let worst: RequestResult | undefined;
  for (const request of requests) {
    if (worst === undefined || OUTCOME_RANK[request.outcome] > OUTCOME_RANK[worst.outcome]) worst = request;
  }
  return worst;
}

/** Context of a parsed response: where it came from and how it was received. */
export interface ResponseContext {
  environment: EnvironmentName;
  host: string;
  httpStatus: number | null;
  fileName: string;
  envelope: UpdateEnvelope | null;
  signature: SignatureCheck | null;
  responseXml: string | null;
}

/** Builds the outcome of a submission whose reply was decrypted and parsed. */
export function outcomeFromProcess(response: ProcessResponse, context: ResponseContext): SubmitOutcome {
  const base = { ...context, execution: response.execution, requests: response.requests };
  const worst = worstRequest(response.requests);
  if (worst === undefined) {
    return {
      ...base,
      outcome: 'invalid-response',
      status: null,
      requestId: null,
      message: `IBKR processed the file, but the response contains no request element. The request may have been applied: ${OUTCOME_UNKNOWN_MESSAGE}.`,
      errors: [],
      pendingTasks: [],
      detail: response.extra.length > 0 ? `The response contains only: ${response.extra.map((element) => element.name).join(', ')}.` : 'The response is empty.',
    };
  }

  let message: string;
  if (worst.outcome === 'unknown') {
    message = `IBKR returned request_status "${worst.status ?? ''}", which this version does not know: ${OUTCOME_UNKNOWN_MESSAGE}.`;
  } else {
    message = worst.message ?? worst.errors[0] ?? DEFAULT_MESSAGES[worst.outcome];
  }

  const count = response.requests.length;
  return {
    ...base,
    outcome: worst.outcome,
    status: worst.status,
    requestId: worst.requestId,
    message,
    errors: worst.errors,
    pendingTasks: worst.pendingTasks,
    detail: count > 1 ? `The file contains ${count} requests; status, requestId, message, errors and pendingTasks describe the worst one (${worst.requestType}, ${worst.status ?? 'no status'}).` : null,
  };
}

const DEFAULT_MESSAGES: Record<Exclude<RequestResult['outcome'], 'unknown'>, string> = {
  processed: 'IBKR processed the request.',
  error: 'IBKR rejected the request without an error message.',
  pending: 'IBKR accepted the request; it is pending tasks before it takes effect.',
};
