import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { RequestSummaryResult } from '../../server/src/protocol';
import { FIXTURE_ANSWERS, LSP_FIXTURES, rangeOf, readFixture, temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient } from './helpers/lspClient';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

const TWO_REQUESTS = [
  `<AcctMgmtRequests xmlns="${NAMESPACE}">`,
  '  <SecurityQuestions reference_user_name="first-user">',
  '    <Details question="9161083" answer="Fluffy-secret-1" />',
  '    <Details question="6688721" answer="Zurich-secret-2" />',
  '    <Details question="1234567" answer="Model-T-secret-3" />',
  '  </SecurityQuestions>',
  '  <SecurityQuestions reference_user_name="second-user">',
  '    <Details answer="Fluffy-secret-1" />',
  '  </SecurityQuestions>',
  '</AcctMgmtRequests>',
  '',
].join('\n');

describe('document symbols and request summary', () => {
  const workspace = temporaryFolder('symbols');
  let client: LspTestClient;
  const uri = fileUri(path.join(workspace.path, 'two.ibkr.xml'));

  before(async () => {
    copyFileSync(path.join(LSP_FIXTURES, 'questions.json'), path.join(workspace.path, 'questions.json'));
    client = await LspTestClient.start({ workspaceFolders: [workspace.path], settings: { securityQuestions: { catalogFile: 'questions.json' } } });
    await client.open(uri, TWO_REQUESTS);
    await client.waitForCurrentVersion(uri);
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('symbols list requests and questions', async () => {
    const symbols = (await client.documentSymbols(uri)) ?? [];
    assert.deepEqual(
      symbols.map((symbol) => [symbol.name, symbol.detail]),
      [
        ['SecurityQuestions', 'first-user'],
        ['SecurityQuestions', 'second-user'],
      ],
    );
    const first = symbols[0];
    assert.deepEqual(
      first?.children?.map((child) => [child.name, child.detail]),
      [
        ['9161083', 'Sample question 9161083: first pet'],
        ['6688721', 'Sample question 6688721: city of birth'],
        ['1234567', undefined],
      ],
    );
    assert.deepEqual(first?.children?.[0]?.selectionRange, rangeOf(TWO_REQUESTS, '9161083'));
    assert.deepEqual(symbols[1]?.children?.map((child) => child.name), ['Details 1 (no question id)']);
    const serialized = JSON.stringify(symbols);
    for (const answer of FIXTURE_ANSWERS) assert.ok(!serialized.includes(answer), 'symbols never contain an answer');
  });

  it('symbols stop at maxItemsComputed', async () => {
    const limited = await LspTestClient.start({
      workspaceFolders: [workspace.path],
      settings: { securityQuestions: { catalogFile: 'questions.json' }, symbols: { maxItemsComputed: 3 } },
    });
    try {
      const limitedUri = fileUri(path.join(workspace.path, 'limited.ibkr.xml'));
      await limited.open(limitedUri, TWO_REQUESTS);
      await limited.waitForCurrentVersion(limitedUri);
      const symbols = (await limited.documentSymbols(limitedUri)) ?? [];
      assert.deepEqual(symbols.map((symbol) => symbol.detail), ['first-user'], 'the second request is left out');
      assert.deepEqual(symbols[0]?.children?.map((child) => child.name), ['9161083', '6688721'], 'the request and two Details make 3 symbols');
      await limited.documentSymbols(limitedUri);
      const notes = limited.logs.filter((log) => log.message.includes('ibkr.symbols.maxItemsComputed'));
      assert.equal(notes.length, 1, 'the limit is logged once per document');
      assert.match(notes[0]!.message, /lists its first 3 symbols/);
    } finally {
      await limited.stop();
    }
  });

  it('summary of an open document', async () => {
    const summary = await client.request<RequestSummaryResult>('ibkr/requestSummary', { uri });
    assert.deepEqual(summary, {
      isRequestFile: true,
      requests: [
        { requestType: 'SecurityQuestions', userName: 'first-user', questionIds: ['9161083', '6688721', '1234567'], line: 1 },
        { requestType: 'SecurityQuestions', userName: 'second-user', questionIds: [], line: 6 },
      ],
      // question-unknown, then for the second request details-count and required-attribute.
      errorCount: 3,
    });
  });

  it('summary of a closed file', async () => {
    const filePath = path.join(workspace.path, 'closed.ibkr.xml');
    writeFileSync(filePath, readFixture('valid.ibkr.xml'));
    const summary = await client.request<RequestSummaryResult>('ibkr/requestSummary', { uri: fileUri(filePath) });
    assert.deepEqual(summary, {
      isRequestFile: true,
      requests: [{ requestType: 'SecurityQuestions', userName: 'tester1234', questionIds: ['9161083', '6688721', '9161123'], line: 2 }],
      errorCount: 0,
    });
  });

  it('summary hides a non-numeric question value', async () => {
    const swapped = fileUri(path.join(workspace.path, 'swapped.ibkr.xml'));
    const text = readFixture('valid.ibkr.xml').replace('question="6688721" answer="Zurich-secret-2"', 'question="Rexy Fluffy" answer="6688721"');
    assert.ok(text.includes('Rexy Fluffy'), 'the fixture has the Details to swap');
    await client.open(swapped, text);
    const summary = await client.request<RequestSummaryResult>('ibkr/requestSummary', { uri: swapped });
    assert.deepEqual(summary.requests[0]?.questionIds, ['9161083', '(invalid question id)', '9161123']);
    assert.ok(!JSON.stringify(summary).includes('Rexy'), 'the summary never shows the swapped value');
  });

  it('summary of other XML', async () => {
    const other = fileUri(path.join(workspace.path, 'pom.xml'));
    await client.open(other, '<project/>');
    assert.deepEqual(await client.request('ibkr/requestSummary', { uri: other }), { isRequestFile: false, requests: [], errorCount: 0 });
  });

  it('summary of a missing file fails', async () => {
    const missing = fileUri(path.join(workspace.path, 'missing.ibkr.xml'));
    await assert.rejects(client.request('ibkr/requestSummary', { uri: missing }), /missing\.ibkr\.xml/);
    assert.ok(client.isRunning);
  });
});
