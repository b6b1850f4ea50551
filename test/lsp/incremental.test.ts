/**
 * Incremental checking over LSP: after single keystrokes and after bursts of edits sent without
 * waiting, the server's latest diagnostics equal a full check of the client's text.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TextDocument } from 'vscode-languageserver-textdocument';

import { checkDocument } from '../../server/src/check/check';
import { toLspDiagnostic } from '../../server/src/check/diagnostics';
import { temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient } from './helpers/lspClient';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');

/** A small linear congruential generator, so that a failing sequence can be replayed. */
function createRandom(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * limit);
  };
}

const TYPED = ['a', '"', '<', '>', '/', ' ', '\n', '</SecurityQuestions>', '<Details question="9161083" answer="x"/>'];

/** Returns the diagnostics of a full check; the test files match the default request-file glob `*.ibkr.xml`. */
function fullCheckDiagnostics(uri: string, text: string): unknown {
  const document = TextDocument.create(uri, 'xml', 0, text);
  const result = checkDocument(text, { matchedByGlob: true });
  return result.applies ? result.problems.map((problem) => toLspDiagnostic(problem, document, uri)) : [];
}

void describe('incremental checking', () => {
  const workspace = temporaryFolder('incremental');
  let client: LspTestClient;
  const batch = readFileSync(path.join(EXAMPLES, 'mistakes.ibkr.xml'), 'utf8');

  before(async () => {
    client = await LspTestClient.start({ workspaceFolders: [workspace.path] });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  void it('each keystroke gets its own publish', async () => {
    const uri = fileUri(path.join(workspace.path, 'keystrokes.ibkr.xml'));
    await client.open(uri, batch);
    await client.waitForCurrentVersion(uri);
    const random = createRandom(3);
    for (let step = 0; step < 60; step++) {
      const text = client.text(uri);
      const offset = random(text.length + 1);
      const version = random(3) === 0 && offset < text.length ? await client.edit(uri, offset, offset + 1, '') : await client.edit(uri, offset, offset, TYPED[random(TYPED.length)]!);
      const publish = await client.waitForDiagnostics(uri, (candidate) => candidate.version === version);
      assert.deepEqual(publish.diagnostics, fullCheckDiagnostics(uri, client.text(uri)), `step ${step}`);
    }
  });

  void it('burst of edits ends with a full-check result', async () => {
    const uri = fileUri(path.join(workspace.path, 'burst.ibkr.xml'));
    await client.open(uri, batch);
    await client.waitForCurrentVersion(uri);
    const random = createRandom(9);
    for (let burst = 0; burst < 5; burst++) {
      for (let edit = 0; edit < 30; edit++) {
        const text = client.text(uri);
        const offset = random(text.length + 1);
        await client.edit(uri, offset, offset, TYPED[random(TYPED.length)]!);
      }
      const publish = await client.waitForCurrentVersion(uri);
      assert.deepEqual(publish.diagnostics, fullCheckDiagnostics(uri, client.text(uri)), `burst ${burst}`);
    }
  });
});
