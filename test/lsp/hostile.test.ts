/**
 * Hostile XML sent to the real server over LSP: entity bombs, external DTDs and entities that
 * point at a loopback HTTP server and a canary file, and documents of extreme size. Nothing
 * may be fetched or read, diagnostics must arrive in bounded time, and the server must answer
 * a hover afterwards. Each case logs its time to the test output.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it, type TestContext } from 'node:test';

import { temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient } from './helpers/lspClient';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

/** Generous on a loaded 2-core machine; a healthy run takes a small fraction of it. */
const HUGE_DOCUMENT_TIMEOUT_MS = 60_000;

function wrapRequests(requests: string): string {
  return `<AcctMgmtRequests xmlns="${NAMESPACE}">${requests}</AcctMgmtRequests>`;
}

void describe('hostile XML over LSP', () => {
  const workspace = temporaryFolder('hostile');
  const canaryContent = `canary-${randomBytes(12).toString('hex')}`;
  const canaryPath = path.join(workspace.path, 'canary.txt');
  const canaryUrl = pathToFileURL(canaryPath).href;
  let httpRequests = 0;
  let httpServer: Server;
  let baseUrl: string;
  let client: LspTestClient;
  let count = 0;
  const nextUri = (): string => fileUri(path.join(workspace.path, `hostile${count++}.ibkr.xml`));

  before(async () => {
    writeFileSync(canaryPath, canaryContent);
    httpServer = createServer((_request, response) => {
      httpRequests++;
      response.end(`<!ENTITY fetched "${canaryContent}">`);
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    client = await LspTestClient.start({ workspaceFolders: [workspace.path] });
  });

  after(async () => {
    await client.stop();
    await new Promise((resolve) => httpServer.close(resolve));
    workspace.remove();
  });

  /** Opens `text`, waits for its diagnostics, checks that a hover is answered, and logs the times. */
  async function openAndMeasure(t: TestContext, label: string, text: string, timeoutMs = 10_000): Promise<{ uri: string; codes: string[] }> {
    const uri = nextUri();
    const started = performance.now();
    await client.open(uri, text);
    const publish = await client.waitForCurrentVersion(uri, timeoutMs);
    const diagnosticsMs = performance.now() - started;
    const hoverStarted = performance.now();
    await client.hover(uri, { line: 0, character: 1 });
    const hoverMs = performance.now() - hoverStarted;
    t.diagnostic(`${label}: ${text.length} characters, ${publish.diagnostics.length} diagnostics after ${diagnosticsMs.toFixed(0)} ms, hover after ${hoverMs.toFixed(0)} ms`);
    return { uri, codes: publish.diagnostics.map((diagnostic) => String(diagnostic.code)) };
  }

  it('billion laughs', async (t) => {
    const entities = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`)];
    const text = `<!DOCTYPE AcctMgmtRequests [${entities.join('')}]>${wrapRequests('<SecurityQuestions reference_user_name="&lol9;"><Details question="&lol9;" answer="&lol9;"/></SecurityQuestions>&lol9;')}`;
    const { uri, codes } = await openAndMeasure(t, 'billion laughs', text);
    assert.ok(codes.includes('doctype-not-allowed'));
    assert.ok(codes.includes('entity-undefined'));
    const hover = await client.hover(uri, client.document(uri).positionAt(text.indexOf('question="&lol9;"') + 11));
    assert.ok(!JSON.stringify(hover).includes('lollollol'));
    assert.ok(!client.allOutput().includes('lollollol'), 'an entity was expanded');
  });

  it('external DTD and entities', async (t) => {
    const text =
      `<!DOCTYPE AcctMgmtRequests SYSTEM "${baseUrl}/x.dtd" [` +
      `<!ENTITY % remote SYSTEM "${baseUrl}/pe.dtd"> %remote;` +
      `<!ENTITY % local SYSTEM "${canaryUrl}"> %local;` +
      `<!ENTITY web SYSTEM "${baseUrl}/general.txt">` +
      `<!ENTITY canary SYSTEM "${canaryUrl}">` +
      `<!ENTITY bare SYSTEM "${canaryPath}">]>` +
      wrapRequests('<SecurityQuestions reference_user_name="&canary;"><Details question="&web;" answer="&bare;"/></SecurityQuestions>&canary;&web;&fetched;');
    const { uri, codes } = await openAndMeasure(t, 'external DTD and entities', text);
    assert.ok(codes.includes('doctype-not-allowed'));

    const document = client.document(uri);
    for (const needle of ['&canary;', '&web;', '&bare;']) {
      const position = document.positionAt(text.indexOf(needle) + 2);
      await client.hover(uri, position);
      await client.completion(uri, position);
    }
    await client.documentSymbols(uri);
    await client.request('ibkr/requestSummary', { uri });

    assert.equal(httpRequests, 0, 'the server fetched from the loopback HTTP server');
    assert.ok(!client.allOutput().includes(canaryContent), 'the canary file content appears in the server output');
  });

  it('document over ibkr.validate.maxFileSize', async (t) => {
    // 50 MB of text: the default limit is 64 MB, so lower it to check the skip path at this size.
    await client.changeSettings({ validate: { maxFileSize: 40 } });
    const text = wrapRequests(`<SecurityQuestions reference_user_name="u">${' '.repeat(50 * 1024 * 1024)}</SecurityQuestions>`);
    const { uri, codes } = await openAndMeasure(t, '50 MB document, limit 40 MB', text, HUGE_DOCUMENT_TIMEOUT_MS);
    assert.deepEqual(codes, ['check-skipped']);
    assert.match(client.lastPublish(uri)?.diagnostics[0]?.message ?? '', /Rule checks were skipped/);
    await client.close(uri);
    await client.changeSettings({});
  });

  it('1 MB single line', async (t) => {
    const text = wrapRequests(`<SecurityQuestions reference_user_name="${'u'.repeat(1024 * 1024)}"><Details question="9161083" answer="a"/></SecurityQuestions>`);
    assert.ok(!text.includes('\n'));
    const { codes } = await openAndMeasure(t, '1 MB single line', text);
    assert.ok(codes.includes('details-count'));
  });

  it('100 000 attributes', async (t) => {
    const attributes = Array.from({ length: 100_000 }, (_, index) => `a${index}="v"`).join(' ');
    const text = wrapRequests(`<SecurityQuestions reference_user_name="u" ${attributes}><Details question="9161083" answer="a" ${attributes}/></SecurityQuestions>`);
    const { uri, codes } = await openAndMeasure(t, '100 000 attributes on two elements', text, HUGE_DOCUMENT_TIMEOUT_MS);
    // The server lists ibkr.validate.maxProblems (1000) diagnostics, the last a note on the others.
    assert.equal(codes.length, 1000);
    // The one details-count error starts before every attribute, so it is listed with the first 998 of them.
    assert.deepEqual(
      codes.filter((code) => code !== 'unknown-attribute'),
      ['details-count', 'problems-limit'],
    );
    const note = client.lastPublish(uri)?.diagnostics.at(-1);
    assert.equal(note?.code, 'problems-limit');
    const hidden = /^(\d+) more problems are not listed \((\d+) errors\)/.exec(note.message);
    assert.ok(hidden !== null, note.message);
    assert.equal(Number(hidden[1]), Number(hidden[2]), 'every hidden problem is an error');
    assert.equal(Number(hidden[1]) + 998, 200_000, 'each of the 200 000 unknown attributes is counted');
    await client.close(uri);
  });

  it('server stays healthy', () => {
    assert.ok(client.isRunning);
    const errors = client.logs.filter((log) => log.type === 1).map((log) => log.message);
    assert.deepEqual(errors, []);
    assert.equal(client.stderrText(), '');
  });
});
