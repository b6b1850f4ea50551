import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { codesOf, LSP_FIXTURES, readFixture, temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient } from './helpers/lspClient';

const MESSAGE_ERROR = 1;
const MESSAGE_INFO = 3;

/** Returns a valid request whose first question id is `firstId`. */
function requestWithQuestion(firstId: string): string {
  return readFixture('valid.ibkr.xml').replace('question="9161083"', `question="${firstId}"`);
}

describe('question list file', () => {
  const workspace = temporaryFolder('question-list');
  let client: LspTestClient;
  const uri = (name: string): string => fileUri(path.join(workspace.path, name));

  before(async () => {
    copyFileSync(path.join(LSP_FIXTURES, 'questions.json'), path.join(workspace.path, 'questions.json'));
    copyFileSync(path.join(LSP_FIXTURES, 'malformed.csv'), path.join(workspace.path, 'malformed.csv'));
    client = await LspTestClient.start({ workspaceFolders: [workspace.path], settings: { securityQuestions: { catalogFile: 'questions.json' } } });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('relative catalog file loads', async () => {
    const document = uri('unknown-id.ibkr.xml');
    await client.open(document, requestWithQuestion('1234567'));
    const publish = await client.waitForCurrentVersion(document);
    assert.deepEqual(codesOf(publish.diagnostics), ['question-unknown']);
    assert.equal(client.messages.filter((message) => message.type === MESSAGE_INFO).length, 0, 'no "no list loaded" message with a list loaded');
  });

  it('reloads when the file changes', async () => {
    const document = uri('reload.ibkr.xml');
    await client.open(document, requestWithQuestion('1234567'));
    await client.waitForDiagnostics(document, (publish) => codesOf(publish.diagnostics).join() === 'question-unknown');

    const questions = JSON.parse(readFixture('questions.json')) as unknown[];
    questions.push({ id: '1234567', question: 'Added while the server runs' });
    writeFileSync(path.join(workspace.path, 'questions.json'), JSON.stringify(questions));
    await client.waitForDiagnostics(document, (publish) => publish.diagnostics.length === 0);
  });

  it('malformed list names file and line', async () => {
    const document = uri('malformed.ibkr.xml');
    await client.open(document, requestWithQuestion('1234567'));
    await client.waitForCurrentVersion(document);
    await client.changeSettings({ securityQuestions: { catalogFile: 'malformed.csv' } });

    const listPath = path.join(workspace.path, 'malformed.csv');
    await client.waitFor(() => client.messages.some((message) => message.type === MESSAGE_ERROR && message.message.includes(listPath)), 'an error message naming malformed.csv');
    const error = client.messages.find((message) => message.type === MESSAGE_ERROR && message.message.includes(listPath));
    assert.match(error?.message ?? '', /line 3/);
    assert.ok(client.logs.some((log) => log.message.includes(listPath) && log.message.includes('line 3')), 'the error is logged too');

    // Checking goes on without the list: the unknown id is no longer reported.
    await client.waitForDiagnostics(document, (publish) => publish.diagnostics.length === 0);
    const errorsShown = client.messages.filter((message) => message.message.includes(listPath)).length;
    await client.open(uri('malformed-second.ibkr.xml'), requestWithQuestion('1234567'));
    await client.waitForCurrentVersion(uri('malformed-second.ibkr.xml'));
    assert.equal(client.messages.filter((message) => message.message.includes(listPath)).length, errorsShown, 'the error is shown once, not per document');
  });

  it('missing file is an error', async () => {
    await client.changeSettings({ securityQuestions: { catalogFile: 'absent/questions.json' } });
    const expectedPath = path.join(workspace.path, 'absent', 'questions.json');
    await client.waitFor(() => client.messages.some((message) => message.type === MESSAGE_ERROR && message.message.includes(expectedPath) && message.message.includes('not found')), 'a not-found error naming the path');
  });

  it('watched-files notification reloads', async () => {
    // The folder does not exist yet, so the server cannot watch it and relies on the client's notification.
    const listPath = path.join(workspace.path, 'later', 'questions.json');
    const document = uri('later.ibkr.xml');
    await client.changeSettings({ securityQuestions: { catalogFile: listPath } });
    await client.open(document, requestWithQuestion('1234567'));
    await client.waitForCurrentVersion(document);

    mkdirSync(path.dirname(listPath));
    writeFileSync(listPath, JSON.stringify([{ id: '9161083', question: 'Only one question' }]));
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(listPath), type: 1 }] });
    await client.waitForDiagnostics(document, (publish) => codesOf(publish.diagnostics).join() === 'question-unknown,question-unknown,question-unknown');
  });

  it('setQuestionList wins until cleared', async () => {
    const document = uri('client-list.ibkr.xml');
    await client.changeSettings({ securityQuestions: { catalogFile: 'questions.json' } });
    await client.open(document, requestWithQuestion('5550001'));
    await client.waitForDiagnostics(document, (publish) => codesOf(publish.diagnostics).join() === 'question-unknown');

    const fetched = [
      { id: '5550001', question: 'Fetched question 1' },
      { id: '6688721', question: 'Fetched question 2' },
      { id: '9161123', question: 'Fetched question 3' },
    ];
    await client.notify('ibkr/setQuestionList', { origin: 'getEnumerations (local)', questions: fetched });
    await client.waitForDiagnostics(document, (publish) => publish.diagnostics.length === 0);

    await client.notify('ibkr/setQuestionList', { origin: 'getEnumerations (local)', questions: null });
    await client.waitForDiagnostics(document, (publish) => codesOf(publish.diagnostics).join() === 'question-unknown');
  });

  it('malformed setQuestionList is ignored', async () => {
    const document = uri('client-list-bad.ibkr.xml');
    await client.open(document, requestWithQuestion('5550001'));
    await client.waitForDiagnostics(document, (publish) => codesOf(publish.diagnostics).join() === 'question-unknown');
    await client.notify('ibkr/setQuestionList', { origin: 'broken client', questions: 'not a list' });
    await client.waitFor(() => client.logs.some((log) => log.message.includes('broken client')), 'a log naming the rejected list');
    assert.ok(client.isRunning);
  });
});

describe('no question list', () => {
  const workspace = temporaryFolder('no-list');
  let client: LspTestClient;
  const uri = (name: string): string => fileUri(path.join(workspace.path, name));

  before(async () => {
    client = await LspTestClient.start({ workspaceFolders: [workspace.path] });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('message shown once per session', async () => {
    for (const name of ['first.ibkr.xml', 'second.ibkr.xml', 'third.ibkr.xml']) {
      await client.open(uri(name), requestWithQuestion('1234567'));
      const publish = await client.waitForCurrentVersion(uri(name));
      assert.deepEqual(publish.diagnostics, [], 'without a list an unknown id is not reported');
    }
    const notices = client.messages.filter((message) => message.type === MESSAGE_INFO);
    assert.equal(notices.length, 1);
    assert.match(notices[0]?.message ?? '', /ibkr\.securityQuestions\.catalogFile/);
    assert.match(notices[0]?.message ?? '', /IBKR: Refresh Security Question List/);
  });

  it('not shown for other XML', async () => {
    const other = temporaryFolder('no-list-other');
    const second = await LspTestClient.start({ workspaceFolders: [other.path] });
    try {
      await second.open(fileUri(path.join(other.path, 'pom.xml')), '<project/>');
      await second.waitForCurrentVersion(fileUri(path.join(other.path, 'pom.xml')));
      assert.equal(second.messages.length, 0);
    } finally {
      await second.stop();
      other.remove();
    }
  });
});
