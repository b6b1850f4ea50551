import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { zipSync } from 'fflate';

import { EcaError, decryptReplyData, type OpenPgpPrivateKey, type OpenPgpPublicKey } from '../../eca/src/index';
import { loadOpenpgp, type OpenPgpModule } from '../../eca/src/pgp';
import { decodeBase64, decodeXmlBytes, encryptAndSign } from '../../eca/src/transport';

interface KeyPair {
  privateKey: OpenPgpPrivateKey;
  publicKey: OpenPgpPublicKey;
}

describe('reply decryption and signatures', () => {
  let openpgp: OpenPgpModule;
  let firm: KeyPair;
  let ibkr: KeyPair;
  let stranger: KeyPair;

  const generate = async (name: string): Promise<KeyPair> => {
    const pair = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'object' });
    return { privateKey: pair.privateKey, publicKey: pair.publicKey };
  };

  before(async () => {
    openpgp = await loadOpenpgp();
    [firm, ibkr, stranger] = await Promise.all([generate('firm'), generate('ibkr'), generate('stranger')]);
  });

  const xml = new TextEncoder().encode('<Process/>');

  test('signed by IBKR is valid', async () => {
    const message = await encryptAndSign(xml, firm.publicKey, ibkr.privateKey);
    const reply = await decryptReplyData(message, firm.privateKey, ibkr.publicKey);

    assert.equal(reply.signature.status, 'valid');
    assert.equal(reply.signature.keyId, ibkr.publicKey.getKeyID().toHex());
    assert.equal(decodeXmlBytes(reply.bytes), '<Process/>');
    assert.equal(reply.zipEntry, null);
  });

  test('signed by another key is invalid', async () => {
    const message = await encryptAndSign(xml, firm.publicKey, stranger.privateKey);
    const reply = await decryptReplyData(message, firm.privateKey, ibkr.publicKey);

    assert.equal(reply.signature.status, 'invalid');
    assert.match(reply.signature.message, /does not verify against IBKR's public key/);
  });

  test('unsigned reply is absent, not an error', async () => {
    const message: unknown = await openpgp.encrypt({ message: await openpgp.createMessage({ binary: xml }), encryptionKeys: firm.publicKey, format: 'binary' });
    const reply = await decryptReplyData(message as Uint8Array, firm.privateKey, ibkr.publicKey);

    assert.equal(reply.signature.status, 'absent');
  });

  test('signature without IBKR key is not checked', async () => {
    const message = await encryptAndSign(xml, firm.publicKey, ibkr.privateKey);
    const reply = await decryptReplyData(message, firm.privateKey, undefined);

    assert.equal(reply.signature.status, 'not-checked');
  });

  test('zipped armored reply is opened', async () => {
    const zip = zipSync({ 'response.xml': xml });
    const armored: unknown = await openpgp.encrypt({ message: await openpgp.createMessage({ binary: zip }), encryptionKeys: firm.publicKey, signingKeys: ibkr.privateKey });
    const reply = await decryptReplyData(new TextEncoder().encode(armored as string), firm.privateKey, ibkr.publicKey);

    assert.equal(reply.zipEntry, 'response.xml');
    assert.equal(decodeXmlBytes(reply.bytes), '<Process/>');
  });

  test('reply for another key names the firm key', async () => {
    const message = await encryptAndSign(xml, stranger.publicKey, ibkr.privateKey);

    await assert.rejects(
      decryptReplyData(message, firm.privateKey, ibkr.publicKey),
      (error: unknown) => error instanceof EcaError && error.code === 'crypto' && error.message.includes(firm.privateKey.getKeyID().toHex()),
    );
  });

  test('strict base64 and XML decoding', () => {
    assert.throws(() => decodeBase64('not base64!', 'fileData.data'), /fileData\.data is not base64/);
    assert.deepEqual([...decodeBase64('QUJD\nRA==', 'x')], [65, 66, 67, 68]);
    assert.equal(decodeXmlBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e])), '<a/>');
    assert.equal(decodeXmlBytes(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>\xe9</a>', 'latin1')), '<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>');
    assert.throws(() => decodeXmlBytes(new Uint8Array([0x3c, 0xff, 0x3e])), /not valid UTF-8/);
  });
});
