import assert from 'node:assert/strict';
import { appendFile, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { appendSubmissions, defaultRecordFile, findSubmissions, readSubmissions, recordSubmission, sha256Hex, type SubmissionEntry } from '../../eca/src/index';
import { fileOf, makeTempDir, removeDir, securityQuestionsElement, securityQuestionsXml, startTestEmulator, type TestEmulator } from './helpers/emulator';

function entry(overrides: Partial<SubmissionEntry>): SubmissionEntry {
  return {
    time: '2024-09-16T08:43:26.000Z',
    environment: 'qa',
    host: 'qa.interactivebrokers.com',
    requestType: 'SecurityQuestions',
    userName: 'tester1234',
    filePath: '/work/requests/sq.xml',
    sha256: 'a'.repeat(64),
    requestId: '486582',
    status: 'PROCESSED',
    outcome: 'processed',
    ...overrides,
  };
}

describe('submission record', () => {
  let dir: string;
  let setup: TestEmulator;

  before(async () => {
    dir = await makeTempDir('record');
    setup = await startTestEmulator();
  });
  after(async () => {
    await setup.close();
    await removeDir(dir);
  });

  test('default file is in the home folder', () => {
    assert.equal(defaultRecordFile(), path.join(os.homedir(), '.ibkr-am', 'submissions.jsonl'));
  });

  test('missing record file is empty', async () => {
    assert.deepEqual(await readSubmissions(path.join(dir, 'absent.jsonl')), { entries: [], corruptLines: [], corruptCopy: null, corruptCopyError: null });
  });

  test('append then find by environment and user', async () => {
    const file = path.join(dir, 'nested', 'find.jsonl');
    await appendSubmissions(file, [entry({}), entry({ environment: 'production', host: 'api.ibkr.com' })]);
    await appendSubmissions(file, [entry({ userName: 'someone.else', requestId: '2' })]);

    const text = await readFile(file, 'utf8');
    assert.equal(text.split('\n').length, 4, 'three lines, each ending in a line break');
    const found = await findSubmissions(file, 'qa', 'tester1234');
    assert.deepEqual(found.entries, [entry({})]);
    assert.deepEqual(found.corruptLines, []);
    assert.equal(found.corruptCopy, null);
    assert.equal((await findSubmissions(file, 'production', 'tester1234')).entries.length, 1);
    assert.equal((await findSubmissions(file, 'local', 'tester1234')).entries.length, 0);
  });

  test('corrupt lines are reported and kept', async () => {
    const file = path.join(dir, 'corrupt.jsonl');
    await appendSubmissions(file, [entry({ requestId: '1' })]);
    await appendFile(file, 'this is not json\n{"time": 5}\n');
    await appendSubmissions(file, [entry({ requestId: '2' })]);
    // An interrupted write leaves a last line without its line break.
    await appendFile(file, '{"time": "2024-09-16T08:43:26.000Z", "environ');
    const before = await readFile(file, 'utf8');
    await appendSubmissions(file, [entry({ requestId: '3' })]);

    const record = await readSubmissions(file);
    assert.deepEqual(
      record.entries.map((item) => item.requestId),
      ['1', '2', '3'],
    );
    assert.deepEqual(
      record.corruptLines.map((line) => [line.line, line.kind]),
      [
        [2, 'invalid-json'],
        [3, 'invalid-entry'],
        [5, 'invalid-json'],
      ],
    );
    assert.match(record.corruptLines[0]?.message ?? '', /corrupt\.jsonl, line 2: not valid JSON; the line was skipped/);
    assert.equal(record.corruptLines[0]?.text, 'this is not json');
    assert.match(record.corruptLines[1]?.message ?? '', /line 3: field time is missing or not a string/);
    assert.equal(record.corruptLines[2]?.text, '{"time": "2024-09-16T08:43:26.000Z", "environ');
    const after = await readFile(file, 'utf8');
    assert.ok(after.startsWith(before), 'existing lines are never rewritten');
  });

  test('torn last line is reported, not dropped', async () => {
    const file = path.join(dir, 'torn.jsonl');
    await appendSubmissions(file, [entry({ requestId: '1' })]);
    const torn = JSON.stringify(entry({ requestId: '2' })).slice(0, 57);
    await appendFile(file, torn);
    const bytesBefore = await readFile(file);

    const record = await readSubmissions(file);
    assert.deepEqual(
      record.entries.map((item) => item.requestId),
      ['1'],
    );
    assert.equal(record.corruptLines.length, 1);
    assert.equal(record.corruptLines[0]?.line, 2);
    assert.equal(record.corruptLines[0]?.kind, 'torn');
    assert.equal(record.corruptLines[0]?.text, torn);
    assert.match(record.corruptLines[0]?.message ?? '', /torn\.jsonl, line 2: the last line is incomplete \(57 characters and no line break\)/);
    assert.deepEqual(await readFile(file), bytesBefore, 'reading leaves the file as it was');

    // The next append closes the torn line, which then stays a corrupt line of its own.
    await appendSubmissions(file, [entry({ requestId: '3' })]);
    const after = await readSubmissions(file);
    assert.deepEqual(
      after.entries.map((item) => item.requestId),
      ['1', '3'],
    );
    assert.deepEqual(
      after.corruptLines.map((line) => [line.line, line.kind]),
      [[2, 'invalid-json']],
    );
    assert.ok((await readFile(file)).subarray(0, bytesBefore.length).equals(bytesBefore), 'the torn line is kept byte for byte');
    assert.equal(after.corruptCopy, record.corruptCopy, 'closing the torn line makes no second copy');
  });

  test('corrupt record is copied aside once', async () => {
    const folder = path.join(dir, 'copied');
    const file = path.join(folder, 'submissions.jsonl');
    await appendSubmissions(file, [entry({ requestId: '1' })]);
    await appendFile(file, 'garbage line\n');
    await appendSubmissions(file, [entry({ requestId: '2' })]);
    const original = await readFile(file);

    const first = await readSubmissions(file);
    const copyPath = first.corruptCopy ?? assert.fail(`no copy was made: ${first.corruptCopyError ?? ''}`);
    assert.equal(path.dirname(copyPath), folder);
    assert.match(path.basename(copyPath), /^submissions\.jsonl\.corrupt-\d{8}T\d{6}Z-[0-9a-f]{12}$/);
    assert.deepEqual(await readFile(copyPath), original);
    assert.deepEqual(await readFile(file), original, 'the record itself is unchanged');

    const second = await readSubmissions(file);
    await appendSubmissions(file, [entry({ requestId: '3' })]);
    const third = await findSubmissions(file, 'qa', 'tester1234');
    assert.equal(second.corruptCopy, copyPath);
    assert.equal(third.corruptCopy, copyPath, 'appending valid lines keeps the same corrupt state');
    assert.deepEqual(
      third.corruptLines.map((line) => line.line),
      [2],
    );
    assert.equal((await readdir(folder)).filter((name) => name.includes('.corrupt-')).length, 1);

    // A new corrupt line is a new state, so it gets a copy of its own.
    await appendFile(file, '{"not": "an entry"}\n');
    const fourth = await readSubmissions(file);
    assert.notEqual(fourth.corruptCopy, copyPath);
    assert.equal((await readdir(folder)).filter((name) => name.includes('.corrupt-')).length, 2);
  });

  test('not-sent outcome is recorded', async () => {
    const recordFile = path.join(dir, 'not-sent.jsonl');
    const file = fileOf('not-sent.xml', securityQuestionsXml('never.sent'));
    const notSent = { outcome: 'not-sent', environment: 'qa', host: 'qa.interactivebrokers.com', fileName: 'not-sent.xml', message: 'Could not connect.' } as const;
    const written = await recordSubmission({ recordFile, filePath: 'not-sent.xml', data: file.data, outcome: notSent });

    assert.deepEqual(
      written.map((item) => [item.userName, item.outcome, item.status, item.requestId, item.host]),
      [['never.sent', 'not-sent', null, null, 'qa.interactivebrokers.com']],
    );
    assert.deepEqual((await readSubmissions(recordFile)).entries, written);
  });

  test('outcome is recorded per request without answers', async () => {
    const answers = ['Kestrel-answer-A', 'Heron-answer-B', 'Osprey-answer-C'];
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">',
      securityQuestionsElement('record.one', [
        { question: '9161083', answer: answers[0] ?? '' },
        { question: '6688721', answer: answers[1] ?? '' },
        { question: '9161123', answer: answers[2] ?? '' },
      ]),
      securityQuestionsElement('record.two', [{ question: '9161083', answer: answers[0] ?? '' }]),
      '</AcctMgmtRequests>',
    ].join('\n');
    const file = fileOf('record.xml', xml);
    const outcome = await setup.client().update(file);
    const recordFile = path.join(dir, 'outcome.jsonl');
    const written = await recordSubmission({ recordFile, filePath: 'requests/record.xml', data: file.data, outcome });

    assert.deepEqual(
      written.map((item) => [item.userName, item.status, item.outcome, item.requestId]),
      [
        ['record.one', 'PROCESSED', 'processed', outcome.requests[0]?.requestId],
        ['record.two', 'ERROR', 'error', outcome.requests[1]?.requestId],
      ],
    );
    assert.equal(written[0]?.filePath, path.resolve('requests/record.xml'));
    assert.equal(written[0]?.sha256, sha256Hex(file.data));
    assert.equal(written[0]?.environment, 'local');
    assert.equal(written[0]?.host, setup.client().host);

    const text = await readFile(recordFile, 'utf8');
    for (const answer of answers) assert.ok(!text.includes(answer), 'an answer reached the record');
    assert.ok(!text.includes(setup.local.csid), 'the CSID reached the record');
    assert.deepEqual((await findSubmissions(recordFile, 'local', 'record.two')).entries, [written[1]]);
  });
});
