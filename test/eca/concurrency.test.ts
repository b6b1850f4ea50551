/**
 * Parallel submissions against an emulator that runs in a process of its own
 * (helpers/emulator-process.ts), then a SIGKILL of that process while submissions are in
 * flight and a restart on the same state folder. IBKR accepts security questions once per user,
 * so whatever the load or the crash, each user must end with exactly one PROCESSED request.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  EcaError,
  createEcaClient,
  loadCredentials,
  loadLocalCredentials,
  readSubmissions,
  recordSubmission,
  type EcaClient,
  type EcaCredentials,
  type NotSentOutcome,
  type SubmitOutcome,
} from '../../eca/src/index';
import { fileOf, makeTempDir, removeDir, securityQuestionsXml } from './helpers/emulator';
import { waitFor } from './helpers/loopback';

const EMULATOR_PROCESS = path.join(__dirname, 'helpers', 'emulator-process.ts');

/** An emulator child process and the log lines it has printed. */
interface EmulatorProcess {
  child: ChildProcess;
  url: string;
  lines: string[];
}

async function startEmulatorProcess(stateDir: string): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', EMULATOR_PROCESS, stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    lines.push(...complete);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  await waitFor(() => lines.some((line) => line.startsWith('ready ')) || child.exitCode !== null, 'the emulator process is ready', 30_000);
  const ready = lines.find((line) => line.startsWith('ready ')) ?? assert.fail(`the emulator process exited: ${stderr}`);
  return { child, url: ready.slice('ready '.length), lines };
}

interface EmulatorState {
  version: number;
  answeredUsers: Record<string, { requestId: string; status: string }>;
  requests: Record<string, { requestId: string; userName: string | null; status: string }>;
  nextRequestId: number;
}

/** What one submission gave: an outcome, or the not-sent error of a connection that failed first. */
type Result = { user: string; outcome: SubmitOutcome } | { user: string; notSent: NotSentOutcome };

describe('emulator under load and crash', () => {
  let stateDir: string;
  let recordFile: string;
  let credentials: EcaCredentials;
  let emulator: EmulatorProcess | undefined;

  before(async () => {
    stateDir = await makeTempDir('concurrency');
    recordFile = path.join(stateDir, 'submissions.jsonl');
    emulator = await startEmulatorProcess(stateDir);
    credentials = await loadCredentials(await loadLocalCredentials(stateDir));
  });
  after(async () => {
    if (emulator !== undefined && emulator.child.exitCode === null && emulator.child.signalCode === null) {
      emulator.child.kill('SIGTERM');
      await once(emulator.child, 'exit');
    }
    await removeDir(stateDir);
  });

  const clientFor = (url: string): EcaClient => createEcaClient({ environment: 'local', baseUrl: url, credentials, requestTimeoutMs: 30_000 });

  /** Submits one file for `user` and records the outcome, or the not-sent error, in the record file. */
  async function submit(client: EcaClient, user: string, name: string): Promise<Result> {
    const file = fileOf(name, securityQuestionsXml(user));
    try {
      const outcome = await client.update(file);
      await recordSubmission({ recordFile, filePath: name, data: file.data, outcome });
      return { user, outcome };
    } catch (error) {
      if (!(error instanceof EcaError) || error.notSent === undefined) throw error;
      await recordSubmission({ recordFile, filePath: name, data: file.data, outcome: error.notSent });
      return { user, notSent: error.notSent };
    }
  }

  async function readState(): Promise<EmulatorState> {
    const state = JSON.parse(await readFile(path.join(stateDir, 'state.json'), 'utf8')) as EmulatorState;
    assert.equal(state.version, 1);
    return state;
  }

  const processedIds = new Map<string, string>();

  test('50 parallel submits for 10 users', async (context) => {
    const running = emulator ?? assert.fail('no emulator');
    const client = clientFor(running.url);
    const users = Array.from({ length: 10 }, (_, index) => `load.user${index}`);
    const jobs = users.flatMap((user) => Array.from({ length: 5 }, (_, copy) => ({ user, name: `${user}-${copy}.xml` })));

    const results = await Promise.all(jobs.map((job) => submit(client, job.user, job.name)));

    const outcomes = results.map((result) => ('outcome' in result ? result.outcome : assert.fail(`${result.user}: ${result.notSent.message}`)));
    for (const user of users) {
      const mine = outcomes.filter((outcome) => outcome.requests[0]?.reference?.value === user);
      assert.equal(mine.length, 5, `${user} got 5 replies`);
      const processed = mine.filter((outcome) => outcome.outcome === 'processed');
      assert.equal(processed.length, 1, `${user} has exactly one PROCESSED request`);
      const processedId = processed[0]?.requestId ?? assert.fail('no request id');
      processedIds.set(user, processedId);
      for (const other of mine.filter((outcome) => outcome !== processed[0])) {
        assert.equal(other.outcome, 'error');
        assert.match(other.errors[0] ?? '', new RegExp(`already answered \\(request ${processedId}\\)`));
      }
    }
    const ids = outcomes.map((outcome) => outcome.requestId);
    assert.equal(new Set(ids).size, 50, 'every request id is distinct');

    const state = await readState();
    for (const [user, requestId] of processedIds) assert.deepEqual({ ...state.answeredUsers[user], at: undefined }, { requestId, status: 'PROCESSED', at: undefined });
    const record = await readSubmissions(recordFile);
    assert.equal(record.entries.length, 50);
    assert.deepEqual(record.corruptLines, []);
    context.diagnostic(`50 submits for 10 users: ${outcomes.filter((outcome) => outcome.outcome === 'processed').length} PROCESSED, ${outcomes.filter((outcome) => outcome.outcome === 'error').length} ERROR`);
  });

  test('SIGKILL mid-flight then restart keeps state', async (context) => {
    const running = emulator ?? assert.fail('no emulator');
    const client = clientFor(running.url);
    const users = Array.from({ length: 30 }, (_, index) => `crash.user${index}`);
    const linesBefore = running.lines.length;
    const processedLog = (): number => running.lines.slice(linesBefore).filter((line) => /Emulator update .*: batch \d+, request id\(s\)/.test(line)).length;

    const inFlight = Promise.all(users.map((user) => submit(client, user, `${user}.xml`)));
    await waitFor(() => processedLog() >= 8, 'the emulator processed 8 of the 30 submissions', 30_000);
    running.child.kill('SIGKILL');
    await once(running.child, 'exit');
    const results = await inFlight;
    const stateAfterKill = await readState();

    // Every user whose client saw PROCESSED is in the state file's answeredUsers with that request id.
    const processed = results.flatMap((result) => ('outcome' in result && result.outcome.outcome === 'processed' ? [result] : []));
    for (const result of processed) {
      assert.equal(stateAfterKill.answeredUsers[result.user]?.requestId, result.outcome.requestId, `${result.user} lost its PROCESSED request`);
      processedIds.set(result.user, result.outcome.requestId ?? '');
    }
    for (const [user, requestId] of processedIds) assert.equal(stateAfterKill.answeredUsers[user]?.requestId, requestId, `${user} is still answered`);
    const unknown = results.filter((result) => 'outcome' in result && result.outcome.outcome !== 'processed');
    for (const result of unknown) assert.equal('outcome' in result ? result.outcome.outcome : '', 'unknown', `${result.user} got another outcome than unknown`);
    const notSent = results.filter((result) => 'notSent' in result);

    emulator = await startEmulatorProcess(stateDir);
    const restarted = clientFor(emulator.url);
    const leftovers = (await readdir(stateDir)).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'temp files of the killed process are removed on restart');

    // Resubmit every user: those in answeredUsers before the kill get ERROR, the others are processed now.
    const allUsers = [...processedIds.keys(), ...users.filter((user) => !processedIds.has(user))];
    const again = await Promise.all(allUsers.map((user) => submit(restarted, user, `${user}-again.xml`)));
    for (const result of again) {
      const outcome = 'outcome' in result ? result.outcome : assert.fail(`${result.user}: ${result.notSent.message}`);
      const earlier = stateAfterKill.answeredUsers[result.user];
      if (earlier !== undefined) {
        assert.equal(outcome.outcome, 'error', `${result.user} was answered before the kill`);
        assert.match(outcome.errors[0] ?? '', new RegExp(`already answered \\(request ${earlier.requestId}\\)`));
      } else {
        assert.equal(outcome.outcome, 'processed', `${result.user} was not answered before the kill`);
      }
    }

    // No request id is used twice, before or after the restart.
    const earlierIds = Object.keys(stateAfterKill.requests).map(Number);
    const newIds = again.map((result) => Number('outcome' in result ? result.outcome.requestId : NaN));
    assert.ok(Math.min(...newIds) > Math.max(...earlierIds), 'request ids after the restart are all new');
    assert.equal(new Set(newIds).size, newIds.length);
    const finalState = await readState();
    assert.equal(Object.keys(finalState.requests).length, earlierIds.length + newIds.length);
    const answeredTwice = Object.values(finalState.requests).filter((request) => request.status === 'PROCESSED');
    assert.equal(new Set(answeredTwice.map((request) => request.userName)).size, answeredTwice.length, 'no user has two PROCESSED requests');

    const record = await readSubmissions(recordFile);
    assert.deepEqual(record.corruptLines, []);
    assert.equal(record.entries.filter((entry) => entry.outcome === 'not-sent').length, notSent.length);
    const answeredInFlight = users.filter((user) => stateAfterKill.answeredUsers[user] !== undefined).length;
    context.diagnostic(
      `SIGKILL once the emulator had logged ${processedLog()} of 30 in-flight submits as processed: clients saw ${processed.length} PROCESSED, ` +
        `${unknown.length} unknown, ${notSent.length} not sent; the state file has ${answeredInFlight} of the 30 users answered; ` +
        `resubmits after the restart: ${again.filter((result) => 'outcome' in result && result.outcome.outcome === 'error').length} ERROR, ` +
        `${again.filter((result) => 'outcome' in result && result.outcome.outcome === 'processed').length} PROCESSED`,
    );
  });
});
