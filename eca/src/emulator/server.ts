/**
 * The local ECA emulator: an HTTP server on 127.0.0.1 that speaks IBKR's ECA protocol with its
 * own key pair, keeps its state in a folder, and injects faults on request. Control endpoints
 * under `/_emulator/` let tests and the CLI change its state and faults while it runs.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import { catalogFromEntries } from '../../../server/src/check/catalog';
import { DEFAULT_EMULATOR_PORT } from '../environments';
import { EcaError, errorCode, errorMessage } from '../errors';
import { loadOpenpgp } from '../pgp';
import { encryptAndSign } from '../transport';
import { silentLogger, type Logger, type QuestionListEntry } from '../types';
import { DEFAULT_OVERSIZED_BODY_BYTES, FaultList, PROCESSING_FAULT_KINDS, type EmulatorFault } from './faults';
import { buildProcessXml, completePendingInStore, handleUpdate } from './process';
import { EMULATOR_QUESTIONS, questionsToCsv } from './questions';
import { addAccount, addPendingUser, defaultEmulatorStateDir, initEmulatorState, loadEmulatorKeys, registerFirm, SERVER_INFO_FILE, type FirmRegistration, type TestFirm } from './setup';
import { isRunning, maskCsid, stateStoreFor, writeFileAtomic, type FirmRecord, type RequestRecord, type TaskRecord } from './state';

/** Largest request body read: IBKR's 10 MB payload plus room for the JSON around it. */
const MAX_REQUEST_BODY_BYTES = 11 * 1024 * 1024;

export interface EmulatorOptions {
  /** State folder; defaults to `~/.ibkr-am/emulator`. */
  stateDir?: string | undefined;
  /** Port on 127.0.0.1; 0 picks any free port. Defaults to `DEFAULT_EMULATOR_PORT`. */
  port?: number | undefined;
  logger?: Logger | undefined;
  faults?: EmulatorFault[] | undefined;
  /** The SECURITY_QUESTIONS list it serves and checks against; defaults to `EMULATOR_QUESTIONS`. */
  questions?: readonly QuestionListEntry[] | undefined;
}

export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:8642`. */
  url: string;
  port: number;
  stateDir: string;
  /** The emulator's public key, which plays IBKR's public key. */
  publicKeyFile: string;
  testFirm: TestFirm;
  close(): Promise<void>;
  /** Replaces the faults. Raises `config` for an invalid fault. */
  setFaults(faults: readonly EmulatorFault[]): void;
  clearFaults(): void;
  /** Requests received per ECA endpoint name since start, faulted ones included. */
  requestCounts(): Record<string, number>;
  completePendingRequest(requestId: string): Promise<RequestRecord>;
  addPendingUser(userName: string, tasks?: readonly TaskRecord[]): Promise<void>;
  addAccount(accountId: string, userName: string): Promise<void>;
  registerFirm(firm: { name: string; publicKeyFile: string; masterAccount?: string; csid?: string }): Promise<FirmRegistration>;
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
  /** Reason a request was not processed, sent as `X-Ibkr-Am-Emulator-Reason` (IBKR sends no such header). */
  reason?: string;
  /** The `<Process>` document before encryption, kept so that a `wrong-key` fault can encrypt it again. It is never sent as is. */
  processXml?: string;
}

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_REQUEST_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function json(status: number, value: unknown, reason?: string): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(value), ...(reason === undefined ? {} : { reason }) };
}

function notProcessedReply(reason: string): Reply {
  return json(200, { timestamp: Date.now(), isProcessed: false }, reason);
}

const HTML_ERROR_PAGE = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n';

/** Starts the emulator; raises `config` when the port is taken or invalid. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const logger = options.logger ?? silentLogger;
  const stateDir = path.resolve(options.stateDir ?? defaultEmulatorStateDir());
  const port = options.port ?? DEFAULT_EMULATOR_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EcaError('config', `Emulator port ${port} is invalid; use 0 to 65535 (0 picks any free port).`);
  }

  await checkStateDir(stateDir);
  const infoFile = path.join(stateDir, SERVER_INFO_FILE);
  await rejectRunningEmulator(infoFile, logger);
  const store = stateStoreFor(stateDir);
  // Read once now, so that a corrupt state.json stops the start instead of failing every request.
  await store.read();
  const { testFirm, publicKeyFile } = await initEmulatorState(stateDir, logger);
  const keys = await loadEmulatorKeys(stateDir);
  const questions = options.questions ?? EMULATOR_QUESTIONS;
  const catalog = catalogFromEntries('the local emulator', questions);
  const faults = new FaultList();
  faults.set(options.faults ?? []);
  const counts: Record<string, number> = {};
  const closing = new AbortController();

  async function encryptFor(firm: FirmRecord, xml: string): Promise<string> {
    const openpgp = await loadOpenpgp();
    const firmKey = await openpgp.readKey({ armoredKey: firm.publicKeyArmored });
    const encrypted = await encryptAndSign(new TextEncoder().encode(xml), firmKey, keys.privateKey);
    return Buffer.from(encrypted).toString('base64');
  }

  async function firmOf(csid: unknown): Promise<FirmRecord | undefined> {
    if (typeof csid !== 'string') return undefined;
    const state = await store.read();
    return state.firms.find((firm) => firm.csid === csid);
  }

  /** Builds the reply of one ECA endpoint. `logNote` collects the request ids and status for the log line. */
  async function answer(endpoint: string, body: unknown, logNote: string[]): Promise<Reply> {
    switch (endpoint) {
      case 'update':
      case 'create': {
        const result = await handleUpdate(body, { store, emulatorPrivateKey: keys.privateKey, catalog, now: () => new Date() });
        if (result.kind === 'not-processed') {
          logNote.push(`not processed: ${result.reason}`);
          return notProcessedReply(result.reason);
        }
        logNote.push(`batch ${result.batchId}, request id(s) ${result.requestIds.join(', ')}`);
        const data = await encryptFor(result.firm, result.xml);
        const reply = json(200, { timestamp: Date.now(), isProcessed: true, batchId: result.batchId, name: result.name, fileData: { data } });
        return { ...reply, processXml: result.xml };
      }
      case 'getEnumerations': {
        const firm = await firmOf((body as { CSID?: unknown } | null)?.CSID);
        if (firm === undefined) return notProcessedReply('no firm is registered with this CSID');
        const type = (body as { type?: unknown }).type;
        if (type !== 'SECURITY_QUESTIONS') {
          return json(400, { error: `Unknown enumeration type ${JSON.stringify(type)}; the emulator serves SECURITY_QUESTIONS only.` });
        }
        logNote.push(`${questions.length} questions`);
        return { status: 200, contentType: 'text/plain', body: Buffer.from(questionsToCsv(questions), 'utf8').toString('base64') };
      }
      case 'getAmRequestStatus': {
        const firm = await firmOf((body as { CSID?: unknown } | null)?.CSID);
        if (firm === undefined) return notProcessedReply('no firm is registered with this CSID');
        const ids = requestIdsOf(body);
        if (ids.length === 0) return json(400, { error: 'The body names no request id; send {"CSID": ..., "requestIds": [...]}.' });
        const state = await store.read();
        const records = ids.map((id) => state.requests[id]).filter((record): record is RequestRecord => record !== undefined && record.firmName === firm.name);
        logNote.push(`request id(s) ${ids.join(', ')}: ${records.map((record) => record.status).join(', ') || 'none found'}`);
        const xml = buildProcessXml(firm, records[0]?.processFile ?? 'status.xml', new Date(), records);
        return { ...json(200, { timestamp: Date.now(), isProcessed: true, fileData: { data: await encryptFor(firm, xml) } }), processXml: xml };
      }
      case 'getAccountDetail':
      case 'getAccountDetails': {
        const firm = await firmOf((body as { CSID?: unknown } | null)?.CSID);
        if (firm === undefined) return notProcessedReply('no firm is registered with this CSID');
        const accountIds = (body as { accountIds?: unknown }).accountIds;
        if (!Array.isArray(accountIds) || accountIds.length === 0) return json(400, { error: 'The body names no account; send {"CSID": ..., "accountIds": [...]}.' });
        const state = await store.read();
        const accounts = accountIds
          .map((id) => String(id))
          .filter((id) => state.accounts[id] !== undefined)
          .map((id) => ({ accountId: id, userName: state.accounts[id] }));
        logNote.push(`${accounts.length} of ${accountIds.length} account(s) found`);
        return json(200, { timestamp: Date.now(), accounts });
      }
      case 'healthcheck':
        return json(200, { status: 'OK' });
      default:
        return json(404, { error: `Unknown ECA endpoint ${endpoint}.` });
    }
  }

  async function control(request: IncomingMessage, route: string): Promise<Reply> {
    const method = request.method ?? 'GET';
    const body: unknown = method === 'GET' || method === 'DELETE' ? undefined : JSON.parse((await readBody(request)).toString('utf8') || '{}');
    const field = (name: string): unknown => (body as Record<string, unknown> | undefined)?.[name];
    const text = (name: string): string => {
      const value = field(name);
      if (typeof value !== 'string') throw new EcaError('config', `The body needs a string field ${name}.`);
      return value;
    };

    if (route === 'stats' && method === 'GET') return json(200, { requestCounts: { ...counts } });
    if (route === 'faults' && method === 'DELETE') {
      faults.clear();
      return json(200, { faults: [] });
    }
    if (route === 'faults' && (method === 'POST' || method === 'PUT')) {
      const list = field('faults');
      faults.set(Array.isArray(list) ? list : [body]);
      return json(200, { ok: true });
    }
    if (route === 'pending-users' && method === 'POST') {
      const tasks = field('tasks');
      await addPendingUser(stateDir, text('userName'), Array.isArray(tasks) ? (tasks as TaskRecord[]) : undefined);
      return json(200, { ok: true });
    }
    if (route === 'accounts' && method === 'POST') {
      await addAccount(stateDir, text('accountId'), text('userName'));
      return json(200, { ok: true });
    }
    if (route === 'firms' && method === 'POST') {
      const masterAccount = field('masterAccount');
      const registration = await registerFirm(stateDir, {
        name: text('name'),
        publicKeyFile: text('publicKeyFile'),
        ...(typeof masterAccount === 'string' ? { masterAccount } : {}),
      });
      return json(200, registration);
    }
    const complete = /^requests\/([^/]+)\/complete$/.exec(route);
    if (complete?.[1] !== undefined && method === 'POST') {
      return json(200, await completePendingInStore(store, decodeURIComponent(complete[1]), new Date()));
    }
    return json(404, { error: `No control endpoint ${method} /_emulator/${route}.` });
  }

  async function serveEca(request: IncomingMessage, response: ServerResponse, endpoint: string): Promise<void> {
    const started = Date.now();
    counts[endpoint] = (counts[endpoint] ?? 0) + 1;
    const { delays, failure } = faults.take(endpoint);
    const wait = async (phase: 'before-body' | 'after-body'): Promise<void> => {
      for (const delay of delays.filter((fault) => fault.phase === phase)) {
        logger.debug(`Emulator ${endpoint}: fault delay ${delay.delayMs ?? 0} ms ${phase}.`);
        await sleep(delay.delayMs ?? 0, undefined, { signal: closing.signal });
      }
    };

    await wait('before-body');
    const raw = await readBody(request);
    await wait('after-body');

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const csid = (body as { CSID?: unknown } | undefined)?.CSID;
    const caller = typeof csid === 'string' ? `csid=${maskCsid(csid)}` : 'no CSID';

    const processFirst = failure !== undefined && (PROCESSING_FAULT_KINDS.has(failure.kind) || failure.afterProcessing === true);
    if (failure !== undefined && !processFirst) {
      logger.info(`Emulator ${endpoint} ${caller}: fault ${failure.kind} before processing, ${Date.now() - started} ms.`);
      await sendFault(response, endpoint, failure, undefined);
      return;
    }

    const notes: string[] = [];
    let reply: Reply;
    if (request.headers['user-agent'] === undefined || request.headers['user-agent'] === '') {
      reply = endpoint === 'update' || endpoint === 'create' ? notProcessedReply('the request has no User-Agent header, which IBKR requires') : json(400, { error: 'User-Agent header missing.' });
    } else if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json') || body === undefined) {
      reply = endpoint === 'update' || endpoint === 'create' ? notProcessedReply('the body is not JSON sent as application/json') : json(400, { error: 'The body must be JSON sent as application/json.' });
    } else {
      reply = await answer(endpoint, body, notes);
    }
    const note = notes.length > 0 ? notes.join('; ') : reply.reason ?? `HTTP ${reply.status}`;
    logger.info(`Emulator ${endpoint} ${caller}: ${note}, ${Date.now() - started} ms.`);

    if (failure !== undefined) {
      logger.info(`Emulator ${endpoint}: fault ${failure.kind} after processing.`);
      await sendFault(response, endpoint, failure, reply);
      return;
    }
    send(response, reply);
  }

  function send(response: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { 'Content-Type': reply.contentType };
    if (reply.reason !== undefined) headers['X-Ibkr-Am-Emulator-Reason'] = reply.reason;
    response.writeHead(reply.status, headers);
    response.end(reply.body);
  }

  /** Encrypts a reply document to a newly generated key that no firm holds, signed as usual by the emulator. */
  async function encryptForNobody(xml: string): Promise<string> {
    const openpgp = await loadOpenpgp();
    const { publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'ibkr-am emulator wrong-key fault' }], format: 'object' });
    const encrypted = await encryptAndSign(new TextEncoder().encode(xml), publicKey, keys.privateKey);
    return Buffer.from(encrypted).toString('base64');
  }

  /** Replaces `fileData.data` in a JSON reply. A reply without it is returned unchanged. */
  function withFileData(reply: Reply, change: (data: string) => string): Reply {
    const value = JSON.parse(reply.body) as { fileData?: { data?: unknown } };
    if (typeof value.fileData?.data !== 'string') return reply;
    value.fileData.data = change(value.fileData.data);
    return { ...reply, body: JSON.stringify(value) };
  }

  /**
   * Streams a JSON body of `bodyBytes` bytes in 64 KiB chunks, waiting for the socket to drain,
   * and stops when the client closes the connection. Logs how many bytes were written.
   */
  async function sendOversized(response: ServerResponse, endpoint: string, bodyBytes: number): Promise<void> {
    const head = `{"timestamp":${Date.now()},"isProcessed":true,"padding":"`;
    const tail = '"}';
    const chunk = Buffer.alloc(64 * 1024, 'A');
    response.writeHead(200, { 'Content-Type': 'application/json' });
    let closed = false;
    response.once('close', () => {
      closed = true;
    });

    let written = 0;
    const write = async (bytes: Buffer): Promise<void> => {
      written += bytes.length;
      if (!response.write(bytes)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            response.off('drain', done);
            response.off('close', done);
            resolve();
          };
          response.on('drain', done);
          response.on('close', done);
        });
      }
    };

    await write(Buffer.from(head));
    const padding = Math.max(0, bodyBytes - head.length - tail.length);
    for (let sent = 0; sent < padding && !closed && !closing.signal.aborted; sent += chunk.length) {
      await write(chunk.subarray(0, Math.min(chunk.length, padding - sent)));
    }
    if (closed || closing.signal.aborted) {
      logger.info(`Emulator ${endpoint}: fault oversized-body stopped after ${written} of ${bodyBytes} bytes: the client closed the connection.`);
      response.destroy();
      return;
    }
    await write(Buffer.from(tail));
    response.end();
    logger.info(`Emulator ${endpoint}: fault oversized-body sent all ${written} bytes.`);
  }

  async function sendFault(response: ServerResponse, endpoint: string, fault: EmulatorFault, reply: Reply | undefined): Promise<void> {
    switch (fault.kind) {
      case 'status':
        send(response, json(fault.status ?? 503, { error: 'Service temporarily unavailable (emulator fault).' }));
        return;
      case 'html':
        send(response, { status: fault.status ?? 502, contentType: 'text/html', body: HTML_ERROR_PAGE });
        return;
      case 'empty-body':
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '0' });
        response.end();
        return;
      case 'truncated-json': {
        const full = reply?.body ?? JSON.stringify({ timestamp: Date.now(), isProcessed: true });
        const half = full.slice(0, Math.max(1, Math.floor(full.length / 2)));
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(half)) });
        response.end(half);
        return;
      }
      case 'drop-connection':
        response.socket?.destroy();
        return;
      case 'delay':
        if (reply !== undefined) send(response, reply);
        return;
      case 'wrong-key': {
        if (reply === undefined) return;
        if (reply.processXml === undefined) {
          send(response, reply);
          return;
        }
        const data = await encryptForNobody(reply.processXml);
        send(response, withFileData(reply, () => data));
        return;
      }
      case 'corrupt-data':
        // `*` is not in the base64 alphabet, so the data can no longer be decoded.
        if (reply !== undefined) send(response, withFileData(reply, (data) => `${data.slice(0, data.length >> 1)}**${data.slice(data.length >> 1)}`));
        return;
      case 'oversized-body':
        await sendOversized(response, endpoint, fault.bodyBytes ?? DEFAULT_OVERSIZED_BODY_BYTES);
        return;
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const eca = /^\/ws\/eca\/([A-Za-z]+)$/.exec(url.pathname);
    if (eca?.[1] !== undefined) {
      if (request.method !== 'POST') {
        send(response, json(405, { error: `ECA endpoints take POST, not ${request.method ?? 'no method'}.` }));
        return;
      }
      await serveEca(request, response, eca[1]);
      return;
    }
    const controlRoute = /^\/_emulator\/(.+)$/.exec(url.pathname)?.[1];
    if (controlRoute !== undefined) {
      send(response, await control(request, controlRoute));
      return;
    }
    send(response, json(404, { error: `Not found: ${url.pathname}. ECA endpoints are POST /ws/eca/{name}.` }));
  }

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (closing.signal.aborted) {
        response.socket?.destroy();
        return;
      }
      const status = statusOfError(error);
      const message = error instanceof BodyTooLarge ? `The request body is over ${MAX_REQUEST_BODY_BYTES} bytes.` : errorMessage(error);
      if (status === 500) logger.error(`Emulator: ${request.method ?? ''} ${request.url ?? ''} failed: ${message}`);
      if (response.headersSent) {
        response.socket?.destroy();
      } else {
        send(response, json(status, { error: message }));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(
        errorCode(error) === 'EADDRINUSE'
          ? new EcaError('config', `Port ${port} on 127.0.0.1 is in use. Stop the other emulator, or choose another port (0 picks any free port).`)
          : new EcaError('config', `The emulator could not listen on 127.0.0.1:${port} (${errorCode(error) ?? errorMessage(error)}).`),
      );
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });

  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${actualPort}`;
  try {
    await writeFileAtomic(infoFile, `${JSON.stringify({ url, pid: process.pid })}\n`, 0o600);
  } catch (error) {
    server.close();
    throw error;
  }
  logger.info(`Emulator: listening on ${url}, state in ${stateDir}.`);

  let closed: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    stateDir,
    publicKeyFile,
    testFirm,
    close: () => {
      closed ??= (async () => {
        closing.abort();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await done;
        // Remove the file only when it is still ours; another emulator's file stays.
        const info = parseServerInfo(await readFile(infoFile, 'utf8').catch(() => ''));
        if (info?.url === url && info.pid === process.pid) await rm(infoFile, { force: true });
        logger.info(`Emulator: stopped (${url}).`);
      })();
      return closed;
    },
    setFaults: (list) => faults.set(list),
    clearFaults: () => faults.clear(),
    requestCounts: () => ({ ...counts }),
    completePendingRequest: (requestId) => completePendingInStore(store, requestId, new Date()),
    addPendingUser: (userName, tasks) => addPendingUser(stateDir, userName, tasks),
    addAccount: (accountId, userName) => addAccount(stateDir, accountId, userName),
    registerFirm: (firm) => registerFirm(stateDir, firm),
  };
}

/** Raises a clear error when the state folder path is a file, rather than mkdir's EEXIST later. */
async function checkStateDir(stateDir: string): Promise<void> {
  const info = await stat(stateDir).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) {
    throw new EcaError('config', `The emulator state folder ${stateDir} is a file, not a folder. Give a folder path (it is created when missing).`);
  }
}

function parseServerInfo(text: string): { url: string; pid: number } | undefined {
  try {
    const parsed = JSON.parse(text) as { url?: unknown; pid?: unknown };
    return typeof parsed.url === 'string' && typeof parsed.pid === 'number' ? { url: parsed.url, pid: parsed.pid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses to start when `server.json` names a live process: clients find the emulator through
 * that file, and two emulators on one folder would overwrite it and each other's state.
 * A file left by a process that no longer runs is ignored with a note, and later overwritten.
 */
async function rejectRunningEmulator(infoFile: string, logger: Logger): Promise<void> {
  const info = parseServerInfo(await readFile(infoFile, 'utf8').catch(() => ''));
  if (info === undefined) return;
  if (isRunning(info.pid)) {
    throw new EcaError(
      'config',
      `Another emulator (pid ${info.pid}, ${info.url}) is running on the state folder ${path.dirname(infoFile)}. Stop it first, or give this one another state folder.`,
    );
  }
  logger.warn(`Emulator: ignoring ${infoFile}, left by process ${info.pid}, which no longer runs.`);
}

/** Returns the HTTP status for an error raised while serving a request: bad input is 4xx, the rest 500. */
function statusOfError(error: unknown): number {
  if (error instanceof BodyTooLarge) return 413;
  if (error instanceof EcaError && error.code === 'config') return 400;
  if (error instanceof SyntaxError) return 400;
  return 500;
}

/** Reads request ids from a status request body: `requestIds`, `requestId`, `request_ids` or `request_id`, numbers or strings. */
function requestIdsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const record = body as Record<string, unknown>;
  const value = record['requestIds'] ?? record['requestId'] ?? record['request_ids'] ?? record['request_id'];
  let list: unknown[] = [];
  if (Array.isArray(value)) {
    list = value;
  } else if (value !== undefined) {
    list = [value];
  }
  return list.filter((item): item is string | number => typeof item === 'string' || typeof item === 'number').map((item) => String(item));
}
