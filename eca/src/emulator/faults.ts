/** Faults that the emulator injects for tests: delays, error statuses and broken or missing replies. */

import { EcaError } from '../errors';

export type EmulatorFaultKind =
  | 'delay'
  | 'status'
  | 'html'
  | 'truncated-json'
  | 'empty-body'
  | 'drop-connection'
  | 'wrong-key'
  | 'corrupt-data'
  | 'oversized-body';

export const FAULT_KINDS: readonly EmulatorFaultKind[] = [
  'delay',
  'status',
  'html',
  'truncated-json',
  'empty-body',
  'drop-connection',
  'wrong-key',
  'corrupt-data',
  'oversized-body',
];

/** Faults that always process the request first, because they spoil the reply to a processed file. */
export const PROCESSING_FAULT_KINDS: ReadonlySet<EmulatorFaultKind> = new Set(['truncated-json', 'wrong-key', 'corrupt-data']);

/** Largest body an `oversized-body` fault sends: 1 GiB. */
export const MAX_OVERSIZED_BODY_BYTES = 1024 * 1024 * 1024;
/** Body size of an `oversized-body` fault that gives none: 128 MiB, twice the client's default reply cap. */
export const DEFAULT_OVERSIZED_BODY_BYTES = 128 * 1024 * 1024;

export interface EmulatorFault {
  /**
   * - `delay`: wait `delayMs` before reading the request body or after reading it (`phase`).
   * - `status`: reply with HTTP `status` (default 503) and a short JSON error.
   * - `html`: reply with HTTP `status` (default 502) and an HTML error page, as a proxy would.
   * - `truncated-json`: process the request, then send only the first half of the JSON reply.
   * - `empty-body`: reply 200 with an empty body.
   * - `drop-connection`: close the connection without any reply.
   * - `wrong-key`: process the request, then encrypt the reply to a key other than the firm's.
   * - `corrupt-data`: process the request, then send `fileData.data` that is not base64.
   * - `oversized-body`: reply 200 with a JSON body of `bodyBytes` bytes, sent in chunks until the
   *   client closes the connection.
   */
  kind: EmulatorFaultKind;
  /** Endpoint name such as `update`; the fault applies to every ECA endpoint when absent. */
  endpoint?: string;
  /** Number of matching requests the fault applies to; every one when absent. */
  times?: number;
  /** For `delay`: milliseconds to wait. */
  delayMs?: number;
  /** For `delay`: before or after reading the request body (default `after-body`). */
  phase?: 'before-body' | 'after-body';
  /** For `status` and `html`: the HTTP status, 400 to 599. */
  status?: number;
  /** For `oversized-body`: bytes of the body, up to 1 GiB (default 128 MiB). */
  bodyBytes?: number;
  /**
   * For `status`, `html`, `empty-body`, `drop-connection` and `oversized-body`: process the
   * request (and change the state) before failing, as when a reply is lost on its way back.
   * Default false. `truncated-json`, `wrong-key` and `corrupt-data` always process first.
   */
  afterProcessing?: boolean;
}

/** Checks a fault from an option or the control endpoint; raises `config` naming the invalid field. */
export function validateFault(value: unknown): EmulatorFault {
  if (typeof value !== 'object' || value === null) throw new EcaError('config', 'A fault must be a JSON object with a kind.');
  const fault = value as Record<string, unknown>;
  const kind = fault['kind'];
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new EcaError('config', `Fault kind ${JSON.stringify(kind)} is invalid; use one of ${FAULT_KINDS.join(', ')}.`);
  }
  const checked: EmulatorFault = { kind: kind as EmulatorFaultKind };

  const endpoint = fault['endpoint'];
  if (endpoint !== undefined) {
    if (typeof endpoint !== 'string' || endpoint === '') throw new EcaError('config', 'Fault endpoint must be an endpoint name such as "update".');
    checked.endpoint = endpoint;
  }
  const times = fault['times'];
  if (times !== undefined) {
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) throw new EcaError('config', `Fault times must be a positive integer; got ${JSON.stringify(times)}.`);
    checked.times = times;
  }
  if (kind === 'delay') {
    const delayMs = fault['delayMs'];
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0 || delayMs > 600_000) {
      throw new EcaError('config', `Fault delayMs must be a number of milliseconds from 0 to 600000; got ${JSON.stringify(delayMs)}.`);
    }
    checked.delayMs = delayMs;
    const phase = fault['phase'];
    if (phase !== undefined && phase !== 'before-body' && phase !== 'after-body') {
      throw new EcaError('config', `Fault phase must be "before-body" or "after-body"; got ${JSON.stringify(phase)}.`);
    }
    checked.phase = phase ?? 'after-body';
  }
  const status = fault['status'];
  if (status !== undefined) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
      throw new EcaError('config', `Fault status must be an HTTP status from 400 to 599; got ${JSON.stringify(status)}.`);
    }
    checked.status = status;
  }
  const bodyBytes = fault['bodyBytes'];
  if (bodyBytes !== undefined) {
    if (typeof bodyBytes !== 'number' || !Number.isInteger(bodyBytes) || bodyBytes < 1 || bodyBytes > MAX_OVERSIZED_BODY_BYTES) {
      throw new EcaError('config', `Fault bodyBytes must be a whole number of bytes from 1 to ${MAX_OVERSIZED_BODY_BYTES}; got ${JSON.stringify(bodyBytes)}.`);
    }
    checked.bodyBytes = bodyBytes;
  }
  const afterProcessing = fault['afterProcessing'];
  if (afterProcessing !== undefined) {
    if (typeof afterProcessing !== 'boolean') throw new EcaError('config', 'Fault afterProcessing must be true or false.');
    checked.afterProcessing = afterProcessing;
  }
  return checked;
}

/** The faults of one emulator, each used up after `times` matching requests. */
export class FaultList {
  private entries: { fault: EmulatorFault; remaining: number }[] = [];

  set(faults: readonly unknown[]): void {
    this.entries = faults.map((fault) => {
      const checked = validateFault(fault);
      return { fault: checked, remaining: checked.times ?? Number.POSITIVE_INFINITY };
    });
  }

  clear(): void {
    this.entries = [];
  }

  /** Takes the faults that apply to one request of `endpoint`: every matching delay and the first matching other fault. */
  take(endpoint: string): { delays: EmulatorFault[]; failure: EmulatorFault | undefined } {
    const delays: EmulatorFault[] = [];
    let failure: EmulatorFault | undefined;
    for (const entry of this.entries) {
      if (entry.remaining <= 0 || (entry.fault.endpoint !== undefined && entry.fault.endpoint !== endpoint)) continue;
      if (entry.fault.kind === 'delay') {
        delays.push(entry.fault);
      } else if (failure === undefined) {
        failure = entry.fault;
      } else {
        continue;
      }
      entry.remaining--;
    }
    this.entries = this.entries.filter((entry) => entry.remaining > 0);
    return { delays, failure };
  }
}
