import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { codesOf, LSP_FIXTURES, readFixture, temporaryFolder } from './helpers/fixtures';
import { FULL_CAPABILITIES, fileUri, LspTestClient } from './helpers/lspClient';

const MESSAGE_WARNING = 2;

describe('settings', () => {
  const workspace = temporaryFolder('settings');
  let client: LspTestClient;
  const uri = (name: string): string => fileUri(path.join(workspace.path, name));

  before(async () => {
    client = await LspTestClient.start({
      workspaceFolders: [workspace.path],
      settings: { requestFiles: 42, validate: { run: 'sometimes', maxProblems: 0 }, securityQuestions: { catalogFile: ['not', 'a', 'path'] }, symbols: { maxItemsComputed: 2.5 } },
    });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('invalid values use defaults', async () => {
    const document = uri('defaults.ibkr.xml');
    await client.open(document, readFixture('mistakes.ibkr.xml'));
    const publish = await client.waitForCurrentVersion(document);
    assert.deepEqual(codesOf(publish.diagnostics), ['details-count', 'question-duplicate', 'unknown-attribute']);

    const warnings = client.logs.filter((log) => log.type === MESSAGE_WARNING).map((log) => log.message);
    assert.ok(warnings.some((message) => message.includes('ibkr.requestFiles') && message.includes('42')), warnings.join('\n'));
    assert.ok(warnings.some((message) => message.includes('ibkr.validate.run') && message.includes('"sometimes"')));
    assert.ok(warnings.some((message) => message.includes('ibkr.securityQuestions.catalogFile')));
    assert.ok(warnings.some((message) => message.includes('ibkr.symbols.maxItemsComputed') && message.includes('2.5') && message.includes('Using 5000')));
    assert.ok(warnings.some((message) => message.includes('ibkr.validate.maxProblems') && message.includes('got 0') && message.includes('Using 1000')));
  });

  for (const [requestFiles, named, using] of [
    [['[', '**/{a,b'], ['"[" (a "[" without "]")', '"**/{a,b" (a "{" without "}")'], 'Using the default ["**/*.ibkr.xml"].'],
    [['**/*.req.xml', '['], ['"[" (a "[" without "]")'], 'Using the remaining pattern ["**/*.req.xml"].'],
    ['notalist', ['"notalist"'], 'Using the default ["**/*.ibkr.xml"].'],
  ] as const) {
    it(`invalid requestFiles ${JSON.stringify(requestFiles)} warned once`, async () => {
      const other = await LspTestClient.start({ workspaceFolders: [workspace.path], settings: { requestFiles } });
      try {
        const document = uri('patterns.ibkr.xml');
        await other.open(document, readFixture('valid.ibkr.xml'));
        await other.waitForCurrentVersion(document);
        const warnings = other.logs.filter((log) => log.type === MESSAGE_WARNING && log.message.includes('ibkr.requestFiles')).map((log) => log.message);
        assert.equal(warnings.length, 1, warnings.join('\n'));
        for (const text of [...named, using]) assert.ok(warnings[0]?.includes(text), `${warnings[0] ?? ''} names ${text}`);
      } finally {
        await other.stop();
      }
    });
  }

  it('each invalid value logged once', async () => {
    await client.open(uri('second.ibkr.xml'), readFixture('valid.ibkr.xml'));
    await client.waitForCurrentVersion(uri('second.ibkr.xml'));
    const runWarnings = client.logs.filter((log) => log.message.includes('"sometimes"'));
    assert.equal(runWarnings.length, 1);
  });

  it('settings requested per document', () => {
    assert.ok(client.configurationRequests.includes(uri('defaults.ibkr.xml')));
    assert.ok(client.configurationRequests.includes(uri('second.ibkr.xml')));
  });
});

describe('settings without workspace/configuration', () => {
  const workspace = temporaryFolder('pushed-settings');
  let client: LspTestClient;
  const document = fileUri(path.join(workspace.path, 'pushed.ibkr.xml'));

  before(async () => {
    copyFileSync(path.join(LSP_FIXTURES, 'questions.json'), path.join(workspace.path, 'questions.json'));
    const capabilities = structuredClone(FULL_CAPABILITIES);
    if (capabilities.workspace !== undefined) capabilities.workspace.configuration = false;
    client = await LspTestClient.start({ workspaceFolders: [workspace.path], capabilities });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('uses pushed settings', async () => {
    await client.open(document, readFixture('valid.ibkr.xml').replace('question="9161083"', 'question="1234567"'));
    assert.deepEqual((await client.waitForCurrentVersion(document)).diagnostics, []);

    await client.notify('workspace/didChangeConfiguration', { settings: { ibkr: { securityQuestions: { catalogFile: 'questions.json' } } } });
    await client.waitForDiagnostics(document, (publish) => codesOf(publish.diagnostics).join() === 'question-unknown');
    assert.equal(client.configurationRequests.length, 0);
  });
});
