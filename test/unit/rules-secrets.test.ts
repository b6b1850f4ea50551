import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { catalogFromEntries } from '../../server/src/check/catalog';
import { checkDocument } from '../../server/src/check/check';
import { UTF8_DECLARATION, wrap } from './helpers/documents';

/**
 * Characters that XML 1.0 does not allow (C0 controls, lone surrogates, U+FFFE, U+FFFF), and
 * tab, CR and LF, which attribute-value normalization turns into spaces.
 */
function hasExcludedCharacter(text: string): boolean {
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    if (codePoint < 0x20 || (codePoint >= 0xd800 && codePoint <= 0xdfff) || codePoint === 0xfffe || codePoint === 0xffff) {
      return true;
    }
  }
  return false;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const catalog = catalogFromEntries('secret test list', [
  { id: '1', question: 'Long answer', minAnswerLength: 1000 },
  { id: '2', question: 'No numbers', canBeNumber: false },
  { id: '3', question: 'No repeats', maxRepeatableCharsCount: 1 },
]);

void test('answers never reach messages or data', () => {
  const answerArbitrary = fc
    .string({ unit: 'grapheme', minLength: 3, maxLength: 300 })
    .filter((core) => !hasExcludedCharacter(core))
    .map((core) => `Secret${core}`);

  fc.assert(
    fc.property(answerArbitrary, (answer) => {
      const raw = escapeXml(answer);
      const text = wrap(
        [
          '  <SecurityQuestions reference_user_name="tester1234">',
          `    <Details question="1" answer="${raw}"/>`,
          `    <Details question="2" answer="${raw}"/>`,
          `    <Details question="3" answer="${escapeXml(answer.toUpperCase())}"/>`,
          `    <Details question="4">${raw}</Details>`,
          '  </SecurityQuestions>',
        ].join('\n'),
        UTF8_DECLARATION,
      );
      const problems = checkDocument(text, { catalog }).problems;
      assert.ok(problems.length >= 4, 'the document breaks several rules');
      for (const problem of problems) {
        const visible = [problem.message, ...(problem.related ?? []).map((related) => related.message), JSON.stringify(problem.data ?? {})];
        for (const part of visible) {
          assert.ok(!part.includes(answer), `${problem.code} shows the answer`);
          assert.ok(!part.includes(raw), `${problem.code} shows the escaped answer`);
          assert.ok(!part.includes(answer.trim()), `${problem.code} shows the trimmed answer`);
        }
      }
    }),
    { numRuns: 150 },
  );
});
