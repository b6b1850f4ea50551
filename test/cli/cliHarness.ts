/**
 * Runs the bundled CLI (dist/cli.js) as a child process and keeps every byte it printed, so
 * that a test can search all output for secrets at the end.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'cli');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every stdout and stderr text of every process started through this module. */
export const allOutput: string[] = [];

export function assertCliBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run "npm run build" before the CLI tests.`);
  }
}

/** Returns the environment of the test process without any IBKR_* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('IBKR_')) {
      env[name] = value;
    }
  }
  return { ...env, ...extra };
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Script to run instead of dist/cli.js, e.g. bin/ibkr-am.js. */
  script?: string;
  timeoutMs?: number;
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.script ?? CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ibkr-am ${args.join(' ')} did not exit within ${options.timeoutMs ?? 30000} ms`));
    }, options.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      allOutput.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface BackgroundProcess {
  child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout, or rejects when the process exits first or `timeoutMs` passes. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the CLI without waiting for it to exit (for `ibkr-am emulator`). */
export function startCli(args: readonly string[], options: RunOptions = {}): BackgroundProcess {
  const child = spawn(process.execPath, [options.script ?? CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exitCode: number | null | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    notify();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      exitCode = code;
      allOutput.push(stdout, stderr);
      notify();
      resolve(code);
    });
  });

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput(pattern, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = stdout.match(pattern);
          if (match !== null) {
            cleanup();
            resolve(match);
          } else if (exitCode !== undefined) {
            cleanup();
            reject(new Error(`process exited (code ${String(exitCode)}) before printing ${String(pattern)}; stderr: ${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${String(pattern)} in stdout within ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    stop(signal = 'SIGINT') {
      if (exitCode === undefined) {
        child.kill(signal);
      }
      return exited;
    },
  };
}
