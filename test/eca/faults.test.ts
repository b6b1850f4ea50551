import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';

import { EcaError, OUTCOME_UNKNOWN_MESSAGE, type EmulatorFault } from '../../eca/src/index';
import { fileOf, securityQuestionsXml, startTestEmulator, type TestEmulator } from './helpers/emulator';

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

  test('5xx status is an invalid response', async () => {
    const { outcome, sent } = await updateWithFault({ kind: 'status', status: 503, endpoint: 'update' });

    assert.equal(sent, 1);
    assert.equal(outcome.outcome, 'invalid-response');
    assert.equal(outcome.httpStatus, 503);
    assert.match(outcome.detail ?? '', /^HTTP 503: the body is JSON/);
    assert.ok(outcome.message.includes(OUTCOME_UNKNOWN_MESSAGE));
  });

  test('HTML error page is named', async () => {
    const { outcome, sent } = await updateWithFault({ kind: 'html', endpoint: 'update' });

    assert.equal(sent, 1);
    assert.equal(outcome.outcome, 'invalid-response');
    assert.match(outcome.detail ?? '', /^HTTP 502: the body is an HTML page titled "502 Bad Gateway"/);
  });

  test('truncated JSON after processing', async () => {
    const userName = nextUser();
    const { outcome, sent } = await updateWithFault({ kind: 'truncated-json', endpoint: 'update', times: 1 }, userName);

    assert.equal(sent, 1);
    assert.equal(outcome.outcome, 'invalid-response');
    assert.match(outcome.detail ?? '', /the body is truncated or malformed JSON/);
    assert.ok(outcome.message.includes(OUTCOME_UNKNOWN_MESSAGE));

    // The emulator did process it, which is why the client must not call it a failure.
    const again = await setup.client().update(fileOf('again.xml', securityQuestionsXml(userName)));
    assert.match(again.errors[0] ?? '', /already answered/);
  });

  test('empty body is an invalid response', async () => {
    const { outcome, sent } = await updateWithFault({ kind: 'empty-body', endpoint: 'update' });

    assert.equal(sent, 1);
    assert.equal(outcome.outcome, 'invalid-response');
    assert.match(outcome.detail ?? '', /the body is empty/);
  });

  test('dropped connection is unknown', async () => {
    const { outcome, sent } = await updateWithFault({ kind: 'drop-connection', endpoint: 'update' });

    assert.equal(sent, 1);
    assert.equal(outcome.outcome, 'unknown');
    assert.equal(outcome.httpStatus, null);
    assert.match(outcome.message, /connection to 127\.0\.0\.1:\d+ was lost before a complete reply arrived/);
    assert.ok(outcome.message.includes(OUTCOME_UNKNOWN_MESSAGE));
  });

  test('delay past request timeout is unknown', async () => {
    const { outcome, sent } = await updateWithFault({ kind: 'delay', delayMs: 10_000, phase: 'after-body', endpoint: 'update' }, nextUser(), {
      requestTimeoutMs: 300,
    });

    assert.equal(sent, 1);
    assert.equal(outcome.outcome, 'unknown');
    assert.match(outcome.message, /No complete reply from 127\.0\.0\.1:\d+ within 300 ms/);
    assert.ok(outcome.message.includes(OUTCOME_UNKNOWN_MESSAGE));
  });

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
    await waitFor(() => setup.logger.lines.slice(linesBefore).some((line) => line.includes('Emulator update: fault delay')));
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
      (error: unknown) => error instanceof EcaError && error.code === 'cancelled' && /Nothing was sent/.test(error.message),
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

/** Polls `condition` every 10 ms, failing after 5 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
