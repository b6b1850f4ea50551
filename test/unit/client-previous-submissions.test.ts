import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendSubmissions, findSubmissions, type CorruptRecordLine, type SubmissionEntry } from '../../eca/src/index';
import { describeEntry, earlierSubmissions, previousSubmissionWarning } from '../../client/src/logic/previousSubmissions';
import { describeCorruptRecord as corruptRecordWarning } from '../../eca/src/record';

function entry(overrides: Partial<SubmissionEntry>): SubmissionEntry {
  return {
    time: '2026-01-02T03:04:05.000Z',
    environment: 'local',
    host: '127.0.0.1:8765',
    requestType: 'SecurityQuestions',
    userName: 'tester1234',
    filePath: '/work/sq.ibkr.xml',
    sha256: 'a'.repeat(64),
    requestId: '486582',
    status: 'PROCESSED',
    outcome: 'processed',
    ...overrides,
  };
}

const request = { requestType: 'SecurityQuestions', userName: 'tester1234' };

void describe('earlierSubmissions', () => {
  it('keeps entries of the same environment, user and request type', () => {
    const kept = entry({});
    const result = earlierSubmissions(
      [kept, entry({ environment: 'qa' }), entry({ userName: 'other' }), entry({ requestType: 'Other' }), entry({ userName: null })],
      'local',
      [request],
    );
    assert.deepEqual(result, [kept]);
  });

  it('leaves out files IBKR did not process', () => {
    assert.deepEqual(earlierSubmissions([entry({ outcome: 'not-processed', status: null, requestId: null })], 'local', [request]), []);
  });

  it('leaves out attempts that were not sent', () => {
    const notSent = entry({ outcome: 'not-sent', status: null, requestId: null });
    const processed = entry({ time: '2026-01-03T00:00:00.000Z' });
    assert.deepEqual(earlierSubmissions([notSent], 'local', [request]), []);
    assert.deepEqual(earlierSubmissions([notSent, processed], 'local', [request]), [processed]);
    assert.equal(previousSubmissionWarning(earlierSubmissions([notSent], 'local', [request]), 'local'), undefined);
  });

  it('keeps errors and unknown outcomes', () => {
    const error = entry({ outcome: 'error', status: 'ERROR' });
    const unknown = entry({ outcome: 'unknown', status: null, requestId: null });
    assert.deepEqual(earlierSubmissions([error, unknown], 'local', [request]), [error, unknown]);
  });
});

void describe('previousSubmissionWarning', () => {
  it('is undefined without earlier entries', () => {
    assert.equal(previousSubmissionWarning([], 'local'), undefined);
  });

  it('names the user, environment and entries newest first', () => {
    const warning = previousSubmissionWarning(
      [entry({ time: '2026-01-01T00:00:00.000Z', requestId: '1' }), entry({ time: '2026-01-03T00:00:00.000Z', requestId: '3', status: 'ERROR' })],
      'local',
    );
    assert.ok(warning !== undefined);
    assert.equal(warning.message, 'A request for user tester1234 was already submitted to IBKR local. Submit again?');
    const lines = warning.detail.split('\n');
    assert.match(lines[0] ?? '', /^2026-01-03T00:00:00\.000Z: SecurityQuestions for tester1234, request 3, ERROR/);
    assert.match(lines[1] ?? '', /request 1, PROCESSED/);
    assert.match(warning.detail, /once per user/);
  });

  it('counts entries past the first five', () => {
    const entries = Array.from({ length: 7 }, (_, index) => entry({ requestId: String(index), time: `2026-01-0${index + 1}T00:00:00.000Z` }));
    const warning = previousSubmissionWarning(entries, 'qa');
    assert.ok(warning !== undefined);
    assert.match(warning.detail, /\.\.\. and 2 earlier\./);
  });
});

void describe('corruptRecordWarning', () => {
  const corrupt = (line: number, kind: CorruptRecordLine['kind']): CorruptRecordLine => ({ line, kind, message: `line ${line}`, text: '' });

  it('is undefined without corrupt lines', () => {
    assert.equal(corruptRecordWarning('/r.jsonl', { corruptLines: [], corruptCopy: null, corruptCopyError: null }), undefined);
  });

  it('names the lines and the copy', () => {
    const warning = corruptRecordWarning('/r.jsonl', { corruptLines: [corrupt(2, 'invalid-json'), corrupt(5, 'torn')], corruptCopy: '/r.jsonl.corrupt-x', corruptCopyError: null });
    assert.equal(
      warning,
      'The submission record /r.jsonl has 2 unreadable lines: line 2 (invalid-json), line 5 (torn). They were skipped, so an earlier submission recorded there is not flagged. A copy of the file as it was is kept at /r.jsonl.corrupt-x.',
    );
  });

  it('gives the reason no copy was made', () => {
    const reason = 'A copy of /r.jsonl could not be made beside it (EACCES).';
    const warning = corruptRecordWarning('/r.jsonl', { corruptLines: [corrupt(1, 'invalid-entry')], corruptCopy: null, corruptCopyError: reason });
    assert.match(warning ?? '', /has 1 unreadable line: line 1 \(invalid-entry\)\./);
    assert.ok(warning?.endsWith(` ${reason}`), warning);
  });

  it('counts lines past the first ten', () => {
    const lines = Array.from({ length: 13 }, (_, index) => corrupt(index + 1, 'invalid-json'));
    const warning = corruptRecordWarning('/r.jsonl', { corruptLines: lines, corruptCopy: '/c', corruptCopyError: null }) ?? '';
    assert.match(warning, /line 10 \(invalid-json\) and 3 more\./);
    assert.doesNotMatch(warning, /line 11 /);
  });
});

void describe('describeEntry', () => {
  it('says when no request id came back', () => {
    assert.match(describeEntry(entry({ requestId: null, status: null, outcome: 'unknown' })), /no request id, unknown/);
  });
});

void describe('record lookup through the ECA record file', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ibkr-client-record-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds an appended submission for the warning', async () => {
    const recordFile = path.join(dir, 'submissions.jsonl');
    await appendSubmissions(recordFile, [entry({}), entry({ userName: 'someone-else' }), entry({ environment: 'production', host: 'api.ibkr.com' })]);
    const found = await findSubmissions(recordFile, 'local', 'tester1234');
    const earlier = earlierSubmissions(found.entries, 'local', [request]);
    assert.equal(earlier.length, 1);
    assert.equal(previousSubmissionWarning(earlier, 'local')?.message, 'A request for user tester1234 was already submitted to IBKR local. Submit again?');
  });

  it('reports corrupt lines and their copy', async () => {
    const recordFile = path.join(dir, 'corrupt.jsonl');
    await writeFile(recordFile, `${JSON.stringify(entry({ outcome: 'not-sent', status: null, requestId: null }))}\nnot json\n${JSON.stringify(entry({}))}\n`);
    const found = await findSubmissions(recordFile, 'local', 'tester1234');
    assert.equal(found.entries.length, 2);
    assert.equal(earlierSubmissions(found.entries, 'local', [request]).length, 1, 'the not-sent entry is left out');

    const warning = corruptRecordWarning(recordFile, found) ?? '';
    assert.match(warning, /has 1 unreadable line: line 2 \(invalid-json\)\./);
    assert.ok(found.corruptCopy !== null);
    assert.ok(warning.endsWith(`kept at ${found.corruptCopy}.`), warning);
    assert.equal(await readFile(found.corruptCopy, 'utf8'), await readFile(recordFile, 'utf8'));
  });

  it('finds nothing in a missing record file', async () => {
    const found = await findSubmissions(path.join(dir, 'missing.jsonl'), 'local', 'tester1234');
    assert.deepEqual(found.entries, []);
  });
});
