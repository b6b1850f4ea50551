/**
 * Every fault on the way to and from `/ws/eca/update`, injected over loopback HTTP: by the
 * emulator, or by a small server of the test's own where the emulator cannot make the fault.
 * For each one the test checks the outcome and its message (what happened, the host, what to do
 * next) and the raw reply kept for inspection. It also checks, counting on the server, that the
 * client sent `update` once and never again by itself, and reads back the record entry.
 */

import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Socket } from 'node:net';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import {
  EcaError,
  MAX_RAW_REPLY_CHARS,
  MAX_REPLY_BYTES,
  createEcaClient,
  readSubmissions,
  recordSubmission,
  type EcaClient,
  type EmulatorFault,
  type RecordedOutcome,
  type SubmissionEntry,
  type SubmitOutcome,
} from '../../eca/src/index';
import { NO_REQUEST_ID_MESSAGE } from '../../eca/src/client';
import { fileOf, makeTempDir, removeDir, securityQuestionsXml, startTestEmulator, type TestEmulator } from './helpers/emulator';
import { closeServer, hasOpenssl, listen, selfSignedCertificate, waitFor } from './helpers/loopback';

/** What one faulted submission produced. */
interface FaultRun {
  outcome: SubmitOutcome | undefined;
  error: EcaError | undefined;
  /** `update` requests that reached the server during the submission. */
  serverRequests: number;
  /** Entries that `recordSubmission` wrote for it, read back from the record file. */
  recorded: SubmissionEntry[];
}

describe('update under injected faults', () => {
  let setup: TestEmulator;
  let tempDir: string;
  let recordFile: string;
  let userNumber = 0;
  const nextUser = (): string => `submit.fault${++userNumber}`;

  before(async () => {
    setup = await startTestEmulator();
    tempDir = await makeTempDir('submit-faults');
    recordFile = path.join(tempDir, 'submissions.jsonl');
  });
  afterEach(() => {
    setup.emulator.clearFaults();
  });
  after(async () => {
    await setup.close();
    await removeDir(tempDir);
  });

  /**
   * Submits one file with `client`, records the outcome (or the `notSent` of the error) and
   * returns what happened. `countRequests` reads the server's count of `update` requests.
   */
  async function submit(client: EcaClient, userName: string, countRequests: () => number): Promise<FaultRun> {
    const file = fileOf(`${userName}.xml`, securityQuestionsXml(userName));
    const requestsBefore = countRequests();
    const linesBefore = (await readSubmissions(recordFile)).entries.length;
    let outcome: SubmitOutcome | undefined;
    let error: EcaError | undefined;
    try {
      outcome = await client.update(file);
    } catch (caught) {
      if (!(caught instanceof EcaError)) throw caught;
      error = caught;
    }
    const serverRequests = countRequests() - requestsBefore;

    const recordable = outcome ?? error?.notSent;
    if (recordable !== undefined) await recordSubmission({ recordFile, filePath: file.name, data: file.data, outcome: recordable });
    const recorded = (await readSubmissions(recordFile)).entries.slice(linesBefore);
    return { outcome, error, serverRequests, recorded };
  }

  /** Submits through the emulator with `fault` set. */
  function submitWithFault(fault: EmulatorFault, userName = nextUser(), client = setup.client()): Promise<FaultRun> {
    setup.emulator.setFaults([fault]);
    return submit(client, userName, () => setup.emulator.requestCounts()['update'] ?? 0);
  }

  /** Checks a run that got an outcome: its kind, one request sent, the record entry and the absence of the CSID. */
  function assertOutcome(run: FaultRun, kind: SubmitOutcome['outcome'], host: string): SubmitOutcome {
    const outcome = run.outcome ?? assert.fail(`update raised instead of returning an outcome: ${run.error?.message ?? ''}`);
    assert.equal(outcome.outcome, kind, outcome.message);
    assert.equal(outcome.host, host);
    assert.equal(run.serverRequests, 1, 'update is sent once and never resent');
    assertRecorded(run, kind);
    assert.ok(!JSON.stringify(outcome).includes(setup.local.csid), 'the CSID reached the outcome');
    return outcome;
  }

  /** Checks a run whose outcome is unknown to the client: the message names the host and asks the user to check the status before resending. */
  function assertUnknown(run: FaultRun, kind: 'unknown' | 'invalid-response', host = setup.client().host): SubmitOutcome {
    const outcome = assertOutcome(run, kind, host);
    assert.ok(outcome.message.includes(host), `the message names the host: ${outcome.message}`);
    // No fault here returns a request id, so the message says where else to look.
    assert.ok(outcome.message.includes('The request may have been processed'), outcome.message);
    assert.ok(outcome.message.includes(NO_REQUEST_ID_MESSAGE), outcome.message);
    return outcome;
  }

  /** Checks a run that raised before sending: a `connection` error with `notSent`, recorded as `not-sent`. */
  function assertNotSent(run: FaultRun, host: string): EcaError {
    assert.equal(run.outcome, undefined, 'update raised');
    const error = run.error ?? assert.fail('no error');
    assert.equal(error.code, 'connection');
    assert.ok(error.message.includes(host), error.message);
    assert.match(error.message, /Nothing was sent\./);
    const notSent = error.notSent ?? assert.fail('the error has no notSent outcome');
    assert.equal(notSent.outcome, 'not-sent');
    assert.equal(notSent.host, host);
    assert.equal(notSent.message, error.message);
    assert.equal(run.serverRequests, 0);
    assertRecorded(run, 'not-sent');
    return error;
  }

  function assertRecorded(run: FaultRun, outcome: RecordedOutcome): void {
    assert.deepEqual(
      run.recorded.map((entry) => [entry.outcome, entry.requestId]),
      [[outcome, run.outcome?.requestId ?? null]],
    );
  }

  /** Checks the raw reply kept for inspection. */
  function assertRawReply(outcome: SubmitOutcome, status: number, text: RegExp): void {
    const raw = outcome.rawReply ?? assert.fail('no raw reply was kept');
    assert.equal(raw.httpStatus, status);
    assert.equal(outcome.httpStatus, status);
    assert.match(raw.text, text);
    assert.ok(raw.text.length <= MAX_RAW_REPLY_CHARS);
  }

  test('connection refused is not sent', async () => {
    const server = createTcpServer();
    const port = await listen(server);
    await closeServer(server);
    const client = createEcaClient({ environment: 'local', baseUrl: `http://127.0.0.1:${port}`, credentials: setup.credentials });

    const run = await submit(client, nextUser(), () => 0);

    const error = assertNotSent(run, `127.0.0.1:${port}`);
    assert.match(error.message, /Could not connect to 127\.0\.0\.1:\d+: ECONNREFUSED\. Nothing was sent\. Start the emulator with "ibkr-am emulator"\./);
  });

  test('connect timeout is not sent', async () => {
    // A TCP server that never replies to the TLS handshake, so the connection is never ready.
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => sockets.add(socket));
    const port = await listen(server);
    try {
      const client = createEcaClient({ environment: 'custom', baseUrl: `https://127.0.0.1:${port}`, credentials: setup.credentials, connectTimeoutMs: 200 });
      const run = await submit(client, nextUser(), () => 0);

      const error = assertNotSent(run, `127.0.0.1:${port}`);
      assert.match(error.message, /^Connecting to 127\.0\.0\.1:\d+ timed out after 200 ms\. Nothing was sent\./);
      assert.equal(sockets.size, 1, 'one connection attempt, no retry');
    } finally {
      await closeServer(server, sockets);
    }
  });

  test('TLS failure is not sent', { skip: hasOpenssl() ? false : 'openssl is not installed' }, async () => {
    const { key, cert } = await selfSignedCertificate(tempDir);
    let requests = 0;
    let handshakeFailures = 0;
    const server = createHttpsServer({ key, cert }, (_request, response) => {
      requests++;
      response.end('{}');
    });
    server.on('tlsClientError', () => handshakeFailures++);
    const port = await listen(server);
    try {
      const client = createEcaClient({ environment: 'custom', baseUrl: `https://127.0.0.1:${port}`, credentials: setup.credentials });
      const run = await submit(client, nextUser(), () => requests);

      const error = assertNotSent(run, `127.0.0.1:${port}`);
      assert.match(error.message, /The TLS connection to 127\.0\.0\.1:\d+ failed: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
      assert.match(error.message, /give its certificate file as the CA file/);
      await waitFor(() => handshakeFailures === 1, 'the server saw one failed handshake');
    } finally {
      await closeServer(server);
    }
  });

  test('reply timeout is unknown', async () => {
    const client = setup.client({ requestTimeoutMs: 300 });
    const run = await submitWithFault({ kind: 'delay', delayMs: 10_000, phase: 'after-body', endpoint: 'update' }, nextUser(), client);

    const outcome = assertUnknown(run, 'unknown');
    assert.match(outcome.message, /^No complete reply from 127\.0\.0\.1:\d+ within 300 ms\./);
    assert.equal(outcome.rawReply, null);
    assert.equal(outcome.httpStatus, null);
  });

  test('dropped connection is unknown', async () => {
    const run = await submitWithFault({ kind: 'drop-connection', endpoint: 'update' });

    const outcome = assertUnknown(run, 'unknown');
    assert.match(outcome.message, /^The connection to 127\.0\.0\.1:\d+ was lost before a complete reply arrived/);
    assert.equal(outcome.rawReply, null);
  });

  test('HTTP 4xx is an invalid response', async () => {
    const run = await submitWithFault({ kind: 'status', status: 403, endpoint: 'update' });

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.message, /could not be read: HTTP 403\./);
    assert.match(outcome.detail ?? '', /^HTTP 403: the body is JSON/);
    assertRawReply(outcome, 403, /^\{"error":"Service temporarily unavailable \(emulator fault\)\."\}$/);
    assert.equal(outcome.rawReply?.truncated, false);
  });

  test('HTTP 404 is not processed: no such endpoint', async () => {
    const run = await submitWithFault({ kind: 'html', status: 404, endpoint: 'update' });

    const outcome = assertOutcome(run, 'not-processed', setup.client().host);
    assert.match(outcome.message, /^No such endpoint: 127\.0\.0\.1:\d+ returned HTTP 404, so the file was not processed\. Check the base URL /);
    assert.equal(outcome.httpStatus, 404);
  });

  test('HTTP 5xx is an invalid response', async () => {
    const run = await submitWithFault({ kind: 'status', status: 503, endpoint: 'update' });

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.message, /could not be read: HTTP 503\./);
    assertRawReply(outcome, 503, /Service temporarily unavailable/);
  });

  test('HTML body is an invalid response', async () => {
    const run = await submitWithFault({ kind: 'html', status: 502, endpoint: 'update' });

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.detail ?? '', /^HTTP 502: the body is an HTML page titled "502 Bad Gateway"/);
    assertRawReply(outcome, 502, /<title>502 Bad Gateway<\/title>/);
    assert.equal(outcome.rawReply?.contentType, 'text/html');
  });

  test('empty body is an invalid response', async () => {
    const run = await submitWithFault({ kind: 'empty-body', endpoint: 'update' });

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.message, /could not be read: the body is empty\./);
    assertRawReply(outcome, 200, /^$/);
    assert.equal(outcome.rawReply?.bytes, 0);
  });

  test('truncated JSON is an invalid response', async () => {
    const userName = nextUser();
    const run = await submitWithFault({ kind: 'truncated-json', endpoint: 'update' }, userName);

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.message, /could not be read: the JSON is truncated or malformed\./);
    assertRawReply(outcome, 200, /^\{"timestamp":\d+,"isProcessed":true/);

    // The emulator did process the file, which is why the outcome must not read as a failure.
    setup.emulator.clearFaults();
    const again = await setup.client().update(fileOf('again.xml', securityQuestionsXml(userName)));
    assert.match(again.errors[0] ?? '', /already answered/);
  });

  test('isProcessed false is not processed', async () => {
    const wrongCsid = setup.client({ credentials: { ...setup.credentials, csid: 'EMUNKNOWNCSID0000' } });
    const run = await submit(wrongCsid, nextUser(), () => setup.emulator.requestCounts()['update'] ?? 0);

    const outcome = assertOutcome(run, 'not-processed', setup.client().host);
    assert.match(outcome.message, /isProcessed: false/);
    assert.match(outcome.message, new RegExp(`the service at ${setup.client().host.replace(/\./g, '\\.')} was down\\), then submit again\\.$`));
    assert.match(outcome.detail ?? '', /no firm is registered with this CSID/);
    assertRawReply(outcome, 200, /^\{"timestamp":\d+,"isProcessed":false\}$/);
  });

  test('reply encrypted to another key', async () => {
    const userName = nextUser();
    const run = await submitWithFault({ kind: 'wrong-key', endpoint: 'update' }, userName);

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.message, /could not be read: fileData\.data could not be decrypted with the firm's private key\./);
    const keyId = setup.credentials.privateKey.getKeyID().toHex();
    assert.match(outcome.detail ?? '', new RegExp(`could not be decrypted with the firm's private key \\(key id ${keyId}\\)`));
    assert.equal(outcome.envelope?.isProcessed, true);
    assertRawReply(outcome, 200, /"fileData":\{"data":"[A-Za-z0-9+/=]+"\}/);

    setup.emulator.clearFaults();
    const again = await setup.client().update(fileOf('again.xml', securityQuestionsXml(userName)));
    assert.match(again.errors[0] ?? '', /already answered/, 'the file was processed although its reply was unreadable');
  });

  test('corrupt base64 data', async () => {
    const run = await submitWithFault({ kind: 'corrupt-data', endpoint: 'update' });

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.message, /could not be read: fileData\.data is not base64\./);
    assert.match(outcome.detail ?? '', /^isProcessed is true, but fileData\.data is not base64 \(\d+ characters\)\.$/);
    assertRawReply(outcome, 200, /"data":"[A-Za-z0-9+/=]+\*\*[A-Za-z0-9+/=]+"/);
  });

  test('reply over the size limit stops reading', async (context) => {
    const limit = 1024 * 1024;
    const bodyBytes = 32 * 1024 * 1024;
    const linesBefore = setup.logger.lines.length;
    const run = await submitWithFault({ kind: 'oversized-body', bodyBytes, afterProcessing: true, endpoint: 'update' }, nextUser(), setup.client({ maxReplyBytes: limit }));

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.message, /could not be read: the body is over the size limit\./);
    assert.match(outcome.detail ?? '', /^The reply from 127\.0\.0\.1:\d+ \(HTTP 200\) is over the limit of 1 MiB \(1048576 bytes\), so reading stopped after \d+ bytes\.$/);
    const raw = outcome.rawReply ?? assert.fail('no raw reply');
    assert.ok(raw.bytes > limit, `the client read only ${raw.bytes} bytes`);
    assert.ok(raw.bytes <= limit + 256 * 1024, `the client read ${raw.bytes} bytes`);
    assert.equal(raw.truncated, true);
    assert.equal(raw.text.length, MAX_RAW_REPLY_CHARS);
    assert.match(raw.text, /^\{"timestamp":\d+,"isProcessed":true,"padding":"AAAA/);

    const written = await bytesWrittenByEmulator(linesBefore);
    assert.ok(written < bodyBytes / 2, `the emulator wrote ${written} of ${bodyBytes} bytes before the client closed`);
    context.diagnostic(`limit ${limit} bytes: the client read ${raw.bytes}, the emulator wrote ${written} of ${bodyBytes}`);
  });

  test('default reply limit stops reading', async (context) => {
    const bodyBytes = 2 * MAX_REPLY_BYTES;
    const linesBefore = setup.logger.lines.length;
    const run = await submitWithFault({ kind: 'oversized-body', bodyBytes, endpoint: 'update' });

    const outcome = assertUnknown(run, 'invalid-response');
    assert.match(outcome.detail ?? '', /is over the limit of 64 MiB \(67108864 bytes\)/);
    const raw = outcome.rawReply ?? assert.fail('no raw reply');
    assert.ok(raw.bytes > MAX_REPLY_BYTES, `the client read only ${raw.bytes} bytes`);
    assert.ok(raw.bytes <= MAX_REPLY_BYTES + 256 * 1024, `the client read ${raw.bytes} bytes`);

    const written = await bytesWrittenByEmulator(linesBefore);
    assert.ok(written < bodyBytes * 0.75, `the emulator wrote ${written} of ${bodyBytes} bytes before the client closed`);
    context.diagnostic(`limit ${MAX_REPLY_BYTES} bytes: the client read ${raw.bytes}, the emulator wrote ${written} of ${bodyBytes}`);
  });

  /** Waits for the emulator's log line of an `oversized-body` fault and returns the bytes it wrote. */
  async function bytesWrittenByEmulator(linesBefore: number): Promise<number> {
    const pattern = /fault oversized-body stopped after (\d+) of \d+ bytes: the client closed the connection/;
    const match = (): RegExpExecArray | null => setup.logger.lines.slice(linesBefore).reduce<RegExpExecArray | null>((found, line) => found ?? pattern.exec(line), null);
    await waitFor(() => match() !== null, 'the emulator logged where the oversized body stopped');
    return Number(match()?.[1]);
  }

  test('raw reply is cut and the CSID masked', async () => {
    // A proxy error page that echoes the request body, CSID included, many times over.
    let requests = 0;
    const server = createHttpServer((request: IncomingMessage, response) => {
      requests++;
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const echoed = Buffer.concat(chunks).toString('utf8');
        response.writeHead(500, { 'Content-Type': 'text/html' });
        response.end(`<html><head><title>Proxy error</title></head><body>${Array.from({ length: 100 }, () => `<pre>${echoed}</pre>`).join('')}</body></html>`);
      });
    });
    const port = await listen(server);
    try {
      const client = createEcaClient({ environment: 'custom', baseUrl: `http://127.0.0.1:${port}`, credentials: setup.credentials });
      const run = await submit(client, nextUser(), () => requests);

      const outcome = assertUnknown(run, 'invalid-response', `127.0.0.1:${port}`);
      const raw = outcome.rawReply ?? assert.fail('no raw reply');
      assert.ok(raw.bytes > MAX_RAW_REPLY_CHARS, `the reply was only ${raw.bytes} bytes`);
      assert.equal(raw.text.length, MAX_RAW_REPLY_CHARS);
      assert.equal(raw.truncated, true);
      assert.match(raw.text, /"CSID":"\*\*\*\*"/);
      assert.ok(!raw.text.includes(setup.local.csid), 'the CSID reached the raw reply');
      assert.match(outcome.detail ?? '', /HTML page titled "Proxy error"/);
    } finally {
      await closeServer(server);
    }
  });
});
