/**
 * Child processes of the end-to-end tests (code-server, the ECA emulator, the CLI): started in
 * their own process group so that stopping one also stops what it spawned, and stopped when the
 * test process exits, whatever the reason.
 */

import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

const running = new Set<ChildProcess>();

process.on('exit', () => {
  for (const child of running) {
    signalGroup(child, 'SIGKILL');
  }
});

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends SIGTERM to the group, then SIGKILL after `graceMs`; resolves once the process exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `command` in a new process group and resolves when its output matches `ready`, with the
 * match. Rejects, with the output so far, when it exits first or `timeoutMs` passes.
 */
export async function startAndWaitFor(
  label: string,
  command: string,
  args: readonly string[],
  ready: RegExp,
  options: SpawnOptions & { timeoutMs: number },
): Promise<{ process: StartedProcess; match: RegExpMatchArray }> {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  const started: StartedProcess = {
    child,
    output: () => output,
    stop: async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Grandchildren that outlive the leader (code-server's file watcher does) are in the group.
      signalGroup(child, 'SIGKILL');
    },
  };

  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${label} did not print ${String(ready)} within ${options.timeoutMs} ms. Output so far:\n${output}`));
    }, options.timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const found = output.match(ready);
      if (found) {
        finish();
        resolve(found);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish();
      reject(new Error(`${label} exited (code ${String(code)}, signal ${String(signal)}) before it was ready. Output:\n${output}`));
    };
    const onError = (error: Error): void => {
      finish();
      reject(new Error(`${label} could not be started (${command}): ${error.message}`));
    };
    function finish(): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  }).catch(async (error: unknown) => {
    await started.stop(1000);
    throw error;
  });
  return { process: started, match };
}

/** Runs a command to completion and returns its output; throws with the output when it fails. */
export function runToCompletion(label: string, command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): string {
  const result = spawnSync(command, args, { ...options, timeout: options.timeoutMs, encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error !== undefined) {
    throw new Error(`${label} failed to run (${command}): ${result.error.message}\n${output}`);
  }
  if (result.status !== 0) {
    throw new Error(`${label} failed (exit ${String(result.status ?? result.signal)}):\n${output}`);
  }
  return output;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the whole group has already exited.
  }
}
