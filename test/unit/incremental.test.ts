/**
 * The incremental checker and the snapshot line index must give exactly what a full check and
 * `TextDocument` give. Seeded random edits (inside values, across request boundaries, deleted
 * `>` and quotes, pasted requests, broken and repaired markup) are applied one after the
 * other, and after each edit the incremental result is compared with `checkDocument`.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { TextDocument } from 'vscode-languageserver-textdocument';

import { catalogFromEntries } from '../../server/src/check/catalog';
import { checkDocument } from '../../server/src/check/check';
import { IncrementalChecker } from '../../server/src/check/incremental';
import { childrenAt, spanContains, type Span } from '../../server/src/check/model';
import { findRequests, requestsAt } from '../../server/src/check/requests';
import { findTextEdit } from '../../server/src/check/textEdit';
import { DocumentSnapshot } from '../../server/src/snapshot';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');

/** A small linear congruential generator, so that a failing sequence can be replayed from its seed. */
function createRandom(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * limit);
  };
}

/** Fragments that break or repair markup when inserted, or paste whole requests. */
const INSERTIONS = [
  'x',
  ' ',
  '"',
  "'",
  '>',
  '<',
  '/>',
  '</SecurityQuestions>',
  '<SecurityQuestions reference_user_name="pasted" input_language="en">',
  '\n  <SecurityQuestions reference_user_name="paste_user">\n    <Details question="9161083" answer="one"/>\n    <Details question="6688721" answer="two"/>\n    <Details question="9161123" answer="two"/>\n  </SecurityQuestions>',
  '<!-- note -->',
  '<!--',
  '-->',
  '&amp;',
  '&bogus;',
  '\u0001',
  '\r\n',
  'é',
  '<![CDATA[text]]>',
  '<!DOCTYPE x>',
  '<Details question="1" answer="a"/>',
  'xmlns:q="urn:other"',
  '</AcctMgmtRequests>',
];

function randomEdit(text: string, random: (limit: number) => number): string {
  const kind = random(4);
  const start = random(text.length + 1);
  if (kind === 0 && text.length > 0) {
    // Delete up to a request's length, so deletions can join two requests.
    const end = Math.min(text.length, start + 1 + random(random(2) === 0 ? 4 : 300));
    return text.slice(0, start) + text.slice(end);
  }
  if (kind === 1) {
    // Delete one markup character: a `>`, a quote or a `<`.
    const target = ['>', '"', '<'][random(3)]!;
    const at = text.indexOf(target, start);
    return at === -1 ? text : text.slice(0, at) + text.slice(at + 1);
  }
  if (kind === 2) {
    // Type inside an attribute value.
    const at = text.indexOf('="', start);
    return at === -1 ? text : text.slice(0, at + 2) + 'ab'.slice(0, 1 + random(2)) + text.slice(at + 2);
  }
  const insertion = INSERTIONS[random(INSERTIONS.length)]!;
  return text.slice(0, start) + insertion + text.slice(start);
}

function batchText(): string {
  const requests: string[] = [];
  for (let index = 0; index < 12; index++) {
    requests.push(
      `  <SecurityQuestions reference_user_name="user${index % 10}" input_language="en">\n` +
        `    <Details question="9161083" answer="pet ${index}"/>\n` +
        `    <Details question="6688721" answer="city ${index}"/>\n` +
        `    <Details question="${index === 3 ? 'abc' : '9161123'}" answer="car ${index}"/>\n` +
        '  </SecurityQuestions>\n',
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">\n${requests.join('')}</AcctMgmtRequests>\n`;
}

const CATALOG = catalogFromEntries('test list', [
  { id: '9161083', question: 'Pet?', minAnswerLength: 3 },
  { id: '6688721', question: 'City?', canBeNumber: false },
  { id: '9161123', question: 'Car?', maxRepeatableCharsCount: 2 },
]);

/**
 * Returns the value as plain JSON, each namespace scope as its prefix-to-URI entries: a scope
 * caches its flattened table on first use, which is no part of the result.
 */
function comparable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) => {
      if (item instanceof Map || (typeof item === 'object' && item !== null && 'entries' in item && typeof item.entries === 'function' && 'get' in item)) {
        return Object.fromEntries([...(item as ReadonlyMap<string, string>).entries()]);
      }
      return item;
    }),
  );
}

function assertSameAsFullCheck(checker: IncrementalChecker, text: string, label: string, catalog = CATALOG): void {
  const incremental = checker.check(text, { catalog });
  const full = checkDocument(text, { catalog });
  assert.equal(incremental.applies, full.applies, label);
  assert.deepEqual(comparable(incremental.problems), comparable(full.problems), label);
  assert.deepEqual(comparable(incremental.parsed), comparable(full.parsed), label);
  assert.deepEqual(comparable(incremental.requests), comparable(full.applies ? findRequests(full.parsed) : []), label);
}

void describe('IncrementalChecker', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    void test(`random edits of a batch file, seed ${seed}`, () => {
      const random = createRandom(seed);
      const checker = new IncrementalChecker();
      const original = batchText();
      let text = original;
      assertSameAsFullCheck(checker, text, 'first check');
      for (let step = 0; step < 250; step++) {
        text = randomEdit(text, random);
        assertSameAsFullCheck(checker, text, `seed ${seed}, step ${step}`);
        // Return to a well-formed file now and then, so the edits also run on clean pieces.
        if (random(40) === 0) {
          text = original;
          assertSameAsFullCheck(checker, text, `seed ${seed}, step ${step}, restored`);
        }
      }
    });
  }

  void test('example files edited character by character', () => {
    for (const name of ['batch.ibkr.xml', 'mistakes.ibkr.xml']) {
      const original = readFileSync(path.join(EXAMPLES, name), 'utf8');
      const checker = new IncrementalChecker();
      assertSameAsFullCheck(checker, original, name);
      const random = createRandom(name.length);
      let text = original;
      for (let step = 0; step < 120; step++) {
        text = randomEdit(text, random);
        assertSameAsFullCheck(checker, text, `${name}, step ${step}`);
      }
    }
  });

  void test('DOCTYPE after a deleted one', () => {
    const checker = new IncrementalChecker();
    const original = batchText();
    const requestEnds = [...original.matchAll(/<\/SecurityQuestions>\n/g)].map((match) => match.index + match[0].length);
    const first = requestEnds[2]!;
    const second = requestEnds[6]!;
    const text = `${original.slice(0, first)}<!DOCTYPE x>${original.slice(first, second)}<!DOCTYPE y>${original.slice(second)}`;
    assertSameAsFullCheck(checker, text, 'two DOCTYPEs');
    const withoutFirst = text.replace('<!DOCTYPE x>', '');
    assertSameAsFullCheck(checker, withoutFirst, 'first DOCTYPE deleted');
    assert.equal(checker.check(withoutFirst, { catalog: CATALOG }).parsed.doctype?.start, withoutFirst.indexOf('<!DOCTYPE y>'));
  });

  void test('catalog change re-checks reused requests', () => {
    const checker = new IncrementalChecker();
    const text = batchText();
    assertSameAsFullCheck(checker, text, 'with list');
    assertSameAsFullCheck(checker, text, 'without list', undefined);
    const edited = text.replace('pet 5', 'pet 55');
    assertSameAsFullCheck(checker, edited, 'edited without list', undefined);
    assertSameAsFullCheck(checker, edited, 'edited with list');
  });
});

void describe('findTextEdit', () => {
  void test('finds the changed range', () => {
    assert.deepEqual(findTextEdit('abcdef', 'abXYef'), { start: 2, oldEnd: 4, newEnd: 4 });
    assert.deepEqual(findTextEdit('aaaa', 'aaaaa'), { start: 4, oldEnd: 4, newEnd: 5 });
    assert.deepEqual(findTextEdit('abc', 'abc'), { start: 3, oldEnd: 3, newEnd: 3 });
    assert.deepEqual(findTextEdit('', 'xyz'), { start: 0, oldEnd: 0, newEnd: 3 });
  });

  void test('finds edits in long texts', () => {
    const long = 'a'.repeat(100_000) + 'b'.repeat(100_000);
    const edited = long.slice(0, 150_000) + 'c' + long.slice(150_001);
    assert.deepEqual(findTextEdit(long, edited), { start: 150_000, oldEnd: 150_001, newEnd: 150_001 });
  });
});

void describe('DocumentSnapshot', () => {
  void test('positions match TextDocument after random edits', () => {
    const random = createRandom(11);
    const pieces = ['\r', '\n', '\r\n', 'a', 'b', ' '];
    let text = 'ab\r\ncd\nef\rgh';
    let snapshot = DocumentSnapshot.create('file:///a.xml', 'xml', 0, text);
    for (let step = 0; step < 3000; step++) {
      const start = random(text.length + 1);
      const end = start + random(Math.min(4, text.length - start + 1));
      let insertion = '';
      for (let count = random(4); count > 0; count--) insertion += pieces[random(pieces.length)]!;
      const next = text.slice(0, start) + insertion + text.slice(end);
      snapshot = snapshot.next(step + 1, next, findTextEdit(text, next));
      text = next;

      const reference = TextDocument.create('file:///a.xml', 'xml', 0, text);
      assert.equal(snapshot.lineCount, reference.lineCount, JSON.stringify(text));
      for (let offset = 0; offset <= text.length; offset++) {
        assert.deepEqual(snapshot.positionAt(offset), reference.positionAt(offset), `${JSON.stringify(text)} at ${offset}`);
      }
      for (let line = 0; line < reference.lineCount + 1; line++) {
        for (const character of [0, 1, 2, 50]) {
          assert.equal(snapshot.offsetAt({ line, character }), reference.offsetAt({ line, character }), `${JSON.stringify(text)} at ${line}:${character}`);
        }
      }
      if (text.length > 60) {
        text = text.slice(0, 30);
        snapshot = DocumentSnapshot.create('file:///a.xml', 'xml', 0, text);
      }
    }
  });
});

void describe('parse after an edit', () => {
  /** Returns the batch text with request `index` changed by `change`, and the offset where that request starts. */
  function withBrokenRequest(index: number, change: (request: string) => string): { text: string; requestStart: number } {
    const text = batchText();
    const requestStart = text.indexOf(`reference_user_name="user${index}"`);
    const requestEnd = text.indexOf('</SecurityQuestions>', requestStart);
    return { text: text.slice(0, requestStart) + change(text.slice(requestStart, requestEnd)) + text.slice(requestEnd), requestStart };
  }

  void test('starts below a problem that read no further', () => {
    // An undefined entity is reported at its own offset, and nothing after it is read.
    const { text, requestStart } = withBrokenRequest(1, (request) => request.replace('pet 1', 'pet &bogus; 1'));
    const checker = new IncrementalChecker();
    checker.check(text, { catalog: CATALOG });
    const at = text.lastIndexOf('car 11');
    const edited = text.slice(0, at) + 'x' + text.slice(at);
    assertSameAsFullCheck(checker, edited, 'edit below the entity');
    // The edited request's piece starts after the end tag of the request before it.
    const previousEnd = text.lastIndexOf('</SecurityQuestions>', at) + '</SecurityQuestions>'.length;
    assert.equal(checker.lastParsedFrom, previousEnd, 'only the edited request is parsed again');
    assert.ok(previousEnd > requestStart, 'the request with the entity comes first');
  });

  void test('starts below a value that closes on its line', () => {
    // A value with a `<` that closes on its own line reads to the line end, and no further.
    const { text, requestStart } = withBrokenRequest(1, (request) => request.replace('answer="pet 1"', 'answer="pet < 1"'));
    const checker = new IncrementalChecker();
    checker.check(text, { catalog: CATALOG });
    const at = text.lastIndexOf('car 11');
    assertSameAsFullCheck(checker, text.slice(0, at) + 'x' + text.slice(at), 'edit below the value');
    assert.ok(checker.lastParsedFrom! > requestStart, `parsed again from ${checker.lastParsedFrom}, after the request with the value`);
  });

  void test('starts at a problem that read the edited text', () => {
    // A value without its closing quote makes the parser look for the quote far below.
    const { text, requestStart } = withBrokenRequest(1, (request) => request.replace('answer="pet 1"', 'answer="pet 1'));
    const checker = new IncrementalChecker();
    checker.check(text, { catalog: CATALOG });
    const quote = text.indexOf('"', text.indexOf('answer="pet 1') + 'answer="'.length);
    const edited = text.slice(0, quote) + text.slice(quote + 1);
    assertSameAsFullCheck(checker, edited, 'quote removed below the broken value');
    assert.ok(checker.lastParsedFrom! < requestStart, `parsed again from ${checker.lastParsedFrom}, before the broken request`);
  });
});

void describe('look-ups at an offset', () => {
  const spans = (nodes: readonly { span: Span }[]): Span[] => nodes.map((node) => ({ start: node.span.start, end: node.span.end }));

  void test('root children and requests', () => {
    // Adjacent requests share an offset, where both contain it.
    const text = batchText().replace('</SecurityQuestions>\n  <SecurityQuestions', '</SecurityQuestions><SecurityQuestions');
    const full = checkDocument(text, { catalog: CATALOG });
    const fullRoot = full.parsed.root!;
    const fullRequests = findRequests(full.parsed);
    for (let offset = 0; offset <= text.length; offset++) {
      // A fresh check each time, so the root has not listed its children yet.
      const incremental = new IncrementalChecker().check(text, { catalog: CATALOG });
      const expectedChildren = spans(fullRoot.children.filter((child) => spanContains(child.span, offset)));
      assert.deepEqual(spans(childrenAt(incremental.parsed.root!, offset)), expectedChildren, `root children at ${offset}`);
      assert.deepEqual(spans(childrenAt(fullRoot, offset)), expectedChildren, `children of the full parse at ${offset}`);
      const expectedRequests = spans(fullRequests.filter((request) => spanContains(request.span, offset)));
      assert.deepEqual(spans(requestsAt(incremental.requests, offset)), expectedRequests, `requests at ${offset}`);
      assert.deepEqual(spans(requestsAt(fullRequests, offset)), expectedRequests, `requests of the full parse at ${offset}`);
    }
  });
});
