import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { EcaError, type EmulatorFault } from '../../eca/src/index';
import { fileOf, securityQuestionsXml, startTestEmulator, type TestEmulator } from './helpers/emulator';
import { waitFor } from './helpers/loopback';

const FAST_RETRY = { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 };

describe('emulator faults', () => {
  let setup: TestEmulator;
  let userNumber = 0;
  const nextUser = (): string => `fault.user${++userNumber}`;

  before(async () => {
    setup = await startTestEmulator();
  });
  afterEach(() => {
    setup.emulator.clearFaults();
  });
  after(async () => {
    await setup.close();
  });

  /** Submits one file under `fault` and returns the outcome and how many update requests the emulator saw. */
  async function updateWithFault(fault: EmulatorFault, userName = nextUser(), clientOptions = {}) {
    const before = setup.emulator.requestCounts()['update'] ?? 0;
    setup.emulator.setFaults([fault]);
    const outcome = await setup.client(clientOptions).update(fileOf('fault.xml', securityQuestionsXml(userName)));
    const sent = (setup.emulator.requestCounts()['update'] ?? 0) - before;
    return { outcome, sent };
  }

  test('short delay before body still processes', async () => {
    const { outcome, sent } = await updateWithFault({ kind: 'delay', delayMs: 50, phase: 'before-body', endpoint: 'update' });

    assert.equal(sent, 1);
    assert.equal(outcome.outcome, 'processed');
  });

  test('cancel after sending is unknown', async () => {
    const controller = new AbortController();
    const linesBefore = setup.logger.lines.length;
    setup.emulator.setFaults([{ kind: 'delay', delayMs: 10_000, endpoint: 'update' }]);
    const pending = setup.client().update(fileOf('cancel.xml', securityQuestionsXml(nextUser())), { signal: controller.signal });
    await waitFor(() => setup.logger.lines.slice(linesBefore).some((line) => line.includes('Emulator update: fault delay')), 'the emulator holds the request');
    controller.abort();
    const outcome = await pending;

    assert.equal(outcome.outcome, 'unknown');
    assert.match(outcome.message, /cancelled after the request may have been sent/);
  });

  test('cancel before sending raises', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = setup.emulator.requestCounts()['update'] ?? 0;

    await assert.rejects(
      setup.client().update(fileOf('cancel.xml', securityQuestionsXml(nextUser())), { signal: controller.signal }),
      (error: unknown) => error instanceof EcaError && error.code === 'cancelled' && /Nothing was sent/.test(error.message) && error.notSent?.outcome === 'not-sent',
    );
    assert.equal(setup.emulator.requestCounts()['update'] ?? 0, before);
  });

  test('read-only call retries after 5xx', async () => {
    const before = setup.emulator.requestCounts()['getEnumerations'] ?? 0;
    setup.emulator.setFaults([{ kind: 'status', status: 503, endpoint: 'getEnumerations', times: 1 }]);
    const result = await setup.client({ retry: FAST_RETRY }).getEnumerations();

    assert.ok(result.entries.length >= 20);
    assert.equal((setup.emulator.requestCounts()['getEnumerations'] ?? 0) - before, 2);
    assert.ok(setup.logger.lines.some((line) => /^warn getEnumerations: HTTP 503 .* Retrying \(attempt 2 of 2\)/.test(line)));
  });

  test('read-only retries are bounded', async () => {
    const before = setup.emulator.requestCounts()['getEnumerations'] ?? 0;
    setup.emulator.setFaults([{ kind: 'status', status: 500, endpoint: 'getEnumerations' }]);

    await assert.rejects(
      setup.client({ retry: FAST_RETRY }).getEnumerations(),
      (error: unknown) => error instanceof EcaError && error.code === 'http-status' && /getEnumerations failed with HTTP 500/.test(error.message),
    );
    assert.equal((setup.emulator.requestCounts()['getEnumerations'] ?? 0) - before, 2);
  });

  test('read-only dropped connection raises after retries', async () => {
    const before = setup.emulator.requestCounts()['getAccountDetail'] ?? 0;
    setup.emulator.setFaults([{ kind: 'drop-connection', endpoint: 'getAccountDetail' }]);

    await assert.rejects(
      setup.client({ retry: FAST_RETRY }).getAccountDetail('U1234567'),
      (error: unknown) => error instanceof EcaError && error.code === 'connection' && /connection to 127\.0\.0\.1:\d+ was lost/.test(error.message),
    );
    assert.equal((setup.emulator.requestCounts()['getAccountDetail'] ?? 0) - before, 2);
  });

  test('read-only HTML page raises with its title', async () => {
    setup.emulator.setFaults([{ kind: 'html', status: 404, endpoint: 'getAmRequestStatus' }]);

    await assert.rejects(
      setup.client({ retry: FAST_RETRY }).getAmRequestStatus('1'),
      (error: unknown) => error instanceof EcaError && error.code === 'http-status' && /HTML page titled "502 Bad Gateway"/.test(error.message),
    );
  });

  test('read-only reply over the limit is not retried', async () => {
    const before = setup.emulator.requestCounts()['getEnumerations'] ?? 0;
    setup.emulator.setFaults([{ kind: 'oversized-body', bodyBytes: 4 * 1024 * 1024, endpoint: 'getEnumerations' }]);

    await assert.rejects(
      setup.client({ retry: FAST_RETRY, maxReplyBytes: 64 * 1024 }).getEnumerations(),
      (error: unknown) => error instanceof EcaError && error.code === 'invalid-response' && /is over the limit of 65536 bytes, so reading stopped after \d+ bytes/.test(error.message),
    );
    assert.equal((setup.emulator.requestCounts()['getEnumerations'] ?? 0) - before, 1);
  });

  test('invalid fault fields are named', () => {
    assert.throws(
      () => setup.emulator.setFaults([{ kind: 'oversized-body', bodyBytes: 0 }]),
      (error: unknown) => error instanceof EcaError && error.code === 'config' && /Fault bodyBytes must be a whole number of bytes from 1 to 1073741824; got 0/.test(error.message),
    );
    assert.throws(
      () => setup.client({ maxReplyBytes: 0.5 }),
      (error: unknown) => error instanceof EcaError && error.code === 'config' && /maxReplyBytes must be a positive whole number of bytes; got 0\.5/.test(error.message),
    );
  });

  test('fault control endpoint sets and clears faults', async () => {
    const faultsUrl = `${setup.emulator.url}/_emulator/faults`;
    const set = await fetch(faultsUrl, { method: 'POST', body: JSON.stringify({ faults: [{ kind: 'empty-body', endpoint: 'update', times: 1 }] }) });
    assert.equal(set.status, 200);
    const outcome = await setup.client().update(fileOf('control.xml', securityQuestionsXml(nextUser())));
    assert.equal(outcome.outcome, 'invalid-response');

    const invalid = await fetch(faultsUrl, { method: 'POST', body: JSON.stringify({ faults: [{ kind: 'explode' }] }) });
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { error: string }).error, /Fault kind "explode" is invalid/);

    const stats = (await (await fetch(`${setup.emulator.url}/_emulator/stats`)).json()) as { requestCounts: Record<string, number> };
    assert.deepEqual(stats.requestCounts, setup.emulator.requestCounts());
  });
});
