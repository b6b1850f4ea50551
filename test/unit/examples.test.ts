import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { EMULATOR_QUESTIONS } from '../../eca/src/emulator/questions';
import { parseQuestionList } from '../../server/src/check/catalog';
import { checkDocument } from '../../server/src/check/check';
import type { QuestionCatalog } from '../../server/src/check/model';
import { findRequests } from '../../server/src/check/requests';

const EXAMPLES = path.resolve(__dirname, '../../examples');

function readExample(name: string): string {
  return readFileSync(path.join(EXAMPLES, name), 'utf8');
}

function loadExampleList(name: string): QuestionCatalog {
  const result = parseQuestionList(readExample(name), name);
  if ('error' in result) {
    assert.fail(result.error.message);
  }
  return result.catalog;
}

/** The mistake codes of each request in mistakes.ibkr.xml, in file order. */
const MISTAKES_BY_REQUEST: readonly (readonly string[])[] = [
  ['question-duplicate'],
  ['answer-too-long'],
  ['required-attribute'],
  ['question-format'],
  ['required-attribute', 'unexpected-content'],
  ['details-count'],
  ['input-language'],
  [],
  ['duplicate-user'],
];

void describe('examples', () => {
  for (const listName of ['security-questions.csv', 'security-questions.json']) {
    void it(`${listName} matches the emulator's list`, () => {
      const catalog = loadExampleList(listName);
      const entries = [...catalog.questions.values()];
      assert.deepEqual(
        entries,
        EMULATOR_QUESTIONS.map((question) => ({ ...question })),
      );
    });
  }

  for (const name of ['security-questions.ibkr.xml', 'batch.ibkr.xml']) {
    void it(`${name} has no problems`, () => {
      const result = checkDocument(readExample(name), { catalog: loadExampleList('security-questions.csv') });
      assert.equal(result.applies, true);
      assert.deepEqual(
        result.problems.map((problem) => `${problem.code}: ${problem.message}`),
        [],
      );
    });
  }

  void it('mistakes.ibkr.xml has one kind of mistake per request', () => {
    const text = readExample('mistakes.ibkr.xml');
    const result = checkDocument(text, { catalog: loadExampleList('security-questions.csv') });
    const requests = findRequests(result.parsed);
    assert.equal(requests.length, MISTAKES_BY_REQUEST.length);

    const codesByRequest = requests.map(() => [] as string[]);
    for (const problem of result.problems) {
      const index = requests.findIndex(({ element }) => element.span.start <= problem.span.start && problem.span.start < element.span.end);
      assert.ok(index >= 0, `${problem.code} outside every request: ${problem.message}`);
      codesByRequest[index]?.push(problem.code);
    }
    assert.deepEqual(
      codesByRequest.map((codes) => codes.sort()),
      MISTAKES_BY_REQUEST,
    );
  });

  void it("mistakes.ibkr.xml's comment names every code", () => {
    const comment = /<!--([\s\S]*?)-->/.exec(readExample('mistakes.ibkr.xml'))?.[1] ?? '';
    for (const code of MISTAKES_BY_REQUEST.flat()) {
      assert.match(comment, new RegExp(`\\b${code}\\b`), `code ${code}`);
    }
  });

  void it('settings load the CSV and the local environment', () => {
    const settings = JSON.parse(readExample('.vscode/settings.json')) as Record<string, unknown>;
    const catalogFile = settings['ibkr.securityQuestions.catalogFile'];
    assert.equal(typeof catalogFile, 'string');
    assert.ok(existsSync(path.join(EXAMPLES, catalogFile as string)), `${String(catalogFile)} exists in examples/`);
    assert.equal(settings['ibkr.environment'], 'local');
  });
});
