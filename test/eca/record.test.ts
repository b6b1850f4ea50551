import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { appendSubmissions, defaultRecordFile, findSubmissions, readSubmissions, recordSubmission, sha256Hex, type SubmissionEntry } from '../../eca/src/index';
import { fileOf, makeTempDir, removeDir, securityQuestionsElement, startTestEmulator, type TestEmulator } from './helpers/emulator';

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
    assert.deepEqual(await readSubmissions(path.join(dir, 'absent.jsonl')), { entries: [], corruptLines: [] });
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
      record.corruptLines.map((line) => line.line),
      [2, 3, 5],
    );
    assert.match(record.corruptLines[0]?.message ?? '', /corrupt\.jsonl, line 2: not valid JSON; the line was skipped/);
    assert.match(record.corruptLines[1]?.message ?? '', /line 3: field time is missing or not a string/);
    const after = await readFile(file, 'utf8');
    assert.ok(after.startsWith(before), 'existing lines are never rewritten');
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
