import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EcaError, loadCredentials, loadPrivateKeyFile, loadPublicKeyFile } from '../../eca/src/index';
import { loadOpenpgp } from '../../eca/src/pgp';
import { IBKR_SAMPLE_REQUEST, fileOf, securityQuestionsXml, startTestEmulator, type TestEmulator } from './helpers/emulator';

const OTHER_PASSPHRASE = 'correct horse battery staple 42';

interface KeyFiles {
  publicFile: string;
  privateFile: string;
  protectedPrivateFile: string;
  binaryPublicFile: string;
}

async function writeKeyPair(dir: string, name: string): Promise<KeyFiles> {
  const openpgp = await loadOpenpgp();
  const plain = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'object' });
  const protectedKey = await openpgp.encryptKey({ privateKey: plain.privateKey, passphrase: OTHER_PASSPHRASE });
  const files: KeyFiles = {
    publicFile: path.join(dir, `${name}-public.asc`),
    privateFile: path.join(dir, `${name}-private.asc`),
    protectedPrivateFile: path.join(dir, `${name}-protected.asc`),
    binaryPublicFile: path.join(dir, `${name}-public.gpg`),
  };
  await writeFile(files.publicFile, plain.publicKey.armor());
  await writeFile(files.privateFile, plain.privateKey.armor());
  await writeFile(files.protectedPrivateFile, protectedKey.armor());
  await writeFile(files.binaryPublicFile, plain.publicKey.write());
  return files;
}

async function rejectsWithKeyError(promise: Promise<unknown>, pattern: RegExp): Promise<EcaError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EcaError, `expected EcaError, got ${String(error)}`);
    assert.equal(error.code, 'key');
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail('expected the key to be rejected');
}

describe('keys and wrong-key submissions', () => {
  let setup: TestEmulator;
  let other: KeyFiles;

  before(async () => {
    setup = await startTestEmulator();
    other = await writeKeyPair(setup.stateDir, 'other');
  });
  after(async () => {
    await setup.close();
  });

  test('firm key not registered is not processed', async () => {
    const credentials = await loadCredentials({
      csid: setup.local.csid,
      ibkrPublicKeyFile: setup.local.ibkrPublicKeyFile,
      privateKeyFile: other.privateFile,
    });
    const outcome = await setup.client({ credentials }).update(fileOf('unregistered.xml', IBKR_SAMPLE_REQUEST));

    assert.equal(outcome.outcome, 'not-processed');
    assert.match(outcome.detail ?? '', /signature does not verify against the public key registered for firm TestFirm/);
  });

  test('wrong IBKR key is not processed', async () => {
    const credentials = await loadCredentials({
      csid: setup.local.csid,
      ibkrPublicKeyFile: other.publicFile,
      privateKeyFile: setup.local.privateKeyFile,
      passphrase: setup.local.passphrase,
    });
    const outcome = await setup.client({ credentials }).update(fileOf('wrong-ibkr-key.xml', IBKR_SAMPLE_REQUEST));

    assert.equal(outcome.outcome, 'not-processed');
    assert.match(outcome.detail ?? '', /could not be decrypted with the emulator's key/);
  });

  test('unknown CSID is not processed', async () => {
    const credentials = { ...setup.credentials, csid: 'EMUNKNOWNCSID0000' };
    const outcome = await setup.client({ credentials }).update(fileOf('unknown-csid.xml', IBKR_SAMPLE_REQUEST));

    assert.equal(outcome.outcome, 'not-processed');
    assert.match(outcome.detail ?? '', /no firm is registered with this CSID/);
  });

  test('registered second firm is processed', async () => {
    const registration = await setup.emulator.registerFirm({ name: 'SecondFirm', publicKeyFile: other.publicFile, masterAccount: 'F7654321' });
    const credentials = await loadCredentials({
      csid: registration.csid,
      ibkrPublicKeyFile: setup.local.ibkrPublicKeyFile,
      privateKeyFile: other.protectedPrivateFile,
      passphrase: OTHER_PASSPHRASE,
    });
    const outcome = await setup.client({ credentials }).update(fileOf('second-firm.xml', securityQuestionsXml('second.firm.user')));

    assert.equal(outcome.outcome, 'processed');
    assert.equal(outcome.execution?.client, 'SecondFirm');
    assert.equal(outcome.execution?.masterAcct, 'F7654321');
  });

  test('binary public key file loads', async () => {
    const key = await loadPublicKeyFile(other.binaryPublicFile);
    const armored = await loadPublicKeyFile(other.publicFile);

    assert.equal(key.getFingerprint(), armored.getFingerprint());
  });

  test('missing key file names the path', async () => {
    const missing = path.join(setup.stateDir, 'no-such-key.asc');
    const error = await rejectsWithKeyError(loadPublicKeyFile(missing), /not found/);

    assert.ok(error.message.includes(missing));
  });

  test('public key in private key slot', async () => {
    await rejectsWithKeyError(loadPrivateKeyFile(other.publicFile), /contains a public key; the firm's private key is expected/);
  });

  test('private key in public key slot', async () => {
    await rejectsWithKeyError(loadPublicKeyFile(other.privateFile), /contains a private key; a public key is expected/);
  });

  test('protected key without passphrase', async () => {
    await rejectsWithKeyError(loadPrivateKeyFile(other.protectedPrivateFile), /is protected by a passphrase, and none was given/);
  });

  test('wrong passphrase is not echoed', async () => {
    const wrong = 'wrong-passphrase-value-7f3a';
    const error = await rejectsWithKeyError(loadPrivateKeyFile(other.protectedPrivateFile, wrong), /passphrase does not decrypt the private key/);

    assert.ok(error.message.includes(other.protectedPrivateFile));
    assert.ok(!error.message.includes(wrong));
  });

  test('garbage key file', async () => {
    const garbage = path.join(setup.stateDir, 'garbage.asc');
    await writeFile(garbage, '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n');

    await rejectsWithKeyError(loadPublicKeyFile(garbage), /does not contain a readable OpenPGP key \(armored\)/);
  });

  test('file with two keys', async () => {
    const openpgp = await loadOpenpgp();
    const second = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'second' }], format: 'armored' });
    const { readFile } = await import('node:fs/promises');
    const twoKeys = path.join(setup.stateDir, 'two-keys.asc');
    await writeFile(twoKeys, `${await readFile(other.publicFile, 'utf8')}\n${second.publicKey}`);

    await rejectsWithKeyError(loadPublicKeyFile(twoKeys), /contains 2 keys; keep exactly one key/);
  });

  test('empty CSID is rejected', async () => {
    await assert.rejects(
      loadCredentials({ csid: '  ', ibkrPublicKeyFile: other.publicFile, privateKeyFile: other.privateFile }),
      (error: unknown) => error instanceof EcaError && error.code === 'config' && /CSID is empty/.test(error.message),
    );
  });
});
