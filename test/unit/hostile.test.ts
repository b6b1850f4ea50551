/**
 * Hostile request files checked through the library: inputs that produce very many problems,
 * entity bombs and external references. The same inputs over LSP are in test/lsp/hostile.test.ts.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { checkDocument } from '../../server/src/check/check';
import { IncrementalChecker } from '../../server/src/check/incremental';
import { IBKR_NAMESPACE } from '../../server/src/check/model';
import { defaultTimeLimitMs, exerciseInput, loadFuzzCatalog } from '../fuzz/exercise';

const catalog = loadFuzzCatalog();

function wrapRequests(requests: string): string {
  return `<AcctMgmtRequests xmlns="${IBKR_NAMESPACE}">${requests}</AcctMgmtRequests>`;
}

/** Checks `text` with every feature at `offsets` and returns the number of diagnostics. */
function exercise(text: string, offsets: number[] = []): number {
  return exerciseInput(text, { catalog, matchedByGlob: true, offsets, timeLimitMs: defaultTimeLimitMs(text.length) }).diagnostics;
}

void describe('hostile input', () => {
  // Spreading more than about 120 000 problems into `push` used to throw RangeError
  // ("Maximum call stack size exceeded"), and the server then published nothing.
  void test('200 000 Details in one request', () => {
    const text = wrapRequests(`<SecurityQuestions reference_user_name="u">${'<Details question="1" answer="a"/>'.repeat(200_000)}</SecurityQuestions>`);
    const result = checkDocument(text, { matchedByGlob: true });
    assert.ok(result.problems.length > 200_000, `only ${result.problems.length} problems`);
  });

  void test('200 000 unknown attributes on one Details', () => {
    const attributes = Array.from({ length: 200_000 }, (_, index) => `a${index}="v"`).join(' ');
    const text = wrapRequests(`<SecurityQuestions reference_user_name="u"><Details question="1" answer="a" ${attributes}/></SecurityQuestions>`);
    const result = checkDocument(text, { matchedByGlob: true });
    assert.equal(result.problems.filter((problem) => problem.code === 'unknown-attribute').length, 200_000);
  });

  void test('200 000 requests for one user', () => {
    const request = '<SecurityQuestions reference_user_name="u"><Details question="1" answer="a"/></SecurityQuestions>';
    const result = checkDocument(wrapRequests(request.repeat(200_000)), { matchedByGlob: true });
    assert.equal(result.problems.filter((problem) => problem.code === 'duplicate-user').length, 199_999);
  });

  void test('incremental check of 200 000 requests', () => {
    const request = '<SecurityQuestions reference_user_name="u"><Details question="1" answer="a"/></SecurityQuestions>';
    const text = wrapRequests(request.repeat(200_000));
    const result = new IncrementalChecker().check(text, { matchedByGlob: true });
    assert.equal(result.problems.filter((problem) => problem.code === 'duplicate-user').length, 199_999);
  });

  void test('billion laughs is not expanded', () => {
    const entities = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`)];
    const text = `<!DOCTYPE AcctMgmtRequests [${entities.join('')}]>${wrapRequests('<SecurityQuestions reference_user_name="&lol9;"><Details question="&lol9;" answer="&lol9;"/></SecurityQuestions>')}`;
    const result = checkDocument(text, { matchedByGlob: true });
    const codes = new Set(result.problems.map((problem) => problem.code));
    assert.ok(codes.has('doctype-not-allowed'));
    assert.ok(codes.has('entity-undefined'));
    assert.ok(!JSON.stringify(result.problems).includes('lollollol'));
    exercise(text, [text.indexOf('&lol9;')]);
  });

  void test('external entities are not read', () => {
    const text =
      '<!DOCTYPE AcctMgmtRequests SYSTEM "file:///etc/passwd" [<!ENTITY ext SYSTEM "file:///etc/passwd"><!ENTITY % pe SYSTEM "file:///etc/passwd"> %pe;]>' +
      wrapRequests('<SecurityQuestions reference_user_name="&ext;"><Details question="1" answer="&ext;"/></SecurityQuestions>&ext;');
    const result = checkDocument(text, { matchedByGlob: true });
    assert.ok(!JSON.stringify(result).includes('root:'), 'the content of /etc/passwd appears in the result');
    exercise(text, [text.indexOf('&ext;')]);
  });

  void test('features on 20 000 problems', () => {
    const text = wrapRequests(`<SecurityQuestions reference_user_name="u">${'<Details question="1" answer="a" x="y"/>'.repeat(5_000)}</SecurityQuestions>`);
    assert.ok(exercise(text, [100, text.length >> 1]) > 15_000);
  });
});
