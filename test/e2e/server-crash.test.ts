/**
 * End-to-end: the language server killed under VS Code (code-server 4.100.3). The client
 * restarts it, the restarted server checks the open document again, and the "IBKR" output logs
 * the restart. After repeated crashes the client stops restarting it and logs that too.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { skipReason } from './prerequisites';
import { startSession, type Session } from './session';

const MISTAKES = 'mistakes.ibkr.xml';
const RESTARTED = /stopped unexpectedly and is being restarted/g;
const GAVE_UP = /will not be restarted/;

/** Process ids of this session's language servers: `dist/server.js` under the session's extensions folder. */
function serverPids(session: Session): number[] {
  const extensionsDir = path.join(session.tempDir, 'extensions');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // The process ended while the folder was read.
    }
    if (commandLine.includes(extensionsDir) && commandLine.includes(`${path.sep}dist${path.sep}server.js`)) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

async function waitForServer(session: Session, unlike: number | undefined, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = serverPids(session).find((candidate) => candidate !== unlike);
    if (pid !== undefined) {
      return pid;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for a language server process other than ${unlike ?? 'none'}.`);
    }
    await delay(100);
  }
}

async function waitForOutput(session: Session, accept: (text: string) => boolean, description: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await session.workbench.outputText('IBKR');
    if (accept(text)) {
      return text;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description} in the IBKR output:\n${text}`);
    }
    await delay(500);
  }
}

void describe('VS Code language server crash', { skip: skipReason, timeout: 300_000 }, () => {
  let session: Session;

  before(async () => {
    session = await startSession({ name: 'crash' });
  });

  after(async () => {
    await session?.close();
  });

  void it('restarts the killed server and checks again', async () => {
    await session.step('first-check', async () => {
      await session.workbench.openFile(MISTAKES);
      await session.workbench.waitForProblems(MISTAKES, (rows) => rows.length > 0, 'the first diagnostics');
    });
    const first = await session.step('find-server', () => waitForServer(session, undefined));

    process.kill(first, 'SIGKILL');
    const second = await session.step('restart', () => waitForServer(session, first));
    assert.notEqual(second, first);

    const output = await session.step('restart-log', () =>
      waitForOutput(session, (text) => (text.match(RESTARTED) ?? []).length >= 1, 'the restart message'),
    );
    assert.equal((output.match(RESTARTED) ?? []).length, 1, `one restart message after one crash:\n${output}`);

    // The restarted server gets the open document again and publishes its diagnostics.
    const rows = await session.step('second-check', () =>
      session.workbench.waitForProblems(MISTAKES, (current) => current.some((row) => row.code === 'question-duplicate'), 'diagnostics from the restarted server'),
    );
    assert.ok(rows.length > 0);
  });

  void it('stops restarting after repeated crashes', async () => {
    let pid = await session.step('find-server', () => waitForServer(session, undefined));
    // The client allows 4 restarts in 3 minutes; the first test used one of them.
    for (let crash = 2; crash <= 5; crash++) {
      process.kill(pid, 'SIGKILL');
      if (crash < 5) {
        pid = await session.step(`restart-${crash}`, () => waitForServer(session, pid));
      }
    }
    const output = await session.step('gave-up-log', () => waitForOutput(session, (text) => GAVE_UP.test(text), 'the message that the server will not be restarted'));
    assert.match(output, /Developer: Reload Window/, 'the message says how to start the server again');
    assert.deepEqual(serverPids(session), [], 'no language server runs after the client gave up');
  });
});
