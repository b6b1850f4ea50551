import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendSubmissions, findSubmissions, type SubmissionEntry } from '../../eca/src/index';
import { describeEntry, earlierSubmissions, previousSubmissionWarning } from '../../client/src/logic/previousSubmissions';

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

  it('finds nothing in a missing record file', async () => {
    const found = await findSubmissions(path.join(dir, 'missing.jsonl'), 'local', 'tester1234');
    assert.deepEqual(found.entries, []);
  });
});
