/**
 * Completion scans only the request around the cursor, starting at a request boundary that the
 * parsed model gives. It must return exactly the items that a scan of the whole text gives. The reference is
 * `complete()` on the same document with the root taken out of the model: without a root there
 * is no request boundary, so `complete()` scans from the start of the text.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { TextDocument } from 'vscode-languageserver-textdocument';

import { catalogFromEntries } from '../../server/src/check/catalog';
import { checkDocument } from '../../server/src/check/check';
import type { Analysis } from '../../server/src/documents';
import { complete } from '../../server/src/features/completion';
import { DEFAULT_SERVER_SETTINGS } from '../../server/src/protocol';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';
const CATALOG = catalogFromEntries('test', [
  { id: '9161083', question: 'First pet' },
  { id: '6688721', question: 'First school' },
  { id: '9161123', question: 'Favourite city' },
  { id: '9161124', question: 'Favourite book' },
]);

function request(user: string, ids: readonly string[]): string {
  const details = ids.map((id, index) => `    <Details question="${id}" answer="answer ${user} ${index}" />\n`).join('');
  return `  <SecurityQuestions reference_user_name="${user}" input_language="en">\n${details}  </SecurityQuestions>\n`;
}

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="${NAMESPACE}">\n`;
const BATCH = [
  HEAD,
  request('alice', ['9161083', '6688721', '9161123']),
  '  <!-- second batch <SecurityQuestions> -->\n',
  request('bob', ['9161124', '9161083']),
  '  <SecurityQuestions reference_user_name="carol">\n    <Details question="" answer="" />\n    <Deta\n  </SecurityQuestions>\n',
  '  <![CDATA[ <Details question="9161083"/> ]]>\n',
  request('dave', ['6688721']),
  '  <SecurityQuestions reference_user_name="erin">\n    \n  </SecurityQuestions>\n',
  '</AcctMgmtRequests>\n',
].join('');

/** Documents that are well formed, half typed or broken in the ways an editor shows them. */
const DOCUMENTS: readonly string[] = [
  BATCH,
  BATCH.replace('</AcctMgmtRequests>\n', ''),
  BATCH + '<Extra/>\n',
  BATCH.replace('answer="answer bob 1" />', 'answer="answer bob 1" >'),
  BATCH.replace('question="6688721" answer="answer dave 0"', 'question="6688721 answer="answer dave 0"'),
  BATCH.replace('  </SecurityQuestions>\n  <!--', '  <!--'),
  BATCH.replace('<SecurityQuestions reference_user_name="erin">', '<SecurityQuestions reference_user_name="erin"'),
  BATCH.replace(`<AcctMgmtRequests xmlns="${NAMESPACE}">`, `<ibkr:AcctMgmtRequests xmlns:ibkr="${NAMESPACE}">`).replace('</AcctMgmtRequests>', '</ibkr:AcctMgmtRequests>'),
  `<SecurityQuestions xmlns="${NAMESPACE}" reference_user_name="u">\n  <Details question="9161083" answer="a" />\n  <Details question="" answer="b" />\n</SecurityQuestions>\n`,
];

/** A small linear congruential generator, so that a failing case can be replayed from its seed. */
function createRandom(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * limit);
  };
}

/** Seeded variants of the batch with a character range deleted or markup characters pasted. */
function brokenVariants(count: number): string[] {
  const random = createRandom(20261204);
  const pastes = ['<', '>', '"', "'", '</SecurityQuestions>', '<Details question="', '<!--', '/>', '\n  <SecurityQuestions reference_user_name="x">\n'];
  const variants: string[] = [];
  for (let index = 0; index < count; index++) {
    const at = random(BATCH.length);
    const deleted = random(3) === 0 ? 0 : random(12);
    const pasted = random(2) === 0 ? '' : pastes[random(pastes.length)]!;
    variants.push(BATCH.slice(0, at) + pasted + BATCH.slice(at + deleted));
  }
  return variants;
}

function analysisOf(text: string): Analysis {
  const document = TextDocument.create('file:///batch.ibkr.xml', 'xml', 1, text);
  const result = checkDocument(text, { catalog: CATALOG });
  return { document, settings: DEFAULT_SERVER_SETTINGS, catalog: CATALOG, result, requests: [] };
}

function assertSameCompletions(text: string, step: number): number {
  const analysis = analysisOf(text);
  const reference: Analysis = { ...analysis, result: { ...analysis.result, parsed: { ...analysis.result.parsed, root: undefined } } };
  let compared = 0;
  for (let offset = 0; offset <= text.length; offset += step) {
    const position = analysis.document.positionAt(offset);
    for (const triggerCharacter of [undefined, '"']) {
      const options = { snippets: true, triggerCharacter };
      const actual = complete(analysis, position, options);
      const expected = complete(reference, position, options);
      assert.deepEqual(actual, expected, `completion at offset ${offset} of:\n${text.slice(0, offset)}|${text.slice(offset)}`);
      compared++;
    }
  }
  return compared;
}

describe('completion scan from the cursor request (same items as a full scan)', () => {
  test('every offset of hand-written batches', () => {
    let withItems = 0;
    for (const text of DOCUMENTS) {
      assertSameCompletions(text, 1);
      const analysis = analysisOf(text);
      const offset = text.lastIndexOf('question=""') + 'question="'.length;
      if (complete(analysis, analysis.document.positionAt(offset), { snippets: true, triggerCharacter: undefined }).items.length > 0) withItems++;
    }
    // Guards against a comparison of two empty lists: the documents do offer question ids.
    assert.ok(withItems >= DOCUMENTS.length - 2, `question ids offered in ${withItems} of ${DOCUMENTS.length} documents`);
  });

  test('offsets of seeded broken batches', () => {
    for (const text of brokenVariants(60)) assertSameCompletions(text, 3);
  });

  test('used ids of the cursor request', () => {
    const text = BATCH;
    const analysis = analysisOf(text);
    const offset = text.indexOf('question=""') + 'question="'.length;
    const items = complete(analysis, analysis.document.positionAt(offset), { snippets: true, triggerCharacter: '"' }).items;
    assert.deepEqual(items.map((item) => item.label), ['9161083', '6688721', '9161123', '9161124']);
    assert.ok(items.every((item) => item.labelDetails?.detail === undefined), 'carol uses no id yet');

    const bobOffset = text.indexOf('question="9161083" answer="answer bob 1"') + 'question="'.length;
    const bobItems = complete(analysis, analysis.document.positionAt(bobOffset), { snippets: true, triggerCharacter: '"' }).items;
    const used = bobItems.filter((item) => item.labelDetails?.detail === ' (used)').map((item) => item.label);
    assert.deepEqual(used, ['9161124']);
  });
});
