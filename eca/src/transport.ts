/**
 * The transport of ECA request files and replies: zip, then one binary OpenPGP message that is
 * encrypted to the recipient and signed by the sender, then base64 without line breaks.
 */

import path from 'node:path';
import { TextDecoder } from 'node:util';
import { unzipSync } from 'fflate';
import * as yazl from 'yazl';
import type { DecryptMessageResult, PrivateKey, PublicKey } from 'openpgp' with { 'resolution-mode': 'import' };

import { EcaError, errorMessage } from './errors';
import { loadOpenpgp } from './pgp';
import type { SignatureCheck } from './types';

/**
 * IBKR limits the payload to "10 MB" without saying whether that is 10^6 or 2^20 bytes, nor
 * whether it counts the base64 text or the binary message. The stricter reading is used:
 * 10 000 000 bytes of base64 payload.
 */
export const MAX_PAYLOAD_BASE64_BYTES = 10_000_000;

/**
 * Name of the zip entry for a request file: its base name, with `.xml` appended when it does not
 * already end so. IBKR does not prescribe the entry name; public clients use any `*.xml` name.
 */
export function zipEntryName(fileName: string): string {
  const base = path.basename(fileName.replace(/\\/g, '/'));
  if (base === '' || base === '.' || base === '..') {
    throw new EcaError('file', `"${fileName}" is not a file name.`);
  }
  return /\.xml$/i.test(base) ? base : `${base}.xml`;
}

/**
 * Deflate level of the request zip: zlib's default, also Info-ZIP zip's. IBKR's 10 MB limit
 * counts compressed bytes, and level 1 made a 29% larger zip of the 5 MB benchmark file
 * (599 KB against 464 KB).
 */
const ZIP_DEFLATE_LEVEL = 6;

/**
 * Zips one request file under `entryName` with yazl, which deflates with Node's native zlib on
 * libuv's thread pool (fflate's JavaScript deflate took twice as long on a 5 MB file).
 */
export function zipRequestFile(entryName: string, data: Uint8Array, modified = new Date()): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const zipFile = new yazl.ZipFile();
    const chunks: Buffer[] = [];
    zipFile.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zipFile.outputStream.on('error', (error: Error) => reject(new EcaError('file', `Zipping ${entryName} failed: ${error.message}`, { cause: error })));
    zipFile.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zipFile.addBuffer(Buffer.from(data.buffer, data.byteOffset, data.byteLength), entryName, { mtime: modified, compressionLevel: ZIP_DEFLATE_LEVEL });
    zipFile.end();
  });
}

/** Encrypts `data` to `encryptionKey` and signs it with `signingKey`, as one binary OpenPGP message. */
export async function encryptAndSign(data: Uint8Array, encryptionKey: PublicKey, signingKey: PrivateKey): Promise<Uint8Array> {
  const openpgp = await loadOpenpgp();
  try {
    const message = await openpgp.createMessage({ binary: data });
    // The stream-typed overloads of openpgp's declarations resolve to `any` here (their stream
    // types come from a package that is not installed), so the binary result is asserted.
    // The payload is a zip already: no second compression inside the message, whatever the global openpgp config sets.
    const config = { preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed };
    const encrypted: unknown = await openpgp.encrypt({ message, encryptionKeys: encryptionKey, signingKeys: signingKey, format: 'binary', config });
    return encrypted as Uint8Array;
  } catch (error) {
    throw new EcaError('crypto', `OpenPGP encryption failed: ${errorMessage(error)}`, { cause: error });
  }
}

export interface Payload {
  entryName: string;
  /** Base64 of the encrypted and signed zip, no line breaks. */
  payload: string;
  zipBytes: number;
}

/**
 * Builds the `payload` of an `update` or `create` call. Raises `payload-too-large` before
 * anything is sent when the base64 text is over `MAX_PAYLOAD_BASE64_BYTES`.
 */
export async function buildPayload(
  file: { name: string; data: Uint8Array },
  keys: { ibkrPublicKey: PublicKey; privateKey: PrivateKey },
): Promise<Payload> {
  const entryName = zipEntryName(file.name);
  const zip = await zipRequestFile(entryName, file.data);
  const encrypted = await encryptAndSign(zip, keys.ibkrPublicKey, keys.privateKey);
  // A view on the message's memory: base64 without copying the message first.
  const payload = Buffer.from(encrypted.buffer, encrypted.byteOffset, encrypted.byteLength).toString('base64');
  if (payload.length > MAX_PAYLOAD_BASE64_BYTES) {
    throw new EcaError(
      'payload-too-large',
      `The payload for ${entryName} is ${payload.length} bytes of base64, over IBKR's 10 MB limit (checked as ${MAX_PAYLOAD_BASE64_BYTES} bytes). Split the requests into smaller files.`,
    );
  }
  return { entryName, payload, zipBytes: zip.length };
}

const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 strictly (white space allowed), raising `invalid-response` naming `label`. */
export function decodeBase64(text: string, label: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || compact.length % 4 === 1 || !BASE64_PATTERN.test(compact)) {
    throw new EcaError('invalid-response', `${label} is not base64 (${compact.length} characters).`);
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

function isZip(bytes: Uint8Array): boolean {
  return ZIP_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

/**
 * Decodes XML bytes: a byte-order mark wins, then the `encoding` of the XML declaration,
 * then UTF-8. Raises when the bytes are not valid in that encoding.
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be', { fatal: true }).decode(bytes.subarray(2));
  }
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared ?? 'utf-8', { fatal: true });
  } catch {
    throw new EcaError('invalid-response', `The XML declares encoding "${declared ?? ''}", which this runtime cannot decode.`);
  }
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new EcaError('invalid-response', `The XML is not valid ${declared ?? 'UTF-8'}: ${errorMessage(error)}`, { cause: error });
  }
}

type Verification = DecryptMessageResult['signatures'][number];

/** Result of `openpgp.decrypt` with `format: 'binary'` for a message that is not streamed. */
export interface DecryptedBinary {
  data: Uint8Array;
  signatures: Verification[];
}

/** A reply after decryption. */
export interface DecryptedReply {
  /** The decrypted content, unzipped when it was a zip archive. */
  bytes: Uint8Array;
  /** Entry name when the decrypted content was a zip archive. */
  zipEntry: string | null;
  signature: SignatureCheck;
}

/**
 * Decrypts a reply (binary or armored OpenPGP message) with the firm's private key and checks
 * its signature against `verificationKey` when the message carries one. Whether IBKR zips or
 * signs replies is not published, so both are optional here.
 */
export async function decryptReplyData(message: Uint8Array, privateKey: PrivateKey, verificationKey: PublicKey | undefined): Promise<DecryptedReply> {
  const openpgp = await loadOpenpgp();
  const armoredText = Buffer.from(message.subarray(0, 64)).toString('latin1');
  let decrypted: DecryptedBinary;
  try {
    const parsed = /^\s*-----BEGIN PGP MESSAGE/.test(armoredText)
      ? await openpgp.readMessage({ armoredMessage: Buffer.from(message).toString('utf8') })
      : await openpgp.readMessage({ binaryMessage: message });
    // `unknown` first, because openpgp's declared result type does not resolve (see encryptAndSign).
    const result: unknown = await openpgp.decrypt({
      message: parsed,
      decryptionKeys: privateKey,
      ...(verificationKey === undefined ? {} : { verificationKeys: verificationKey }),
      format: 'binary',
    });
    decrypted = result as DecryptedBinary;
  } catch (error) {
    throw new EcaError(
      'crypto',
      `The reply could not be decrypted with the firm's private key (key id ${privateKey.getKeyID().toHex()}): ${errorMessage(error)}`,
      { cause: error },
    );
  }

  const signature = await checkSignatures(decrypted.signatures, verificationKey);
  let bytes = decrypted.data;
  let zipEntry: string | null = null;
  if (isZip(bytes)) {
    const entry = firstZipEntry(bytes);
    zipEntry = entry.name;
    bytes = entry.data;
  }
  return { bytes, zipEntry, signature };
}


async function checkSignatures(signatures: Verification[], verificationKey: PublicKey | undefined): Promise<SignatureCheck> {
  // Every `verified` promise is awaited, so a rejected one never becomes an unhandled rejection.
  const results = await Promise.all(
    signatures.map(async (signature) => {
      void signature.signature.catch(() => undefined);
      try {
        await signature.verified;
        return { keyId: signature.keyID.toHex(), error: undefined };
      } catch (error) {
        return { keyId: signature.keyID.toHex(), error: errorMessage(error) };
      }
    }),
  );

  const [first] = results;
  if (first === undefined) {
    return { status: 'absent', keyId: null, message: 'The reply is not signed.' };
  }
  if (verificationKey === undefined) {
    return { status: 'not-checked', keyId: first.keyId, message: `The reply is signed by key ${first.keyId}, but no IBKR public key was given to check it.` };
  }
  const valid = results.find((result) => result.error === undefined);
  if (valid !== undefined) {
    return { status: 'valid', keyId: valid.keyId, message: `The reply is signed by IBKR's key ${valid.keyId}.` };
  }
  return { status: 'invalid', keyId: first.keyId, message: `The reply's signature by key ${first.keyId} does not verify against IBKR's public key: ${first.error ?? ''}` };
}

/** Returns the `.xml` entry of a zip archive, or its only entry. */
export function firstZipEntry(bytes: Uint8Array): { name: string; data: Uint8Array } {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new EcaError('invalid-response', `The zip archive could not be read: ${errorMessage(error)}`, { cause: error });
  }
  const names = Object.keys(entries).filter((name) => !name.endsWith('/'));
  const chosen = names.find((name) => /\.xml$/i.test(name)) ?? (names.length === 1 ? names[0] : undefined);
  const data = chosen === undefined ? undefined : entries[chosen];
  if (chosen === undefined || data === undefined) {
    throw new EcaError('invalid-response', `The zip archive contains ${names.length} entries and none ends in .xml.`);
  }
  return { name: chosen, data };
}
