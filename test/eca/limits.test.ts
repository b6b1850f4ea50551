import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';

import { EcaError, MAX_PAYLOAD_BASE64_BYTES, buildPayload, zipEntryName } from '../../eca/src/index';
import { loadOpenpgp } from '../../eca/src/pgp';
import { IBKR_SAMPLE_REQUEST, fileOf, startTestEmulator, type TestEmulator } from './helpers/emulator';

describe('payload limit and packaging', () => {
  let setup: TestEmulator;

  before(async () => {
    setup = await startTestEmulator();
  });
  after(async () => {
    await setup.close();
  });

  test('payload over 10 MB is rejected before sending', async () => {
    // Random bytes do not compress, so 7.6 MB of them give over 10 000 000 bytes of base64.
    const data = randomBytes(7_600_000);

    await assert.rejects(
      setup.client().update({ name: 'huge.xml', data }),
      (error: unknown) =>
        error instanceof EcaError &&
        error.code === 'payload-too-large' &&
        /over IBKR's 10 MB limit \(checked as 10000000 bytes\)/.test(error.message) &&
        // Set, so that the caller records the attempt as not-sent.
        error.notSent?.outcome === 'not-sent' &&
        error.notSent.fileName === 'huge.xml',
    );
    assert.equal(setup.emulator.requestCounts()['update'], undefined);
  });

  test('payload just under the limit is sent', async () => {
    const outcome = await setup.client().update({ name: 'big.xml', data: randomBytes(7_400_000) });

    const sending = setup.logger.lines.find((line) => line.startsWith('info update: sending big.xml'));
    const payloadBytes = Number(/\((\d+) bytes of payload\)/.exec(sending ?? '')?.[1]);
    assert.ok(payloadBytes > 9_800_000, `payload was only ${payloadBytes} bytes`);
    assert.ok(payloadBytes <= MAX_PAYLOAD_BASE64_BYTES, `payload was ${payloadBytes} bytes`);
    assert.equal(setup.emulator.requestCounts()['update'], 1);
    // Random bytes are not XML, so the emulator does not process them; the point is that they were sent.
    assert.equal(outcome.outcome, 'not-processed');
  });

  test('payload is a signed zip of the file', async () => {
    const openpgp = await loadOpenpgp();
    const file = fileOf('sample', IBKR_SAMPLE_REQUEST);
    const built = await buildPayload(file, setup.credentials);
    const emulatorKey = await openpgp.readPrivateKey({ armoredKey: await (await import('node:fs/promises')).readFile(`${setup.stateDir}/emulator-private.asc`, 'utf8') });
    const message = await openpgp.readMessage({ binaryMessage: Buffer.from(built.payload, 'base64') });
    const result: unknown = await openpgp.decrypt({
      message,
      decryptionKeys: emulatorKey,
      verificationKeys: setup.credentials.privateKey.toPublic(),
      expectSigned: true,
      format: 'binary',
    });
    const entries = unzipSync((result as { data: Uint8Array }).data);

    assert.equal(built.entryName, 'sample.xml');
    assert.deepEqual(Object.keys(entries), ['sample.xml']);
    assert.equal(Buffer.from(entries['sample.xml'] ?? new Uint8Array()).toString('utf8'), IBKR_SAMPLE_REQUEST);
    assert.doesNotMatch(built.payload, /\s/);
  });

  test('zip entry names end in .xml', () => {
    assert.equal(zipEntryName('/a/b/SecurityQuestions.xml'), 'SecurityQuestions.xml');
    assert.equal(zipEntryName('C:\\requests\\sq.XML'), 'sq.XML');
    assert.equal(zipEntryName('requests/sq.ibkr'), 'sq.ibkr.xml');
    assert.throws(() => zipEntryName('requests/..'), /is not a file name/);
  });
});
