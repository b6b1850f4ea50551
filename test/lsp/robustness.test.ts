import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';

import { temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient, positionAt } from './helpers/lspClient';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

/** Fragments that make XML-like text with the constructs the server handles: tags, quotes, references, CDATA, comments. */
const FRAGMENTS = [
  '<',
  '>',
  '/>',
  '</',
  '"',
  "'",
  '=',
  ' ',
  '\n',
  '\r\n',
  '&',
  '&amp;',
  '&#x1F600;',
  '&bogus;',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY e "v">]>',
  'AcctMgmtRequests',
  `xmlns="${NAMESPACE}"`,
  'SecurityQuestions',
  'reference_user_name',
  'Details',
  'question',
  'answer',
  'input_language',
  '9161083',
  '\u{1F600}',
  '\u00e9',
  '\uFEFF',
  '\uD800',
  'x:',
];

describe('robustness', () => {
  const workspace = temporaryFolder('robustness');
  let client: LspTestClient;
  let count = 0;
  const nextUri = (): string => fileUri(path.join(workspace.path, `input${count++}.ibkr.xml`));

  before(async () => {
    client = await LspTestClient.start({ workspaceFolders: [workspace.path] });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  /** Opens the text, waits for its diagnostics, then sends every feature request at a few offsets. */
  async function exercise(text: string, offsets: number[]): Promise<void> {
    const uri = nextUri();
    await client.open(uri, text);
    await client.waitForCurrentVersion(uri);
    for (const offset of offsets) {
      const position = positionAt(text, Math.min(offset, text.length));
      await client.completion(uri, position);
      await client.hover(uri, position);
      await client.codeActions(uri, { start: position, end: position }, client.lastPublish(uri)?.diagnostics ?? []);
    }
    await client.documentSymbols(uri);
    await client.request('ibkr/requestSummary', { uri });
    await client.close(uri);
  }

  it('random bytes', async () => {
    for (let round = 0; round < 5; round += 1) {
      const text = randomBytes(16 * 1024).toString('latin1');
      await exercise(text, [0, 1, 100, 8000, text.length]);
    }
    assert.ok(client.isRunning);
  });

  it('generated XML-like text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }), fc.nat(), async (parts, seed) => {
        const text = parts.join('');
        await exercise(text, [seed % (text.length + 1), text.length]);
      }),
      { numRuns: 40 },
    );
    assert.ok(client.isRunning);
  });

  it('huge line and deep nesting', async () => {
    const hugeLine = `<AcctMgmtRequests xmlns="${NAMESPACE}"><SecurityQuestions reference_user_name="${'u'.repeat(1_000_000)}"><Details question="9161083" answer="${'a'.repeat(500_000)}"/></SecurityQuestions></AcctMgmtRequests>`;
    await exercise(hugeLine, [10, 1_000_000, hugeLine.length - 5]);
    const deep = `<AcctMgmtRequests xmlns="${NAMESPACE}">${'<SecurityQuestions>'.repeat(50_000)}`;
    await exercise(deep, [deep.length]);
    assert.ok(client.isRunning);
  });

  it('oversized document is skipped', async () => {
    const uri = nextUri();
    const text = `<AcctMgmtRequests>${' '.repeat(6 * 1024 * 1024)}</AcctMgmtRequests>`;
    const settings = client.settings;
    client.settings = { ...settings, validate: { maxFileSize: 5 } };
    try {
      await client.open(uri, text);
      const publish = await client.waitForCurrentVersion(uri);
      assert.deepEqual(
        publish.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.severity]),
        [['check-skipped', 3]],
      );
      assert.match(publish.diagnostics[0]!.message, /ibkr\.validate\.maxFileSize \(5 MB\)/);
      assert.ok(client.logs.some((log) => log.message.includes(uri) && log.message.includes('not checked')));
    } finally {
      client.settings = settings;
    }
  });

  it('edits at invalid positions', async () => {
    const uri = nextUri();
    await client.open(uri, '<AcctMgmtRequests/>');
    await client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 99, character: 99 }, end: { line: 120, character: 0 } }, text: '<x/>' }],
    });
    await client.waitForDiagnostics(uri, (publish) => publish.version === 2);
    assert.deepEqual(await client.hover(uri, { line: 5000, character: 5000 }), null);
    assert.ok(client.isRunning);
  });

  it('no errors logged or printed', () => {
    const errors = client.logs.filter((log) => log.type === 1).map((log) => log.message);
    assert.deepEqual(errors, []);
    assert.equal(client.stderrText(), '');
  });
});
