/**
 * The submission record under crashes and concurrent writers. Child processes append to a
 * record in a loop (helpers/append-loop.ts), and the test kills them with SIGKILL mid-loop.
 * Then every batch that an append reported as done must be there whole, nothing else may be
 * lost, the file must never shrink, and a torn last line (a kill that cut a write short) must
 * be reported as such.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { readSubmissions, type SubmissionEntry } from '../../eca/src/index';
import { makeTempDir, removeDir } from './helpers/emulator';
import { waitFor } from './helpers/loopback';

const APPEND_LOOP = path.join(__dirname, 'helpers', 'append-loop.ts');

/** A running append-loop child and the batches it has reported as written and flushed. */
interface Appender {
  child: ChildProcess;
  reported: () => number;
  exited: () => boolean;
  stderr: () => string;
}

function startAppender(recordFile: string, writer: string, batchSize: number, maxBatches?: number): Appender {
  const args = ['--import', 'tsx', APPEND_LOOP, recordFile, writer, String(batchSize), ...(maxBatches === undefined ? [] : [String(maxBatches)])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let reported = 0;
  let pending = '';
  let stderr = '';
  let exited = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) reported = Math.max(reported, Number(line));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.once('exit', () => {
    exited = true;
  });
  return { child, reported: () => reported, exited: () => exited, stderr: () => stderr };
}

/** Groups a writer's entries by batch number, from request ids `writer:batch:index`. */
function batchesOf(entries: readonly SubmissionEntry[], writer: string): Map<number, number[]> {
  const batches = new Map<number, number[]>();
  for (const entry of entries) {
    const [owner, batch, index] = (entry.requestId ?? '').split(':');
    if (owner !== writer) continue;
    const list = batches.get(Number(batch)) ?? [];
    list.push(Number(index));
    batches.set(Number(batch), list);
  }
  return batches;
}

describe('submission record crash safety', () => {
  let dir: string;

  before(async () => {
    dir = await makeTempDir('record-crash');
  });
  after(async () => {
    await removeDir(dir);
  });

  test('SIGKILL mid-append loses no flushed batch', async (context) => {
    const recordFile = path.join(dir, 'killed.jsonl');
    const iterations = 8;
    const batchSize = 3;
    const survivors = new Map<string, number>();
    let tornLines = 0;
    let inFlightKept = 0;
    let previous = Buffer.alloc(0);

    for (let iteration = 1; iteration <= iterations; iteration++) {
      const writer = `w${iteration}`;
      // Kill after a different number of batches each time: 5 to 34.
      const target = 5 + ((iteration * 11) % 30);
      const appender = startAppender(recordFile, writer, batchSize);
      await waitFor(() => appender.reported() >= target || appender.exited(), `writer ${writer} reports ${target} batches`, 30_000);
      assert.equal(appender.exited(), false, `the appender stopped by itself: ${appender.stderr()}`);
      appender.child.kill('SIGKILL');
      await once(appender.child, 'exit');
      const reported = appender.reported();

      const bytes = await readFile(recordFile);
      assert.ok(bytes.subarray(0, previous.length).equals(previous), 'the record is never shortened or rewritten');
      previous = bytes;

      const record = await readSubmissions(recordFile);
      const last = record.corruptLines.at(-1);
      const tornNow = last?.kind === 'torn';
      const batches = batchesOf(record.entries, writer);
      for (let batch = 1; batch <= reported; batch++) {
        assert.deepEqual(batches.get(batch), [0, 1, 2], `batch ${batch} of ${writer} was reported written but is not whole`);
      }
      // The batch in flight at the kill is wholly there or wholly absent, unless its write was torn.
      const extra = [...batches.keys()].filter((batch) => batch > reported);
      assert.ok(extra.length === 0 || (extra.length === 1 && extra[0] === reported + 1), `unexpected batches ${extra.join(', ')}`);
      const inFlight = batches.get(reported + 1) ?? [];
      if (tornNow) {
        assert.deepEqual(inFlight, [0, 1, 2].slice(0, inFlight.length), 'a torn batch keeps the lines before the tear');
      } else {
        assert.ok(inFlight.length === 0 || inFlight.length === batchSize, `batch ${reported + 1} has ${inFlight.length} of ${batchSize} lines`);
      }
      if (inFlight.length > 0) inFlightKept++;
      survivors.set(writer, batchSize * reported + inFlight.length);

      // Earlier writers lost nothing.
      for (const [earlier, count] of survivors) {
        assert.equal(record.entries.filter((entry) => entry.requestId?.startsWith(`${earlier}:`)).length, count, `entries of ${earlier}`);
      }

      // A kill can cut short a write that spans two pages of the file; its last line is then torn.
      if (tornNow) {
        tornLines++;
        assert.ok(!bytes.toString('utf8').endsWith('\n'));
        assert.match(last.text, /^\{"time":"/);
      }
      const torn = record.corruptLines.filter((line) => line.kind === 'torn');
      assert.ok(torn.length <= 1 && (torn.length === 0 || torn[0] === last), 'only the last line can be torn');
      assert.equal(record.corruptLines.length, tornLines, 'every corrupt line is a torn line, reported, never dropped');
    }

    const final = await readSubmissions(recordFile);
    const lines = (await readFile(recordFile, 'utf8')).split('\n').filter((line) => line !== '').length;
    assert.equal(final.entries.length + final.corruptLines.length, lines, 'every line is an entry or a reported corrupt line');
    assert.equal(final.entries.length, [...survivors.values()].reduce((sum, count) => sum + count, 0));
    context.diagnostic(
      `${iterations} SIGKILLs, ${lines} lines, ${final.entries.length} entries, ${tornLines} torn lines, ${inFlightKept} kills that left the batch in flight whole in the file`,
    );
  });

  test('concurrent writers keep lines whole', async () => {
    const recordFile = path.join(dir, 'concurrent.jsonl');
    // Batches of 2 lines, and of 20 lines (about 5 KB, so writes span pages).
    const writers = [
      { name: 'small.a', batchSize: 2, batches: 60 },
      { name: 'small.b', batchSize: 2, batches: 60 },
      { name: 'large.c', batchSize: 20, batches: 30 },
    ];
    const appenders = writers.map((writer) => startAppender(recordFile, writer.name, writer.batchSize, writer.batches));
    await Promise.all(appenders.map(async (appender) => (appender.exited() ? undefined : once(appender.child, 'exit'))));
    for (const appender of appenders) assert.equal(appender.child.exitCode, 0, appender.stderr());

    const record = await readSubmissions(recordFile);
    assert.deepEqual(record.corruptLines, []);
    assert.equal(record.entries.length, writers.reduce((sum, writer) => sum + writer.batchSize * writer.batches, 0));

    // Each batch was one write, so its lines sit next to each other in the file.
    const positions = new Map<string, number[]>();
    record.entries.forEach((entry, position) => {
      const [owner, batch] = (entry.requestId ?? '').split(':');
      const key = `${owner ?? ''}:${batch ?? ''}`;
      positions.set(key, [...(positions.get(key) ?? []), position]);
    });
    for (const [key, list] of positions) {
      assert.equal((list.at(-1) ?? 0) - (list[0] ?? 0), list.length - 1, `the lines of batch ${key} are not contiguous`);
    }
  });
});
