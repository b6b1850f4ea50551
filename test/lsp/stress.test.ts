/**
 * Stress over LSP: 200 open request files, 10 000 rapid incremental edits among them, and
 * completion and hover requests cancelled out of order while edits arrive. The last published
 * diagnostics of every document must equal a full check of its final text, and the server's
 * resident memory must fall back near its baseline once the documents are closed.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import fc from 'fast-check';
import type { Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { catalogFromEntries } from '../../server/src/check/catalog';
import { checkDocument } from '../../server/src/check/check';
import { toLspDiagnostic } from '../../server/src/check/diagnostics';
import type { QuestionListEntry } from '../../server/src/protocol';
import { LSP_FIXTURES, temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient } from './helpers/lspClient';

const DOCUMENTS = 200;
const EDITS = 10_000;
const REQUESTS_PER_DOCUMENT = 40;
const SEED = 7_070_707;
/** JSON-RPC error code of a request that the server cancelled. */
const REQUEST_CANCELLED = -32800;
/**
 * Resident memory that may stay above the baseline after every document closed: V8 keeps
 * part of a grown heap for reuse and returns it to the OS only gradually.
 */
const RSS_SLACK_BYTES = 96 * 1024 * 1024;
const EDIT_FRAGMENTS = ['', '<', '>', '"', 'x', ' ', '\n', '\r\n', '&amp;', '<Details question="9161124" answer="new answer"/>', '</SecurityQuestions>', '\u{1F600}', '\uD800', '<!--', '-->'];

function readRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`No VmRSS line in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
}

function requestFile(documentIndex: number): string {
  const requests: string[] = [];
  for (let index = 0; index < REQUESTS_PER_DOCUMENT; index++) {
    requests.push(
      `  <SecurityQuestions reference_user_name="user${documentIndex}x${index}" input_language="en">\n` +
        `    <Details question="9161083" answer="pet ${index}"/>\n    <Details question="6688721" answer="city ${index}"/>\n    <Details question="9161123" answer="car ${index}"/>\n` +
        '  </SecurityQuestions>',
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">\n${requests.join('\n')}\n</AcctMgmtRequests>\n`;
}

/** The diagnostics as the client compares them: sorted JSON of every field. */
function canonical(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => JSON.stringify([diagnostic.range, diagnostic.code, diagnostic.severity, diagnostic.message, diagnostic.relatedInformation ?? [], diagnostic.data ?? {}])).sort();
}

void describe('stress over LSP', () => {
  const workspace = temporaryFolder('stress');
  const entries = JSON.parse(readFileSync(path.join(LSP_FIXTURES, 'questions.json'), 'utf8')) as QuestionListEntry[];
  const catalog = catalogFromEntries('stress list', entries);
  const uris = Array.from({ length: DOCUMENTS }, (_, index) => fileUri(path.join(workspace.path, `stress${index}.ibkr.xml`)));
  let client: LspTestClient;
  let pid: number;
  let baselineRss: number;
  /** JSON-RPC id of the next request the client sends; `initialize` had id 0. */
  let nextRequestId = 1;

  before(async () => {
    client = await LspTestClient.start({ workspaceFolders: [workspace.path] });
    await client.notify('ibkr/setQuestionList', { origin: 'stress list', questions: entries });
    await client.waitFor(() => client.logs.some((log) => /process \d+/.test(log.message)), 'the server start message');
    const started = client.logs.map((log) => /process (\d+)/.exec(log.message)?.[1]).find((value) => value !== undefined);
    pid = Number(started);
    // Warm up the code paths once so that the baseline includes the compiled code.
    await client.open(uris[0]!, requestFile(0));
    await client.waitForCurrentVersion(uris[0]!);
    await client.hover(uris[0]!, { line: 3, character: 25 });
    nextRequestId++;
    await client.close(uris[0]!);
    baselineRss = readRss(pid);
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('200 documents and 10 000 edits', async (t) => {
    for (const [index, uri] of uris.entries()) await client.open(uri, requestFile(index));
    const openRss = readRss(pid);

    const edits = fc.sample(
      fc.record({ document: fc.nat({ max: DOCUMENTS - 1 }), at: fc.nat(), deleteCount: fc.nat({ max: 6 }), fragment: fc.constantFrom(...EDIT_FRAGMENTS), query: fc.nat({ max: 9 }) }),
      { seed: SEED, numRuns: EDITS },
    );
    const pending: { id: number; promise: Promise<unknown> }[] = [];
    let cancelled = 0;
    let answered = 0;
    const started = performance.now();
    for (const edit of edits) {
      const uri = uris[edit.document]!;
      const length = client.text(uri).length;
      const at = edit.at % (length + 1);
      await client.edit(uri, at, Math.min(length, at + edit.deleteCount), edit.fragment);

      // About one edit in five sends a completion or hover request at the edit.
      if (edit.query < 2) {
        const position = client.document(uri).positionAt(at);
        const promise = edit.query === 0 ? client.completion(uri, position) : client.hover(uri, position);
        pending.push({
          id: nextRequestId++,
          promise: promise.then(
            () => answered++,
            (error: { code?: number }) => {
              assert.equal(error.code, REQUEST_CANCELLED, `a request failed: ${JSON.stringify(error)}`);
              cancelled++;
            },
          ),
        });
      }
      // Every 50 edits, cancel the pending requests in reverse order, some already answered.
      if (pending.length >= 10) {
        for (const request of [...pending].reverse()) await client.notify('$/cancelRequest', { id: request.id });
        await Promise.all(pending.map((request) => request.promise));
        pending.length = 0;
      }
    }
    await Promise.all(pending.map((request) => request.promise));
    const editMs = performance.now() - started;

    let compared = 0;
    for (const uri of uris) {
      const publish = await client.waitForCurrentVersion(uri, 60_000);
      const text = client.text(uri);
      const document = TextDocument.create(uri, 'xml', 0, text);
      const expected = checkDocument(text, { catalog, matchedByGlob: true }).problems.map((problem) => toLspDiagnostic(problem, document, uri));
      assert.deepEqual(canonical(publish.diagnostics), canonical(expected), `the last diagnostics of ${uri} differ from a full check`);
      compared++;
    }
    const peakRss = readRss(pid);
    t.diagnostic(`${compared} documents, ${EDITS} edits in ${(editMs / 1000).toFixed(1)} s, ${answered} requests answered, ${cancelled} cancelled`);
    t.diagnostic(`server RSS: baseline ${megabytes(baselineRss)}, after opening ${megabytes(openRss)}, after the edits ${megabytes(peakRss)}`);
  });

  it('memory returns near baseline after close', async (t) => {
    for (const uri of uris) await client.close(uri);
    await client.waitFor(() => uris.every((uri) => client.lastPublish(uri)?.diagnostics.length === 0), 'empty diagnostics for every closed document', 30_000);

    // Small documents keep the server allocating, so the garbage collector runs and shrinks the heap.
    const probeUri = fileUri(path.join(workspace.path, 'probe.ibkr.xml'));
    let rss = readRss(pid);
    const deadline = Date.now() + 30_000;
    for (let round = 0; rss > baselineRss + RSS_SLACK_BYTES && Date.now() < deadline; round++) {
      await client.open(probeUri, requestFile(round));
      await client.waitForCurrentVersion(probeUri);
      await client.close(probeUri);
      rss = readRss(pid);
    }
    t.diagnostic(`server RSS after closing: ${megabytes(rss)} (baseline ${megabytes(baselineRss)}, allowed ${megabytes(baselineRss + RSS_SLACK_BYTES)})`);
    assert.ok(rss <= baselineRss + RSS_SLACK_BYTES, `RSS ${megabytes(rss)} stayed above baseline ${megabytes(baselineRss)} + ${megabytes(RSS_SLACK_BYTES)}`);
    assert.ok(client.isRunning);
    assert.deepEqual(client.logs.filter((log) => log.type === 1).map((log) => log.message), []);
  });
});
