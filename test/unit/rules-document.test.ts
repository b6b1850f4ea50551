import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkDocument } from '../../server/src/check/check';
import { NS, securityQuestions, UTF8_DECLARATION, VALID_DETAILS, wrap } from './helpers/documents';
import { expectProblems, parseMarkers, problemsOf } from './helpers/markers';

void describe('duplicate-user', () => {
  void test('second request for the same user', () => {
    const input = wrap(
      [
        securityQuestions(VALID_DETAILS, 'reference_user_name="tester1234"'),
        securityQuestions(VALID_DETAILS, 'reference_user_name="someone_else"'),
        securityQuestions(VALID_DETAILS, 'reference_user_name="⟦ Tester1234 ⟧"'),
      ].join('\n'),
    );
    const [duplicate] = expectProblems(input, ['duplicate-user']);
    const first = parseMarkers(input).text.indexOf('tester1234');
    assert.deepEqual(duplicate?.related, [{ span: { start: first, end: first + 10 }, message: 'First SecurityQuestions request for user tester1234' }]);
    assert.match(duplicate?.message ?? '', /User Tester1234 already has a SecurityQuestions request earlier in this file/);
    assert.deepEqual(duplicate?.data, { userName: 'Tester1234' });
  });

  void test('blank user names are not compared', () => {
    const input = wrap([securityQuestions(VALID_DETAILS, 'reference_user_name="⟦⟧"'), securityQuestions(VALID_DETAILS, 'reference_user_name="⟦ ⟧"')].join('\n'));
    expectProblems(input, ['empty-value', 'empty-value']);
  });

  void test('other request types are not compared', () => {
    const text = wrap(`${securityQuestions(VALID_DETAILS)}\n  <Other reference_user_name="tester1234"/>`);
    assert.deepEqual(
      checkDocument(text).problems.map((problem) => problem.code),
      ['request-type-unchecked'],
    );
  });
});

void describe('encoding-declaration', () => {
  const nonAsciiDetails = VALID_DETAILS.replace('demo2', 'Zürich');

  void test('non-ASCII text without a declaration', () => {
    const input = wrap(securityQuestions(VALID_DETAILS.replace('demo2', 'Z⟦ü⟧rich')));
    const problems = expectProblems(input, ['encoding-declaration']);
    assert.equal(problems[0]?.severity, 'warning');
    assert.match(problems[0]?.message ?? '', /has no XML declaration, so IBKR reads it as ASCII/);
    assert.equal(problems[0]?.data?.declaration, 'missing');
  });

  void test('astral first character covers two code units', () => {
    const input = `<!-- ⟦\u{1F600}⟧ -->\n${wrap(securityQuestions(VALID_DETAILS))}`;
    expectProblems(input, ['encoding-declaration']);
  });

  void test('declaration without encoding', () => {
    const input = wrap(securityQuestions(VALID_DETAILS.replace('demo2', 'Z⟦ü⟧rich')), '<?xml version="1.0"?>\n');
    const problems = expectProblems(input, ['encoding-declaration']);
    assert.match(problems[0]?.message ?? '', /names no encoding/);
    assert.equal(problems[0]?.data?.declaration, 'no-encoding');
  });

  void test('declaration with another encoding', () => {
    const input = wrap(securityQuestions(nonAsciiDetails), '<?xml version="1.0" encoding="⟦ISO-8859-1⟧"?>\n');
    const problems = expectProblems(input, ['encoding-declaration']);
    assert.match(problems[0]?.message ?? '', /names the encoding ISO-8859-1/);
  });

  void test('UTF-8 in any case passes', () => {
    assert.deepEqual(checkDocument(wrap(securityQuestions(nonAsciiDetails), UTF8_DECLARATION)).problems, []);
    assert.deepEqual(checkDocument(wrap(securityQuestions(nonAsciiDetails), '<?xml version="1.0" encoding="utf-8"?>\n')).problems, []);
  });

  void test('ASCII file needs no declaration', () => {
    assert.deepEqual(checkDocument(wrap(securityQuestions(VALID_DETAILS), '<?xml version="1.0" encoding="ISO-8859-1"?>\n')).problems, []);
  });

  void test('byte-order mark alone is not non-ASCII text', () => {
    assert.deepEqual(checkDocument(`\uFEFF${wrap(securityQuestions(VALID_DETAILS))}`).problems, []);
  });
});

void describe('syntax problems', () => {
  void test('parser problems come after rule problems', () => {
    const text = `<!DOCTYPE AcctMgmtRequests>\n<AcctMgmtRequests xmlns="${NS}">\n${securityQuestions(VALID_DETAILS.replace('demo2', 'a&nbsp;b'), '')}\n</AcctMgmtRequests>\n`;
    const codes = checkDocument(text).problems.map((problem) => problem.code);
    assert.ok(codes.includes('doctype-not-allowed'), codes.join(', '));
    assert.ok(codes.includes('entity-undefined'), codes.join(', '));
    assert.ok(codes.includes('required-attribute'), codes.join(', '));
    assert.ok(codes.indexOf('required-attribute') < codes.indexOf('doctype-not-allowed'));
  });

  void test('syntax problems take the default severity', () => {
    const text = `<AcctMgmtRequests xmlns="${NS}">\n${securityQuestions(VALID_DETAILS)}\n`;
    const syntax = problemsOf(checkDocument(text).problems, 'xml-wellformed');
    assert.ok(syntax.length > 0);
    for (const problem of syntax) {
      assert.equal(problem.severity, 'error');
    }
  });
});
