/**
 * The emulator's state folder: its own OpenPGP key pair (it plays IBKR), a ready-made test firm
 * for the `local` environment, and the registration of further firms. Everything here is test
 * material for the local emulator only; the keys protect nothing real.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { EcaError, errorCode, errorMessage } from '../errors';
import { loadPrivateKeyFile, loadPublicKeyFile } from '../keys';
import { loadOpenpgp } from '../pgp';
import { silentLogger, type Logger } from '../types';
import { removeStaleTempFiles, stateStoreFor, writeFileAtomic, type FirmRecord, type TaskRecord } from './state';

export const EMULATOR_PUBLIC_KEY_FILE = 'emulator-public.asc';
export const EMULATOR_PRIVATE_KEY_FILE = 'emulator-private.asc';
export const TEST_FIRM_FILE = 'test-firm.json';
export const TEST_FIRM_PRIVATE_KEY_FILE = 'test-firm-private.asc';
export const TEST_FIRM_PUBLIC_KEY_FILE = 'test-firm-public.asc';
/** Written by a running emulator: its URL and process id. Removed when it closes. */
export const SERVER_INFO_FILE = 'server.json';

const TEST_FIRM_NAME = 'TestFirm';
const TEST_FIRM_MASTER_ACCOUNT = 'F1234567';
/** Account that `getAccountDetail` returns from the start: the user of IBKR's request sample. */
const SEED_ACCOUNTS: Record<string, string> = { U1234567: 'tester1234' };

/** The test firm that the `local` environment uses with no set-up. Paths are absolute. */
export interface TestFirm {
  name: string;
  /** A secret of the local emulator only; still never log it. */
  csid: string;
  masterAccount: string;
  privateKeyFile: string;
  publicKeyFile: string;
  passphrase: string;
  /** The emulator's public key, which plays IBKR's public key. */
  ibkrPublicKeyFile: string;
}

/** Credentials the client needs for the `local` environment. */
export interface LocalCredentials {
  csid: string;
  ibkrPublicKeyFile: string;
  privateKeyFile: string;
  passphrase: string;
  /** URL of the emulator when one is running on this state folder, else `null`. */
  url: string | null;
}

export interface FirmRegistration {
  name: string;
  csid: string;
  masterAccount: string;
}

/** `~/.ibkr-am/emulator`. */
export function defaultEmulatorStateDir(): string {
  return path.join(os.homedir(), '.ibkr-am', 'emulator');
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new EcaError('state', `Could not read ${file} (${errorCode(error) ?? errorMessage(error)}).`, { cause: error });
  }
}

/** Generates an ECC (Curve25519) key pair, which openpgp creates in milliseconds. */
async function generateKeyPair(name: string, passphrase?: string): Promise<{ privateKey: string; publicKey: string }> {
  const openpgp = await loadOpenpgp();
  const pair = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name }],
    ...(passphrase === undefined ? {} : { passphrase }),
    format: 'armored',
  });
  return { privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/** Creates a random CSID for an emulated firm. IBKR does not publish the format of real ones. */
function newCsid(): string {
  return `EMU${randomBytes(12).toString('hex').toUpperCase()}`;
}

function testFirmFromJson(stateDir: string, text: string, file: string): TestFirm {
  let value: Partial<Record<keyof TestFirm, unknown>>;
  try {
    value = JSON.parse(text) as typeof value;
  } catch (error) {
    throw new EcaError('state', `${file} is not valid JSON (${errorMessage(error)}). Delete the state folder ${stateDir} to create a new test firm.`);
  }
  const fields = ['name', 'csid', 'masterAccount', 'privateKeyFile', 'publicKeyFile', 'passphrase', 'ibkrPublicKeyFile'] as const;
  for (const field of fields) {
    if (typeof value[field] !== 'string') {
      throw new EcaError('state', `${file} has no ${field}. Delete the state folder ${stateDir} to create a new test firm.`);
    }
  }
  const read = (field: (typeof fields)[number]): string => value[field] as string;
  return {
    name: read('name'),
    csid: read('csid'),
    masterAccount: read('masterAccount'),
    passphrase: read('passphrase'),
    privateKeyFile: path.resolve(stateDir, read('privateKeyFile')),
    publicKeyFile: path.resolve(stateDir, read('publicKeyFile')),
    ibkrPublicKeyFile: path.resolve(stateDir, read('ibkrPublicKeyFile')),
  };
}

/**
 * Creates on first use, and otherwise reads, the emulator's key pair and the test firm of a
 * state folder. The test firm's private key is protected by a random passphrase that is kept
 * in `test-firm.json`, so the passphrase path of the client is exercised too.
 */
export async function initEmulatorState(stateDir: string, logger: Logger = silentLogger): Promise<{ testFirm: TestFirm; publicKeyFile: string }> {
  const dir = path.resolve(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stale = await removeStaleTempFiles(dir);
  if (stale.length > 0) logger.info(`Emulator: removed ${stale.length} temp file(s) left by a process that stopped mid-write: ${stale.join(', ')}.`);

  const publicKeyFile = path.join(dir, EMULATOR_PUBLIC_KEY_FILE);
  const privateKeyFile = path.join(dir, EMULATOR_PRIVATE_KEY_FILE);
  let emulatorPublicKey = await readIfPresent(publicKeyFile);
  if (emulatorPublicKey === undefined || (await readIfPresent(privateKeyFile)) === undefined) {
    const pair = await generateKeyPair('ibkr-am local ECA emulator');
    await writeFileAtomic(privateKeyFile, pair.privateKey, 0o600);
    await writeFileAtomic(publicKeyFile, pair.publicKey, 0o644);
    emulatorPublicKey = pair.publicKey;
    logger.info(`Emulator: created its key pair in ${dir}.`);
  }

  const firmFile = path.join(dir, TEST_FIRM_FILE);
  const existing = await readIfPresent(firmFile);
  if (existing !== undefined) {
    return { testFirm: testFirmFromJson(dir, existing, firmFile), publicKeyFile };
  }

  const passphrase = randomBytes(16).toString('hex');
  const pair = await generateKeyPair(TEST_FIRM_NAME, passphrase);
  await writeFileAtomic(path.join(dir, TEST_FIRM_PRIVATE_KEY_FILE), pair.privateKey, 0o600);
  await writeFileAtomic(path.join(dir, TEST_FIRM_PUBLIC_KEY_FILE), pair.publicKey, 0o644);
  const csid = newCsid();
  await stateStoreFor(dir).update((state) => {
    state.firms = state.firms.filter((firm) => firm.name !== TEST_FIRM_NAME);
    state.firms.push({ name: TEST_FIRM_NAME, csid, masterAccount: TEST_FIRM_MASTER_ACCOUNT, publicKeyArmored: pair.publicKey, registeredAt: new Date().toISOString() });
    state.accounts = { ...SEED_ACCOUNTS, ...state.accounts };
  });
  // test-firm.json is written last: its presence marks a complete set-up.
  const stored = {
    name: TEST_FIRM_NAME,
    csid,
    masterAccount: TEST_FIRM_MASTER_ACCOUNT,
    privateKeyFile: TEST_FIRM_PRIVATE_KEY_FILE,
    publicKeyFile: TEST_FIRM_PUBLIC_KEY_FILE,
    passphrase,
    ibkrPublicKeyFile: EMULATOR_PUBLIC_KEY_FILE,
  };
  await writeFileAtomic(firmFile, `${JSON.stringify(stored, null, 2)}\n`, 0o600);
  logger.info(`Emulator: created the test firm ${TEST_FIRM_NAME} in ${dir}.`);
  return { testFirm: testFirmFromJson(dir, JSON.stringify(stored), firmFile), publicKeyFile };
}

/** Reads the test firm of a state folder, for the client's `local` environment. */
export async function loadLocalCredentials(stateDir: string): Promise<LocalCredentials> {
  const dir = path.resolve(stateDir);
  const firmFile = path.join(dir, TEST_FIRM_FILE);
  const text = await readIfPresent(firmFile);
  if (text === undefined) {
    throw new EcaError('state', `No test firm in ${dir}: ${firmFile} is missing. Start the emulator once with "ibkr-am emulator" to create it.`);
  }
  const firm = testFirmFromJson(dir, text, firmFile);
  const info = await readIfPresent(path.join(dir, SERVER_INFO_FILE));
  let url: string | null = null;
  if (info !== undefined) {
    try {
      const parsed = JSON.parse(info) as { url?: unknown };
      url = typeof parsed.url === 'string' ? parsed.url : null;
    } catch {
      url = null;
    }
  }
  return { csid: firm.csid, ibkrPublicKeyFile: firm.ibkrPublicKeyFile, privateKeyFile: firm.privateKeyFile, passphrase: firm.passphrase, url };
}

/** Loads the emulator's own key pair from its state folder. */
export async function loadEmulatorKeys(stateDir: string): Promise<{
  privateKey: Awaited<ReturnType<typeof loadPrivateKeyFile>>;
  publicKey: Awaited<ReturnType<typeof loadPublicKeyFile>>;
}> {
  const dir = path.resolve(stateDir);
  const [privateKey, publicKey] = await Promise.all([
    loadPrivateKeyFile(path.join(dir, EMULATOR_PRIVATE_KEY_FILE), undefined, 'Emulator private key'),
    loadPublicKeyFile(path.join(dir, EMULATOR_PUBLIC_KEY_FILE), 'Emulator public key'),
  ]);
  return { privateKey, publicKey };
}

/**
 * Registers a firm with the emulator: its name, its public key (read from `publicKeyFile`) and
 * a CSID (a new random one unless given). Registering a name again replaces that firm.
 */
export async function registerFirm(
  stateDir: string,
  firm: { name: string; publicKeyFile: string; masterAccount?: string; csid?: string },
): Promise<FirmRegistration> {
  const name = firm.name.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new EcaError('config', `Firm name "${firm.name}" is invalid: use 1 to 64 letters, digits, "_" or "-" (IBKR names response files after the firm).`);
  }
  const publicKey = await loadPublicKeyFile(firm.publicKeyFile, `Public key of firm ${name}`);
  const csid = firm.csid?.trim() || newCsid();
  const masterAccount = firm.masterAccount?.trim() || 'F0000000';
  const record: FirmRecord = { name, csid, masterAccount, publicKeyArmored: publicKey.armor(), registeredAt: new Date().toISOString() };
  await stateStoreFor(stateDir).update((state) => {
    if (state.firms.some((other) => other.csid === csid && other.name !== name)) {
      throw new EcaError('config', `Another firm already uses the CSID given for ${name}; leave the CSID out to get a new one.`);
    }
    state.firms = [...state.firms.filter((other) => other.name !== name), record];
  });
  return { name, csid, masterAccount };
}

/** Default task of a user configured to get PENDING: made up, in the attributes public client code reads. */
export const DEFAULT_PENDING_TASKS: readonly TaskRecord[] = [
  {
    Form_Number: '9001',
    Form_Name: 'Identity Verification',
    Action: 'Upload',
    Is_Required_For_Approval: 'true',
    Is_Required_For_Trading: 'true',
    Is_Online_Task: 'false',
  },
];

/** Makes the next SecurityQuestions request of `userName` end `PENDING` with `tasks`. */
export async function addPendingUser(stateDir: string, userName: string, tasks: readonly TaskRecord[] = DEFAULT_PENDING_TASKS): Promise<void> {
  const name = userName.trim();
  if (name === '') throw new EcaError('config', 'The user name to make pending is empty.');
  await stateStoreFor(stateDir).update((state) => {
    state.pendingUsers[name] = tasks.map((task) => ({ ...task }));
  });
}

/** Makes `getAccountDetail` return `userName` for `accountId`. */
export async function addAccount(stateDir: string, accountId: string, userName: string): Promise<void> {
  if (accountId.trim() === '' || userName.trim() === '') throw new EcaError('config', 'Both the account id and the user name are needed.');
  await stateStoreFor(stateDir).update((state) => {
    state.accounts[accountId.trim()] = userName.trim();
  });
}
