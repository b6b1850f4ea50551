/**
 * The emulator's persistent state: registered firms, users who have answered, requests and
 * their results, users configured to get PENDING, and accounts with their user names.
 * Every change reads the file, applies the change and writes it back atomically (temp file,
 * fsync, rename), one change at a time, so a restart or concurrent requests lose nothing.
 * NOTE: changes are serialized within one process only. Change the state of a running emulator
 * through its control endpoints, not from a second process.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { EcaError, errorCode, errorMessage } from '../errors';

export const STATE_FILE_NAME = 'state.json';

export interface FirmRecord {
  name: string;
  /** The firm's CSID. A secret: never log it. */
  csid: string;
  masterAccount: string;
  publicKeyArmored: string;
  registeredAt: string;
}

/** A pending task as the emulator writes it, keyed by IBKR's attribute names. */
export type TaskRecord = Record<string, string>;

export type EmulatedStatus = 'PROCESSED' | 'ERROR' | 'PENDING';

export interface RequestRecord {
  requestId: string;
  requestType: string;
  firmName: string;
  userName: string | null;
  status: EmulatedStatus;
  message: string | null;
  errors: string[];
  pendingTasks: TaskRecord[];
  processFile: string;
  createdAt: string;
  updatedAt: string;
}

export interface EmulatorState {
  version: 1;
  firms: FirmRecord[];
  /** User name to the request that answered (or is pending to answer) its questions. */
  answeredUsers: Record<string, { requestId: string; status: EmulatedStatus; at: string }>;
  requests: Record<string, RequestRecord>;
  /** User name to the tasks its next SecurityQuestions request stays pending on. */
  pendingUsers: Record<string, TaskRecord[]>;
  /** Account id to user name, for getAccountDetail. */
  accounts: Record<string, string>;
  nextRequestId: number;
  nextBatchId: number;
}

/** First request id the emulator assigns; IBKR's samples use ids of this size. */
const FIRST_REQUEST_ID = 486_600;

export function emptyState(): EmulatorState {
  return { version: 1, firms: [], answeredUsers: {}, requests: {}, pendingUsers: {}, accounts: {}, nextRequestId: FIRST_REQUEST_ID, nextBatchId: 1 };
}

/** Writes `content` to `file` atomically: a temp file beside it, fsync, rename, then fsync of the folder. */
export async function writeFileAtomic(file: string, content: string, mode = 0o600): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    const folder = await open(path.dirname(file), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch (error) {
    await rm(temp, { force: true });
    throw new EcaError('state', `Could not write ${file} (${errorCode(error) ?? errorMessage(error)}).`, { cause: error });
  }
}

/** Checks whether a process with this id is running. A process of another user counts as running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ESRCH';
  }
}

/**
 * Removes the temp files that `writeFileAtomic` left in `dir` when its process was killed
 * between creating and renaming them. Only files of processes that no longer run are removed.
 * Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const pid = /\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isRunning(Number(pid))) continue;
    await rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function checkState(value: unknown, file: string): EmulatorState {
  const state = value as Partial<EmulatorState> | null;
  if (typeof state !== 'object' || state === null || state.version !== 1 || !Array.isArray(state.firms)) {
    throw new EcaError('state', `${file} is not an emulator state file of version 1. Move it away to start from an empty state.`);
  }
  return { ...emptyState(), ...state };
}

/** Reads and changes `state.json` in a state folder, one change at a time. */
export class StateStore {
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly stateDir: string) {
    this.file = path.join(stateDir, STATE_FILE_NAME);
  }

  /** Reads the state from disk; a missing file is the empty state. */
  async read(): Promise<EmulatorState> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return emptyState();
      throw new EcaError('state', `Could not read ${this.file} (${errorCode(error) ?? errorMessage(error)}).`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new EcaError('state', `${this.file} is not valid JSON (${errorMessage(error)}). Move it away to start from an empty state.`, { cause: error });
    }
    return checkState(parsed, this.file);
  }

  /**
   * Applies `change` to the current state and writes the result, after every earlier change has
   * finished. When `change` raises, nothing is written.
   */
  update<T>(change: (state: EmulatorState) => T | Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
      const state = await this.read();
      const result = await change(state);
      await writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`);
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Shows the first two characters of a CSID only, for logs. */
export function maskCsid(csid: string): string {
  return `${csid.slice(0, 2)}****`;
}

const stores = new Map<string, StateStore>();

/** Returns the one store of a state folder in this process, so that all its changes share one queue. */
export function stateStoreFor(stateDir: string): StateStore {
  const key = path.resolve(stateDir);
  let store = stores.get(key);
  if (store === undefined) {
    store = new StateStore(key);
    stores.set(key, store);
  }
  return store;
}
