/**
 * The options that choose an ECA environment and the firm's credentials, shared by `submit`,
 * `status`, `lookup` and `questions`, and the client built from them.
 */

import {
  createEcaClient,
  defaultEmulatorStateDir,
  DEFAULT_LOCAL_BASE_URL,
  DEFAULT_REQUEST_TIMEOUT_MS,
  EcaError,
  loadCredentials,
  loadLocalCredentials,
  type EcaClient,
  type EnvironmentName,
  type Logger,
} from '../../eca/src/index';
import { MAX_TIMEOUT_MS } from '../../eca/src/client';
import type { OptionSpec, ParsedArgs } from './args';
import { CliError } from './errors';
import { printVerbose, printWarning } from './output';

export const ENVIRONMENT_CHOICES = ['local', 'qa', 'production', 'custom'] as const;

export const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  env: {
    type: 'string',
    valueName: 'ENV',
    choices: ENVIRONMENT_CHOICES,
    description:
      'ECA environment (default local, or custom when --url names a host other than loopback). qa is https://qa.interactivebrokers.com, production https://api.ibkr.com.',
  },
  url: {
    type: 'string',
    valueName: 'BASE',
    description:
      'Base URL of the local emulator or of a custom server, e.g. http://127.0.0.1:8642. Not allowed with qa and production. Without it, --env local uses the URL of the emulator running on the state folder (its server.json), else http://127.0.0.1:8642.',
  },
  csid: { type: 'string', valueName: 'CSID', description: 'Client service id that IBKR issued to the firm (default $IBKR_CSID).' },
  'public-key-file': { type: 'string', valueName: 'FILE', description: "IBKR's OpenPGP public key file (default $IBKR_PUBLIC_KEY_FILE)." },
  'private-key-file': { type: 'string', valueName: 'FILE', description: "The firm's OpenPGP private key file (default $IBKR_PRIVATE_KEY_FILE)." },
  'private-key-passphrase': {
    type: 'string',
    valueName: 'PASSPHRASE',
    description: 'Passphrase of the private key (default $IBKR_PRIVATE_KEY_PASSPHRASE). Prefer the variable: other processes can read command lines.',
  },
  state: {
    type: 'string',
    valueName: 'DIR',
    description: "State folder of the local emulator, whose test firm --env local uses when no credential is set (default ~/.ibkr-am/emulator).",
  },
  timeout: {
    type: 'string',
    valueName: 'SECONDS',
    description: `Time allowed for each call, reply included, in seconds (default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000}).`,
  },
  'ca-file': { type: 'string', valueName: 'FILE', description: 'PEM file of CA certificates to trust for a local or custom https server.' },
};

export const CONNECTION_NOTES = [
  'Credentials: IBKR_CSID, IBKR_PUBLIC_KEY_FILE, IBKR_PRIVATE_KEY_FILE and IBKR_PRIVATE_KEY_PASSPHRASE, or the',
  'flags of the same names. With --env local and none of them set, the test firm of the local emulator is used.',
].join('\n');

interface CredentialSetting {
  flag: string;
  variable: string;
  label: string;
}

const CSID: CredentialSetting = { flag: 'csid', variable: 'IBKR_CSID', label: 'the CSID' };
const PUBLIC_KEY_FILE: CredentialSetting = { flag: 'public-key-file', variable: 'IBKR_PUBLIC_KEY_FILE', label: "IBKR's public key file" };
const PRIVATE_KEY_FILE: CredentialSetting = { flag: 'private-key-file', variable: 'IBKR_PRIVATE_KEY_FILE', label: "the firm's private key file" };
const PASSPHRASE: CredentialSetting = { flag: 'private-key-passphrase', variable: 'IBKR_PRIVATE_KEY_PASSPHRASE', label: 'the private key passphrase' };

/** Returns the flag's value, else the environment variable's. An empty variable counts as unset. */
function settingValue(args: ParsedArgs, setting: CredentialSetting): string | undefined {
  const fromFlag = args.string(setting.flag);
  if (fromFlag !== undefined) {
    return fromFlag;
  }
  const fromEnv = process.env[setting.variable];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Returns the environment that the options choose, before any credential is read. Throws a
 * `CliError` for --env custom without --url.
 */
export function selectedEnvironment(args: ParsedArgs): EnvironmentName {
  const env = args.string('env') as EnvironmentName | undefined;
  const url = args.string('url');
  if (env === 'custom' && url === undefined) {
    throw new CliError('--env custom needs --url BASE, the base URL of the server, e.g. --url https://eca.example.com');
  }
  if (env === 'local' && url !== undefined && !isLoopbackUrl(url)) {
    throw new CliError(
      `--env local is the emulator on loopback, but --url "${url}" names another host; use --env custom with the firm's credentials (IBKR_* variables or flags) for that server`,
    );
  }
  if (env !== undefined) {
    return env;
  }
  return url !== undefined && !isLoopbackUrl(url) ? 'custom' : 'local';
}

function timeoutMs(args: ParsedArgs): number | undefined {
  const value = args.string('timeout');
  if (value === undefined) {
    return undefined;
  }
  const seconds = Number(value);
  // The upper bound keeps Node's timers from overflowing (see MAX_TIMEOUT_MS).
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds >= 1) || seconds > MAX_TIMEOUT_MS / 1000) {
    throw new CliError(`invalid --timeout "${value}"; give a number of seconds from 1 to ${MAX_TIMEOUT_MS / 1000}, e.g. --timeout 60`);
  }
  return Math.round(seconds * 1000);
}

/** Warns about secrets given as flags, which `ps` and /proc show to other users of the machine. */
function warnAboutSecretFlags(args: ParsedArgs): void {
  if (args.has(PASSPHRASE.flag)) {
    printWarning(`--${PASSPHRASE.flag} puts the passphrase on the command line, where other processes can read it; set ${PASSPHRASE.variable} instead.`);
  }
  if (args.has(CSID.flag)) {
    printWarning(`--${CSID.flag} puts the CSID on the command line, where other processes can read it; set ${CSID.variable} instead.`);
  }
}

/**
 * Logs the client's messages on stderr with --verbose. They never contain a secret. Its warnings
 * (retries, a non-PROCESSED outcome, a bad signature) are verbose too, because the command
 * prints the outcome or the error itself.
 */
const verboseLogger: Logger = {
  info: (message) => printVerbose(message),
  warn: (message) => printVerbose(message),
  error: (message) => printVerbose(message),
  debug: (message) => printVerbose(message),
};

export interface Connection {
  client: EcaClient;
  environment: EnvironmentName;
  /** Source of the credentials for messages: flag and variable names or the test firm's folder, never the values. */
  credentialSource: string;
  /** The CSID and the passphrase, to mask in any server text that is printed. */
  secrets: string[];
}

/** Replaces every occurrence of a secret in `text` with `****`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret !== '') {
      masked = masked.split(secret).join('****');
    }
  }
  return masked;
}

/**
 * Loads the credentials and creates the client. Throws a `CliError` (exit 4) for missing or
 * invalid settings, unreadable keys, a wrong passphrase or a missing local test firm.
 */
export async function openConnection(args: ParsedArgs): Promise<Connection> {
  warnAboutSecretFlags(args);
  const environment = selectedEnvironment(args);
  let baseUrl = args.string('url');

  const settings = [CSID, PUBLIC_KEY_FILE, PRIVATE_KEY_FILE, PASSPHRASE];
  const givenSettings = settings.filter((setting) => settingValue(args, setting) !== undefined);
  let credentialSource: string;
  let files: { csid: string; ibkrPublicKeyFile: string; privateKeyFile: string; passphrase: string | undefined };

  try {
    if (environment === 'local' && givenSettings.length === 0) {
      const stateDir = args.string('state') ?? defaultEmulatorStateDir();
      const local = await loadLocalCredentials(stateDir);
      files = { csid: local.csid, ibkrPublicKeyFile: local.ibkrPublicKeyFile, privateKeyFile: local.privateKeyFile, passphrase: local.passphrase };
      baseUrl ??= local.url ?? DEFAULT_LOCAL_BASE_URL;
      credentialSource = `the test firm of the local emulator in ${stateDir}`;
    } else {
      const missing = [CSID, PUBLIC_KEY_FILE, PRIVATE_KEY_FILE].filter((setting) => settingValue(args, setting) === undefined);
      if (missing.length > 0) {
        const names = missing.map((setting) => `${setting.label} (${setting.variable} or --${setting.flag})`).join(', ');
        const hint = environment === 'local' ? ' Set all three, or none of them to use the local emulator\'s test firm.' : '';
        throw new CliError(`missing ${names} for the ${environment} environment.${hint}`);
      }
      files = {
        csid: settingValue(args, CSID) ?? '',
        ibkrPublicKeyFile: settingValue(args, PUBLIC_KEY_FILE) ?? '',
        privateKeyFile: settingValue(args, PRIVATE_KEY_FILE) ?? '',
        passphrase: settingValue(args, PASSPHRASE),
      };
      credentialSource = givenSettings.map((setting) => (args.has(setting.flag) ? `--${setting.flag}` : setting.variable)).join(', ');
    }

    const credentials = await loadCredentials(files).catch((error: unknown) => {
      throw withKeyHint(error, args, files, environment === 'local' && givenSettings.length === 0);
    });
    const client = createEcaClient({
      environment,
      baseUrl,
      credentials,
      logger: verboseLogger,
      requestTimeoutMs: timeoutMs(args),
      caFile: args.string('ca-file'),
    });
    printVerbose(`environment ${environment}, ${client.baseUrl}, credentials from ${credentialSource}`);
    const secrets = [credentials.csid, files.passphrase ?? ''].filter((secret) => secret !== '');
    return { client, environment, credentialSource, secrets };
  } catch (error) {
    throw toCliError(error);
  }
}

/** Names the flag or variable that a setting's value came from. */
function sourceOf(args: ParsedArgs, setting: CredentialSetting): string {
  return args.has(setting.flag) ? `--${setting.flag}` : setting.variable;
}

/**
 * Adds to a key error the setting to change: the variable or flag that named the missing key
 * file, or the passphrase setting. A key of the local test firm comes from the state folder instead.
 */
function withKeyHint(error: unknown, args: ParsedArgs, files: { ibkrPublicKeyFile: string; privateKeyFile: string }, fromTestFirm: boolean): unknown {
  if (!(error instanceof EcaError) || error.code !== 'key' || fromTestFirm) {
    return error;
  }
  let hint: string;
  if (/passphrase/i.test(error.message)) {
    hint = `Set ${PASSPHRASE.variable} (or --${PASSPHRASE.flag}) to the passphrase of this key.`;
  } else if (error.message.includes(` file ${files.privateKeyFile} `)) {
    hint = `The path comes from ${sourceOf(args, PRIVATE_KEY_FILE)}.`;
  } else if (error.message.includes(` file ${files.ibkrPublicKeyFile} `)) {
    hint = `The path comes from ${sourceOf(args, PUBLIC_KEY_FILE)}.`;
  } else {
    return error;
  }
  return new CliError(`${error.message} ${hint}`);
}

/** Turns an `EcaError` into a `CliError` with the same message; other errors pass through. */
export function toCliError(error: unknown): unknown {
  if (error instanceof EcaError) {
    return new CliError(error.message);
  }
  return error;
}
