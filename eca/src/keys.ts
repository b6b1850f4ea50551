/**
 * Loading the OpenPGP keys of a firm: IBKR's public key (replies are verified with it and
 * requests encrypted to it) and the firm's own private key (requests are signed and replies
 * decrypted with it). Armored and binary key files are both accepted.
 */

import { readFile } from 'node:fs/promises';
import type { PrivateKey, PublicKey, Key } from 'openpgp' with { 'resolution-mode': 'import' };

import { EcaError, errorCode, errorMessage } from './errors';
import { loadOpenpgp } from './pgp';

export type OpenPgpPrivateKey = PrivateKey;
export type OpenPgpPublicKey = PublicKey;

/** A firm's CSID and the paths of its key files. The passphrase is needed only for a protected private key. */
export interface CredentialFiles {
  csid: string;
  ibkrPublicKeyFile: string;
  privateKeyFile: string;
  passphrase?: string | undefined;
}

/** A firm's credentials, ready for the client. */
export interface EcaCredentials {
  /** Client service id that IBKR issues to the firm. A secret: never log it. */
  csid: string;
  ibkrPublicKey: PublicKey;
  /** The firm's private key, already decrypted. */
  privateKey: PrivateKey;
}

async function readKeyFile(path: string, role: string): Promise<Key[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const reason = errorCode(error) === 'ENOENT' ? 'not found' : `not readable (${errorCode(error) ?? errorMessage(error)})`;
    throw new EcaError('key', `${role} file ${path} is ${reason}.`, { cause: error });
  }
  if (bytes.length === 0) {
    throw new EcaError('key', `${role} file ${path} is empty.`);
  }

  const openpgp = await loadOpenpgp();
  const text = bytes.toString('latin1');
  const armored = /^(\xEF\xBB\xBF)?\s*-----BEGIN PGP /.test(text);
  // openpgp reads only the first armored block, so a second one would be silently ignored.
  const blocks = armored ? (text.match(/-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----/g) ?? []).length : 1;
  if (blocks > 1) {
    throw new EcaError('key', `${role} file ${path} contains ${blocks} keys; keep exactly one key in it.`);
  }
  try {
    return armored ? await openpgp.readKeys({ armoredKeys: bytes.toString('utf8') }) : await openpgp.readKeys({ binaryKeys: new Uint8Array(bytes) });
  } catch (error) {
    throw new EcaError('key', `${role} file ${path} does not contain a readable OpenPGP key (${armored ? 'armored' : 'binary'}): ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

function onlyKey(keys: Key[], path: string, role: string): Key {
  const [key, ...others] = keys;
  if (key === undefined) {
    throw new EcaError('key', `${role} file ${path} contains no key.`);
  }
  if (others.length > 0) {
    throw new EcaError('key', `${role} file ${path} contains ${keys.length} keys; keep exactly one key in it.`);
  }
  return key;
}

/** Loads a public key (e.g. IBKR's) and checks that it can encrypt. */
export async function loadPublicKeyFile(path: string, role = 'IBKR public key'): Promise<PublicKey> {
  const key = onlyKey(await readKeyFile(path, role), path, role);
  if (key.isPrivate()) {
    throw new EcaError('key', `${role} file ${path} contains a private key; a public key is expected here.`);
  }
  try {
    await key.getEncryptionKey();
  } catch (error) {
    throw new EcaError('key', `${role} file ${path} (key id ${key.getKeyID().toHex()}) has no usable encryption key: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  return key;
}

/**
 * Loads the firm's private key and decrypts it with `passphrase` when it is protected.
 * Errors name the file and never contain the passphrase.
 */
export async function loadPrivateKeyFile(path: string, passphrase?: string, role = 'Firm private key'): Promise<PrivateKey> {
  const key = onlyKey(await readKeyFile(path, role), path, role);
  if (!key.isPrivate()) {
    throw new EcaError('key', `${role} file ${path} contains a public key; the firm's private key is expected here.`);
  }

  let privateKey: PrivateKey = key;
  if (!key.isDecrypted()) {
    if (passphrase === undefined || passphrase === '') {
      throw new EcaError('key', `${role} file ${path} is protected by a passphrase, and none was given.`);
    }
    const openpgp = await loadOpenpgp();
    try {
      privateKey = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch (error) {
      // openpgp's message ("Incorrect key passphrase") never contains the passphrase itself.
      throw new EcaError('key', `The passphrase does not decrypt the private key in ${path} (${errorMessage(error)}).`, { cause: error });
    }
  }

  try {
    await privateKey.getSigningKey();
  } catch (error) {
    throw new EcaError('key', `${role} file ${path} (key id ${privateKey.getKeyID().toHex()}) has no usable signing key: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  return privateKey;
}

/** Loads and checks a firm's CSID and both keys. */
export async function loadCredentials(files: CredentialFiles): Promise<EcaCredentials> {
  if (files.csid.trim() === '') {
    throw new EcaError('config', 'The CSID is empty; set the client service id that IBKR issued to the firm.');
  }
  const [ibkrPublicKey, privateKey] = await Promise.all([
    loadPublicKeyFile(files.ibkrPublicKeyFile),
    loadPrivateKeyFile(files.privateKeyFile, files.passphrase),
  ]);
  return { csid: files.csid.trim(), ibkrPublicKey, privateKey };
}
