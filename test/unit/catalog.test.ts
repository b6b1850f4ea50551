import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { canonicalQuestionId, catalogFromEntries, findQuestion, parseQuestionList, type QuestionListError } from '../../server/src/check/catalog';
import type { QuestionCatalog, SecurityQuestion } from '../../server/src/check/model';

const FIXTURES = path.resolve(__dirname, '../fixtures/catalog');

function parseOk(text: string, origin = 'list'): QuestionCatalog {
  const result = parseQuestionList(text, origin);
  if ('error' in result) {
    assert.fail(`unexpected error: ${result.error.message}`);
  }
  return result.catalog;
}

function parseError(text: string, origin = 'list'): QuestionListError {
  const result = parseQuestionList(text, origin);
  if (!('error' in result)) {
    assert.fail(`expected an error, got ${result.catalog.questions.size} questions`);
  }
  return result.error;
}

function question(catalog: QuestionCatalog, id: string): SecurityQuestion | undefined {
  return findQuestion(catalog, id);
}

void describe('question list JSON', () => {
  void test('Web API style with string values', () => {
    const catalog = parseOk(readFileSync(path.join(FIXTURES, 'web-api-style.json'), 'utf8'), 'web-api-style.json');
    assert.equal(catalog.origin, 'web-api-style.json');
    assert.equal(catalog.questions.size, 3);
    assert.deepEqual(question(catalog, '9161083'), {
      id: '9161083',
      question: 'Sample question 9161083',
      canBeNumber: false,
      minAnswerLength: 3,
      maxRepeatableCharsCount: 2,
    });
    assert.deepEqual(question(catalog, '6688721'), {
      id: '6688721',
      question: 'Sample question 6688721, with a comma',
      canBeNumber: true,
      minAnswerLength: 1,
      maxRepeatableCharsCount: undefined,
    });
    assert.deepEqual(question(catalog, '9161123'), {
      id: '9161123',
      question: 'Sample question 9161123',
      canBeNumber: undefined,
      minAnswerLength: undefined,
      maxRepeatableCharsCount: undefined,
    });
  });

  void test('property names in any case, with a BOM', () => {
    const catalog = parseOk('\uFEFF[{"ID": "12", "Question": "Q", "CANBENUMBER": false, "minanswerlength": null}]');
    assert.deepEqual(question(catalog, '12'), { id: '12', question: 'Q', canBeNumber: false, minAnswerLength: undefined, maxRepeatableCharsCount: undefined });
  });

  void test('syntax error gives its line', () => {
    const text = '[\n  {"id": "1", "question": "One"},\n  {"id": "2" "question": "Two"}\n]';
    const error = parseError(text, 'questions.json');
    assert.equal(error.line, 3);
    assert.match(error.message, /^questions\.json, line 3: invalid JSON: unexpected character "\\"" where , or \} should follow a property value\.$/);
  });

  void test('trailing comma gives its line', () => {
    const error = parseError('[\n  {"id": "1", "question": "One"},\n\n]');
    assert.equal(error.line, 4);
  });

  void test('unterminated string and end of text', () => {
    assert.equal(parseError('[\n{"id": "1", "question": "One\n"}]').line, 2);
    const truncated = parseError('[\n  {"id": "1", "question": "One"}\n');
    assert.equal(truncated.line, 3);
    assert.match(truncated.message, /unexpected end of text/);
  });

  void test('text after the value', () => {
    assert.equal(parseError('[{"id": "1", "question": "One"}]\n]').line, 2);
  });

  void test('object instead of an array', () => {
    const error = parseError('{"questions": [{"id": "1", "question": "One"}]}', 'list.json');
    assert.equal(error.line, 1);
    assert.match(error.message, /^list\.json, line 1: expected a JSON array of questions, found an object/);
  });

  void test('entry errors give the entry line', () => {
    const cases: [string, number, RegExp][] = [
      ['[\n  {"id": "1", "question": "One"},\n  {"question": "Two"}\n]', 3, /the entry has no id/],
      ['[\n  {"id": "1", "question": "One"},\n  {"id": "2"}\n]', 3, /question 2 has no question text/],
      ['[\n  {"id": "1", "question": ""}\n]', 2, /question 1 has no question text/],
      ['[\n  {"id": "A1", "question": "One"}\n]', 2, /id "A1" is not a decimal integer/],
      ['[\n  {"id": 1.5, "question": "One"}\n]', 2, /id "1\.5" is not a decimal integer/],
      ['[\n  {"id": "1", "question": "One", "minAnswerLength": "3.5"}\n]', 2, /minAnswerLength of question 1 is "3\.5", not a non-negative integer/],
      ['[\n  {"id": "1", "question": "One", "minAnswerLength": -1}\n]', 2, /minAnswerLength of question 1 is -1/],
      ['[\n  {"id": "1", "question": "One", "maxRepeatableCharsCount": "two"}\n]', 2, /maxRepeatableCharsCount of question 1 is "two"/],
      ['[\n  {"id": "1", "question": "One", "canBeNumber": "maybe"}\n]', 2, /canBeNumber of question 1 is "maybe", not a boolean/],
      ['[\n  {"id": "1", "question": "One"},\n  "two"\n]', 3, /entry 2 is "two", not an object/],
      ['[\n  {"id": "7", "question": "One"},\n  {"id": "007", "question": "Two"}\n]', 3, /id 007 appears twice \(first on line 2\)/],
    ];
    for (const [text, line, message] of cases) {
      const error = parseError(text, 'q.json');
      assert.equal(error.line, line, text);
      assert.match(error.message, message, text);
      assert.ok(error.message.startsWith(`q.json, line ${line}: `), error.message);
    }
  });

  void test('empty input and empty array', () => {
    assert.match(parseError('').message, /the question list is empty/);
    assert.match(parseError(' \n\t').message, /the question list is empty/);
    assert.match(parseError('[]').message, /contains no questions/);
  });

  void test('deep nesting is rejected, not a crash', () => {
    const error = parseError(`[${'['.repeat(5000)}${']'.repeat(5000)}]`);
    assert.match(error.message, /nested deeper than/);
  });
});

void describe('question list CSV', () => {
  void test('columns in any order and case', () => {
    const catalog = parseOk(readFileSync(path.join(FIXTURES, 'columns-any-order.csv'), 'utf8'), 'columns-any-order.csv');
    assert.equal(catalog.questions.size, 3);
    assert.deepEqual(question(catalog, '9161083'), {
      id: '9161083',
      question: 'Sample question 9161083, quoted',
      canBeNumber: false,
      minAnswerLength: 3,
      maxRepeatableCharsCount: 2,
    });
    assert.deepEqual(question(catalog, '6688721'), {
      id: '6688721',
      question: 'She said "hello"',
      canBeNumber: true,
      minAnswerLength: undefined,
      maxRepeatableCharsCount: undefined,
    });
    assert.equal(question(catalog, '9161123')?.question, 'A question\r\nover two lines');
    assert.equal(question(catalog, '9161123')?.canBeNumber, false);
  });

  void test('only id and question, LF and blank lines', () => {
    const catalog = parseOk('id,question\n\n1,One\n2,Two\n\n');
    assert.deepEqual([...catalog.questions.keys()], ['1', '2']);
  });

  void test('every boolean spelling', () => {
    const rows = ['T', 't', 'TRUE', 'true', 'Y', 'y', '1', 'F', 'f', 'False', 'N', 'n', '0', ''];
    const text = ['id,question,canBeNumber', ...rows.map((flag, index) => `${index + 1},Q${index + 1},${flag}`)].join('\n');
    const catalog = parseOk(text);
    assert.deepEqual(
      rows.map((_flag, index) => question(catalog, String(index + 1))?.canBeNumber),
      [true, true, true, true, true, true, true, false, false, false, false, false, false, undefined],
    );
  });

  void test('row errors give the row line', () => {
    const cases: [string, number, RegExp][] = [
      ['id,question\n1,One\n,Two', 3, /the entry has no id/],
      ['id,question\n1,One\n2', 3, /question 2 has no question text/],
      ['id,question,minAnswerLength\n1,One,3\n2,Two,three', 3, /minAnswerLength of question 2 is "three"/],
      ['id,question,canBeNumber\n1,One,perhaps', 2, /canBeNumber of question 1 is "perhaps"/],
      ['id,question\n1,One\n2,Two\n1,Three', 4, /id 1 appears twice \(first on line 2\)/],
      // The quoted line break moves every later row one line down.
      ['id,question\n1,"One\nand more"\n1,Two', 4, /id 1 appears twice \(first on line 2\)/],
    ];
    for (const [text, line, message] of cases) {
      const error = parseError(text, 'q.csv');
      assert.equal(error.line, line, text);
      assert.match(error.message, message, text);
    }
  });

  void test('missing column names what was found', () => {
    const error = parseError('identifier,question\n1,One', 'q.csv');
    assert.equal(error.line, 1);
    assert.equal(error.message, 'q.csv, line 1: the header row has no id column (found: identifier, question). Name the columns id and question in the first row.');
  });

  void test('semicolon separator gets a hint', () => {
    assert.match(parseError('id;question\n1;One').message, /Columns must be separated by commas\./);
  });

  void test('quoting errors', () => {
    const unclosed = parseError('id,question\n1,One\n2,"Two\n3,Three', 'q.csv');
    assert.equal(unclosed.line, 3);
    assert.match(unclosed.message, /a quoted field that is never closed/);

    const stray = parseError('id,question\n1,On"e');
    assert.equal(stray.line, 2);
    assert.match(stray.message, /a double quote inside an unquoted field/);

    const after = parseError('id,question\n1,"One"x');
    assert.equal(after.line, 2);
    assert.match(after.message, /text after the closing double quote/);
  });

  void test('header only, or a column twice', () => {
    assert.match(parseError('id,question\n').message, /a header row but no questions/);
    assert.match(parseError('id,question,ID\n1,One,1').message, /names the column ID twice/);
  });
});

void describe('catalog helpers', () => {
  void test('canonical ids drop leading zeros', () => {
    assert.equal(canonicalQuestionId('007'), '7');
    assert.equal(canonicalQuestionId('000'), '0');
    assert.equal(canonicalQuestionId('9161083'), '9161083');
    assert.equal(canonicalQuestionId('Q1'), 'Q1');
  });

  void test('catalogFromEntries keeps the first of equal ids', () => {
    const catalog = catalogFromEntries('getEnumerations (local)', [
      { id: ' 7 ', question: 'First', canBeNumber: false },
      { id: '007', question: 'Second' },
      { id: '8', question: 'Eight', minAnswerLength: 2, maxRepeatableCharsCount: 3 },
    ]);
    assert.equal(catalog.origin, 'getEnumerations (local)');
    assert.equal(catalog.questions.size, 2);
    assert.deepEqual(findQuestion(catalog, '0007'), { id: '7', question: 'First', canBeNumber: false, minAnswerLength: undefined, maxRepeatableCharsCount: undefined });
    assert.equal(findQuestion(catalog, '8')?.maxRepeatableCharsCount, 3);
    assert.equal(findQuestion(catalog, '9'), undefined);
  });
});
