/** Entry point of the `ibkr-am` CLI (bundled to dist/cli.js, started by bin/ibkr-am.js). */

import { parseCommandArgs, formatCommandHelp, type CommandSpec, type ParsedArgs } from './args';
import { CHECK_COMMAND, runCheck } from './check';
import { EMULATOR_COMMAND, runEmulator } from './emulator';
import { CliError, ExitCode, type ExitCodeValue } from './errors';
import { setVerbose, writeError, writeOut } from './output';
import { LOOKUP_COMMAND, QUESTIONS_COMMAND, runLookup, runQuestions, runStatus, STATUS_COMMAND } from './queries';
import { runSubmit, SUBMIT_COMMAND } from './submit';
import { VERSION } from './version';

interface Command {
  spec: CommandSpec;
  run: (args: ParsedArgs) => Promise<ExitCodeValue>;
}

const COMMANDS: Command[] = [
  { spec: CHECK_COMMAND, run: runCheck },
  { spec: SUBMIT_COMMAND, run: runSubmit },
  { spec: STATUS_COMMAND, run: runStatus },
  { spec: LOOKUP_COMMAND, run: runLookup },
  { spec: QUESTIONS_COMMAND, run: runQuestions },
  { spec: EMULATOR_COMMAND, run: runEmulator },
];

function formatMainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => `${command.spec.name} ${command.spec.positionalUsage}`.length)) + 2;
  const commandLines = COMMANDS.map((command) => {
    const label = `${command.spec.name} ${command.spec.positionalUsage}`.trimEnd();
    return `  ${label.padEnd(width)}${command.spec.summary}.`;
  });
  return [
    'Usage: ibkr-am COMMAND [options] [arguments]',
    '',
    "Write, check and submit Interactive Brokers Account Management (ECA) request files.",
    '',
    'Commands:',
    ...commandLines,
    '',
    'Options:',
    '  -h, --help     Print this help. "ibkr-am COMMAND --help" lists the options of a command.',
    '  --version      Print the version of ibkr-am.',
    '',
    'Exit codes: 0 success; 1 check found an Error; 2 IBKR returned ERROR; 3 IBKR returned PENDING;',
    '4 usage error, unreadable file, rejected submission or any other failure.',
    '',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<ExitCodeValue> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    writeOut(formatMainHelp());
    return ExitCode.ok;
  }
  if (first === '--version') {
    writeOut(`${VERSION}\n`);
    return ExitCode.ok;
  }

  const command = COMMANDS.find((candidate) => candidate.spec.name === first);
  if (command === undefined) {
    const kind = first.startsWith('-') ? 'unknown option' : 'unknown command';
    throw new CliError(`ibkr-am: ${kind} "${first}". Commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}. Run "ibkr-am --help" for usage.`);
  }

  const args = parseCommandArgs(command.spec, rest);
  if (args.flag('help')) {
    writeOut(formatCommandHelp(command.spec));
    return ExitCode.ok;
  }
  setVerbose(args.flag('verbose'));
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CliError && !error.message.startsWith('ibkr-am')) {
      throw new CliError(`ibkr-am ${command.spec.name}: ${error.message}`, error.exitCode);
    }
    throw error;
  }
}

function reportFailure(error: unknown): ExitCodeValue {
  if (error instanceof CliError) {
    const message = error.message.startsWith('ibkr-am') ? error.message : `ibkr-am: ${error.message}`;
    writeError(`${message}\n`);
    return error.exitCode;
  }
  // A bug rather than a user error: print the message, and the stack only with --verbose.
  let detail = String(error);
  if (error instanceof Error) {
    detail = process.argv.includes('--verbose') ? (error.stack ?? error.message) : error.message;
  }
  writeError(`ibkr-am: internal error: ${detail}\n`);
  return ExitCode.failure;
}

// A closed pipe (e.g. `ibkr-am check ... | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exitCode ??= ExitCode.ok;
    return;
  }
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error);
  },
);
