/** `ibkr-am emulator`: runs the local ECA emulator on 127.0.0.1 until SIGINT or SIGTERM. */

import { defaultEmulatorStateDir, DEFAULT_EMULATOR_PORT, startEmulator, type Logger } from '../../eca/src/index';
import type { CommandSpec, ParsedArgs } from './args';
import { toCliError } from './connection';
import { CliError, ExitCode, type ExitCodeValue } from './errors';
import { printVerbose, writeError, writeOut } from './output';

export const EMULATOR_COMMAND: CommandSpec = {
  name: 'emulator',
  summary: 'Run the local ECA emulator on 127.0.0.1 until Ctrl+C',
  description:
    'The emulator plays IBKR with its own keys and has a ready-made test firm, which --env local uses when no IBKR_* credential is set.',
  positionalUsage: '',
  minPositionals: 0,
  maxPositionals: 0,
  options: {
    port: { type: 'string', valueName: 'PORT', description: `TCP port on 127.0.0.1 (default ${DEFAULT_EMULATOR_PORT}; 0 picks a free port).` },
    state: { type: 'string', valueName: 'DIR', description: 'State folder: keys, test firm, submitted requests (default ~/.ibkr-am/emulator).' },
    'pending-user': {
      type: 'string',
      valueName: 'NAME',
      multiple: true,
      description: 'User name whose next SecurityQuestions request ends PENDING with a pending task.',
    },
    account: {
      type: 'string',
      valueName: 'ID=NAME',
      multiple: true,
      description: 'Account id and user name that getAccountDetail returns, e.g. U7654321=jdoe. U1234567=tester1234 is always there.',
    },
  },
};

function parsePort(value: string | undefined): number {
  if (value === undefined) {
    return DEFAULT_EMULATOR_PORT;
  }
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new CliError(`invalid --port "${value}"; use a number from 0 to 65535 (0 picks a free port)`);
  }
  return port;
}

function parseAccount(value: string): { accountId: string; userName: string } {
  const match = /^([^=\s]+)=(\S.*)$/.exec(value.trim());
  if (match === null) {
    throw new CliError(`invalid --account "${value}"; write ACCOUNT_ID=USER_NAME, e.g. --account U7654321=jdoe`);
  }
  return { accountId: match[1] ?? '', userName: (match[2] ?? '').trim() };
}

/** Shows the first two characters of a CSID only, as the emulator's own log does. */
function maskCsid(csid: string): string {
  return `${csid.slice(0, 2)}****`;
}

/** The emulator's log, on stderr with a timestamp; debug lines only with --verbose. */
const stderrLogger: Logger = {
  info: (message) => writeError(`${new Date().toISOString()} ${message}\n`),
  warn: (message) => writeError(`${new Date().toISOString()} warning: ${message}\n`),
  error: (message) => writeError(`${new Date().toISOString()} error: ${message}\n`),
  debug: (message) => printVerbose(message),
};

/** Resolves with the name of the first SIGINT or SIGTERM. */
function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function runEmulator(args: ParsedArgs): Promise<ExitCodeValue> {
  const port = parsePort(args.string('port'));
  const accounts = args.list('account').map(parseAccount);
  const pendingUsers = args.list('pending-user').map((name) => name.trim());
  if (pendingUsers.includes('')) {
    throw new CliError('--pending-user needs a user name, e.g. --pending-user tester1234');
  }
  const stateDir = args.string('state') ?? defaultEmulatorStateDir();

  // Listen for signals before starting, so that a stop request during start-up is not lost.
  const stopSignal = waitForStopSignal();
  let emulator;
  try {
    emulator = await startEmulator({ stateDir, port, logger: stderrLogger });
    for (const userName of pendingUsers) {
      await emulator.addPendingUser(userName);
    }
    for (const { accountId, userName } of accounts) {
      await emulator.addAccount(accountId, userName);
    }
  } catch (error) {
    await emulator?.close();
    throw toCliError(error);
  }

  const firm = emulator.testFirm;
  const lines = [
    `ECA emulator listening on ${emulator.url}`,
    `State folder:            ${emulator.stateDir}`,
    `Emulator public key:     ${emulator.publicKeyFile} (plays IBKR's public key)`,
    `Test firm:               ${firm.name}, master account ${firm.masterAccount}, CSID ${maskCsid(firm.csid)}`,
    `Test firm private key:   ${firm.privateKeyFile} (its passphrase is in the state folder's test-firm.json)`,
    `Test firm public key:    ${firm.publicKeyFile}`,
    ...pendingUsers.map((userName) => `Pending user:            ${userName}`),
    ...accounts.map(({ accountId, userName }) => `Account:                 ${accountId} = ${userName}`),
    '',
    `"ibkr-am submit FILE --state ${emulator.stateDir}" uses this emulator and its test firm when no IBKR_* variable is set.`,
    'Press Ctrl+C to stop.',
  ];
  writeOut(`${lines.join('\n')}\n`);

  const signal = await stopSignal;
  writeError(`${new Date().toISOString()} ${signal} received; stopping the emulator.\n`);
  await emulator.close();
  return ExitCode.ok;
}
