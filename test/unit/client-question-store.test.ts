import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { questionListPath, readQuestionList, writeQuestionList, type StoredQuestionList } from '../../client/src/logic/questionStore';

void describe('question list store', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ibkr-question-store-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const list: StoredQuestionList = {
    environment: 'qa',
    baseUrl: 'https://qa.interactivebrokers.com',
    fetchedAt: '2026-01-02T03:04:05.000Z',
    questions: [
      { id: '9161083', question: 'What was the name of your first school?', canBeNumber: false, minAnswerLength: 3 },
      { id: '6688721', question: 'In which city were you born?' },
    ],
  };

  void it('round-trips a list per environment', async () => {
    await writeQuestionList(dir, list);
    assert.deepEqual(await readQuestionList(dir, 'qa'), { list });
    assert.deepEqual(await readQuestionList(dir, 'production'), { list: undefined });
  });

  void it('leaves no temporary file behind', async () => {
    await writeQuestionList(dir, list);
    const names = await readdir(dir);
    assert.deepEqual(
      names.filter((name) => name.endsWith('.tmp')),
      [],
    );
  });

  void it('reports invalid JSON with the file and the fix', async () => {
    await writeFile(questionListPath(dir, 'custom'), '{"environment": "custom", ', 'utf8');
    const result = await readQuestionList(dir, 'custom');
    assert.ok('error' in result);
    assert.ok(result.error.includes(questionListPath(dir, 'custom')));
    assert.match(result.error, /not valid JSON/);
    assert.match(result.error, /Refresh Security Question List/);
  });

  void it('reports a question without an id', async () => {
    await writeFile(questionListPath(dir, 'local'), JSON.stringify({ ...list, environment: 'local', questions: [{ question: 'x' }] }), 'utf8');
    const result = await readQuestionList(dir, 'local');
    assert.ok('error' in result);
    assert.match(result.error, /question 1 has no string id/);
  });

  void it('rejects a list stored under another environment', async () => {
    await writeFile(questionListPath(dir, 'production'), JSON.stringify(list), 'utf8');
    const result = await readQuestionList(dir, 'production');
    assert.ok('error' in result);
    assert.match(result.error, /environment is "qa", expected "production"/);
  });
});
