// `npm start`: builds the extension, starts the local ECA emulator on 127.0.0.1 and opens VS Code
// on examples/ with the extension loaded and the emulator as the target. Desktop VS Code is used
// when a `code` command is on the PATH; otherwise code-server (installed into .cache/ on first
// use) serves VS Code to a browser. Ctrl+C stops everything this script started.
//
// Usage: npm start -- [--browser] [--emulator-port N] [--emulator-state DIR] [--port N]
//   --browser             use code-server even when `code` is on the PATH
//   --emulator-port N     port of the emulator (default 8642, the default of ibkr.emulator.port)
//   --emulator-state DIR  emulator state folder (default ~/.ibkr-am/emulator, the folder that
//                         the extension reads when ibkr.emulator.stateDir is empty)
//   --port N              port of code-server (default 0: any free port)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const cacheDir = path.join(root, '.cache');
const examples = path.join(root, 'examples');
const children = [];
let shuttingDown = false;

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      browser: { type: 'boolean', default: false },
      'emulator-port': { type: 'string', default: '8642' },
      'emulator-state': { type: 'string' },
      port: { type: 'string', default: '0' },
    },
  }));
} catch (error) {
  fail(`${error.message}\nUsage: npm start -- [--browser] [--emulator-port N] [--emulator-state DIR] [--port N]`);
}
const emulatorPort = parsePort('--emulator-port', options['emulator-port'], false);
const codeServerPort = parsePort('--port', options.port, true);
const emulatorState = options['emulator-state'] === undefined ? undefined : path.resolve(options['emulator-state']);

process.on('SIGINT', () => void shutdown('Stopping (Ctrl+C)...'));
process.on('SIGTERM', () => void shutdown('Stopping...'));

step('Building the extension, the language server and the CLI');
run(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);

step(`Starting the local ECA emulator on 127.0.0.1:${emulatorPort}`);
const emulatorArgs = [path.join(root, 'dist', 'cli.js'), 'emulator', '--port', String(emulatorPort)];
if (emulatorState !== undefined) emulatorArgs.push('--state', emulatorState);
const emulator = await startChild('emulator', process.execPath, emulatorArgs, /http:\/\/127\.0\.0\.1:\d+/, 30_000, (output) =>
  /EADDRINUSE|already in use/i.test(output)
    ? `Port ${emulatorPort} on 127.0.0.1 is in use. Stop the program that uses it, or pick another port with "npm start -- --emulator-port N" and set ibkr.emulator.port to N in VS Code.`
    : undefined,
);
process.stdout.write(`Emulator running at ${emulator.match[0]}${emulatorState === undefined ? '' : ` (state in ${emulatorState})`}\n`);

const code = options.browser ? undefined : findOnPath('code');
if (code !== undefined) {
  openDesktop(code);
} else {
  await openCodeServer();
}

/** Desktop VS Code: an Extension Development Host window with the sources of this repository. */
function openDesktop(codeCommand) {
  if (emulatorPort !== 8642 || emulatorState !== undefined) {
    process.stdout.write(
      'Note: desktop VS Code reads your own settings. Set ibkr.emulator.port' +
        `${emulatorState === undefined ? '' : ' and ibkr.emulator.stateDir'} to match the emulator started here.\n`,
    );
  }
  step(`Opening desktop VS Code (${codeCommand}) on ${examples}`);
  const result = spawnSync(codeCommand, ['--new-window', `--extensionDevelopmentPath=${root}`, examples], { stdio: 'inherit' });
  if (result.status !== 0) {
    fail(`"code" failed (exit ${result.status ?? result.signal}). Run "npm start -- --browser" to use code-server instead.`);
  }
  process.stdout.write('\nVS Code is open with the extension loaded. The emulator keeps running until you press Ctrl+C here.\n');
}

/** code-server: the packaged extension in a user data folder under .cache/, served to a browser. */
async function openCodeServer() {
  const codeServer = path.join(cacheDir, 'code-server', 'node_modules', '.bin', 'code-server');
  if (!existsSync(codeServer)) {
    step('No "code" command on the PATH: installing code-server into .cache/code-server (once)');
  }
  // Installs the Debian packages code-server and its install need when missing, then code-server.
  run('bash', [path.join(root, 'scripts', 'setup.sh')]);

  // An empty extension gallery keeps code-server from querying the marketplace, so that this
  // session talks to loopback only. A gallery set in the environment is kept.
  process.env.EXTENSIONS_GALLERY ??= '{}';
  const vscodeDir = path.join(cacheDir, 'start');
  // code-server writes a config file with a password and its logs under the XDG folders; these
  // keep them in .cache/ rather than in the user's home.
  process.env.XDG_CONFIG_HOME = path.join(vscodeDir, 'xdg-config');
  process.env.XDG_DATA_HOME = path.join(vscodeDir, 'xdg-data');

  const userDataDir = path.join(vscodeDir, 'user-data');
  const extensionsDir = path.join(vscodeDir, 'extensions');
  const vsix = path.join(vscodeDir, 'ibkr-am-requests.vsix');
  mkdirSync(vscodeDir, { recursive: true });

  step('Packaging the extension and installing it into code-server');
  run(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--skip-build', '--out', vsix]);
  run(codeServer, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force']);
  writeUserSettings(userDataDir);

  step('Starting code-server on 127.0.0.1');
  const configFile = path.join(vscodeDir, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\n');
  const server = await startChild(
    'code-server',
    codeServer,
    [
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${codeServerPort}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      examples,
    ],
    /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/,
    60_000,
  );
  const url = `${server.match[1]}?folder=${encodeURIComponent(examples)}`;
  process.stdout.write(`\nOpen VS Code in your browser: ${url}\n`);
  process.stdout.write('The extension sends requests to the local emulator only. Press Ctrl+C to stop code-server and the emulator.\n');
}

/** Points the extension at this emulator in code-server's own user settings (never the user's). */
function writeUserSettings(userDataDir) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  let settings = {};
  if (existsSync(file)) {
    try {
      settings = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      process.stdout.write(`Note: ${file} is not plain JSON; replacing it.\n`);
    }
  }
  Object.assign(settings, {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'ibkr.environment': 'local',
    'ibkr.emulator.port': emulatorPort,
  });
  if (emulatorState !== undefined) settings['ibkr.emulator.stateDir'] = emulatorState;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

/**
 * Starts a long-running child in its own process group and waits until its output matches
 * `ready`. `explain` may turn the output of a failed start into a hint.
 */
function startChild(label, command, args, ready, timeoutMs, explain = () => undefined) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    let started = false;
    const timer = setTimeout(() => {
      void shutdown(`${label} did not start within ${timeoutMs / 1000} s. Its output:\n${output}`, 1);
    }, timeoutMs);
    const onData = (chunk) => {
      const text = chunk.toString('utf8');
      if (started) {
        process.stdout.write(text.replace(/^(?=.)/gm, `[${label}] `));
        return;
      }
      output += text;
      const match = output.match(ready);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => void shutdown(`${label} could not be started (${command}): ${error.message}`, 1));
    child.on('exit', (exitCode, signal) => {
      if (shuttingDown) return;
      clearTimeout(timer);
      const hint = explain(output);
      void shutdown(`${label} exited (${signal ?? `code ${exitCode}`}).${hint === undefined ? '' : ` ${hint}`}\n${started ? '' : output}`, 1);
    });
  });
}

/** Stops every child process group, then exits. */
async function shutdown(message, exitCode = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  process.stdout.write(`\n${message}\n`);
  const exits = children
    .filter((child) => child.exitCode === null && child.signalCode === null)
    .map((child) => new Promise((resolve) => {
      child.once('exit', resolve);
      signalGroup(child, 'SIGTERM');
      setTimeout(() => signalGroup(child, 'SIGKILL'), 5000).unref();
    }));
  await Promise.all(exits);
  // Grandchildren that outlive their parent (code-server's file watcher) are in the same group.
  for (const child of children) signalGroup(child, 'SIGKILL');
  process.exit(exitCode);
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group has already exited.
  }
}

function parsePort(flag, value, allowZero) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    fail(`Invalid ${flag} "${value}": give a TCP port from ${allowZero ? 0 : 1} to 65535.`);
  }
  return port;
}

function findOnPath(command) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && existsSync(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

function step(message) {
  process.stdout.write(`\n== ${message}\n`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    fail(`${path.basename(command)} ${args.join(' ')} failed (exit ${result.status ?? result.signal}).`);
  }
}

/** Stops the children without waiting for them and exits with an error. */
function fail(message) {
  for (const child of children) signalGroup(child, 'SIGTERM');
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}
