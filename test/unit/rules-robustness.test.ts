import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkDocument } from '../../server/src/check/check';
import type { Problem } from '../../server/src/check/model';
import { loadSampleCatalog, readFixture } from './helpers/documents';

function assertSpansInside(problems: readonly Problem[], length: number, label: string): void {
  for (const problem of problems) {
    for (const span of [problem.span, ...(problem.related ?? []).map((related) => related.span)]) {
      const where = `${label}: ${problem.code} span ${span.start}-${span.end} in 0-${length}`;
      assert.ok(Number.isInteger(span.start), where);
      assert.ok(Number.isInteger(span.end), where);
      assert.ok(span.start >= 0, where);
      assert.ok(span.start <= span.end, where);
      assert.ok(span.end <= length, where);
    }
  }
}

const sample = readFixture('ibkr-sample.xml');
const catalog = loadSampleCatalog();

void test('every prefix of the sample checks', () => {
  // Each prefix is the file as it looks while being typed from the top.
  for (let end = 0; end <= sample.length; end++) {
    const text = sample.slice(0, end);
    const result = checkDocument(text, { catalog, matchedByGlob: true });
    assertSpansInside(result.problems, text.length, `prefix ${end}`);
  }
});

void test('random edits of the sample check', () => {
  const edit = fc.record({
    start: fc.nat({ max: sample.length }),
    deleteCount: fc.nat({ max: 12 }),
    insert: fc.constantFrom('', '<', '>', '"', "'", '&', '&amp;', '/', '=', ' ', '\n', '<Details question="1" answer="x"/>', ']]>', '<!--', '<![CDATA[', '\u{1F600}', 'é'),
  });
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      let text = sample;
      for (const { start, deleteCount, insert } of edits) {
        const at = Math.min(start, text.length);
        text = text.slice(0, at) + insert + text.slice(at + deleteCount);
      }
      const result = checkDocument(text, { catalog, matchedByGlob: true });
      assertSpansInside(result.problems, text.length, JSON.stringify(edits));
    }),
    { numRuns: 300 },
  );
});
