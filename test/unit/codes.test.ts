/**
 * Keeps the list of codes, the fixtures and the README in step. Every `.xml` file under
 * test/fixtures whose first line contains an expect comment is checked, for example
 *   <!-- expect: details-count, question-duplicate -->
 *   <!-- expect: question-unknown; questions: ibkr-sample-questions.json -->
 *   <!-- expect: root-element; matched-by-glob -->
 * The codes are the exact set of codes the file must produce. `questions:` names a question
 * list relative to the fixture. `matched-by-glob` checks the file as if it matched
 * `ibkr.requestFiles`.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseQuestionList } from '../../server/src/check/catalog';
import { checkDocument, type CheckOptions } from '../../server/src/check/check';
import { ALL_CODES, CODE_INFO, DiagnosticCodes, type DiagnosticCode } from '../../server/src/check/codes';

const REPOSITORY = path.resolve(__dirname, '../..');
const FIXTURES = path.join(REPOSITORY, 'test/fixtures');

/**
 * No check produces these codes. submit-error comes only from IBKR's (or the emulator's) reply
 * to a submitted file, and answers-in-git only from the extension asking git about the file.
 * check-skipped comes from the server when a file is over its size limit, and problems-limit
 * when a file has more problems than the server lists.
 */
const CODES_NOT_FROM_CHECKS: readonly DiagnosticCode[] = ['submit-error', 'answers-in-git', 'check-skipped', 'problems-limit'];

interface Expectation {
  codes: string[];
  options: CheckOptions;
}

function listXmlFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      files.push(...listXmlFiles(full));
    } else if (entry.name.endsWith('.xml')) {
      files.push(full);
    }
  }
  return files.sort();
}

/** Reads the expect comment of the first line, or returns undefined when there is none. */
function readExpectation(file: string, text: string): Expectation | undefined {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const match = /<!--\s*expect:(.*?)-->/.exec(firstLine);
  if (match === null) {
    return undefined;
  }
  const [codeList = '', ...settings] = (match[1] ?? '').split(';');
  const codes = codeList
    .split(',')
    .map((code) => code.trim())
    .filter((code) => code !== '');
  const options: CheckOptions = {};
  for (const setting of settings.map((part) => part.trim())) {
    if (setting === 'matched-by-glob') {
      options.matchedByGlob = true;
    } else if (setting.startsWith('questions:')) {
      const listFile = path.resolve(path.dirname(file), setting.slice('questions:'.length).trim());
      const parsed = parseQuestionList(readFileSync(listFile, 'utf8'), path.basename(listFile));
      if ('error' in parsed) {
        throw new Error(`${path.relative(REPOSITORY, file)}: ${parsed.error.message}`);
      }
      options.catalog = parsed.catalog;
    } else if (setting !== '') {
      throw new Error(`${path.relative(REPOSITORY, file)}: unknown setting "${setting}" in the expect comment.`);
    }
  }
  return { codes, options };
}

const fixtures = listXmlFiles(FIXTURES)
  .map((file) => {
    const text = readFileSync(file, 'utf8');
    return { file, text, expectation: readExpectation(file, text) };
  })
  .filter((fixture) => fixture.expectation !== undefined);

void describe('diagnostic codes', () => {
  void test('code table is consistent', () => {
    assert.deepEqual([...Object.values(DiagnosticCodes)].sort(), [...ALL_CODES].sort());
    for (const code of ALL_CODES) {
      assert.match(code, /^[a-z]+(-[a-z]+)*$/, code);
      assert.ok(CODE_INFO[code].summary.endsWith('.'), code);
    }
  });

  for (const { file, text, expectation } of fixtures) {
    void test(`fixture ${path.relative(FIXTURES, file)}`, () => {
      const expected = expectation as Expectation;
      for (const code of expected.codes) {
        assert.ok((ALL_CODES as readonly string[]).includes(code), `unknown code ${code} in the expect comment`);
      }
      const result = checkDocument(text, expected.options);
      const produced = [...new Set(result.problems.map((problem) => problem.code))].sort();
      assert.deepEqual(produced, [...expected.codes].sort(), result.problems.map((problem) => `${problem.code}: ${problem.message}`).join('\n'));
    });
  }

  void test('every code has a fixture', () => {
    const covered = new Set<string>();
    for (const { expectation } of fixtures) {
      for (const code of expectation?.codes ?? []) {
        covered.add(code);
      }
    }
    const missing = ALL_CODES.filter((code) => !covered.has(code) && !CODES_NOT_FROM_CHECKS.includes(code));
    assert.deepEqual(missing, []);
  });

  void test('README lists every code', (t) => {
    const readme = path.join(REPOSITORY, 'README.md');
    if (!existsSync(readme)) {
      t.skip('README.md does not exist yet');
      return;
    }
    const text = readFileSync(readme, 'utf8');
    const missing = ALL_CODES.filter((code) => !text.includes(`\`${code}\``));
    assert.deepEqual(missing, [], 'README.md names each code in backticks');
  });
});
