/**
 * The fast reader of plain elements (`xml/simpleElement.ts`) against the general reader: it
 * must read a plain element whole, give up on anything else without a trace, and leave the
 * parse exactly as the general reader makes it.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import type { ElementNode } from '../../server/src/check/model';
import { DocumentParser, parseDocument } from '../../server/src/check/parser';
import { ParseContext, ProblemList } from '../../server/src/check/xml/context';
import { readSimpleElement } from '../../server/src/check/xml/simpleElement';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';
const REPOSITORY = path.resolve(__dirname, '..', '..');

/** Plain elements, each read whole by the fast reader. */
const PLAIN = [
  '<Details question="9161083" answer="pet one"/>',
  "<Details question='9161083' answer='it\"s'/>",
  '<Details\tquestion="1"\r\n   answer="a > b"   />',
  '<SecurityQuestions reference_user_name="u" input_language="en">\n  <Details question="1" answer="é ü 漢字 😀"/>\n</SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u"><Details question="1" answer="a"></Details>text ] here<Details/></SecurityQuestions>',
  '<a><b><c><d/></c></b></a>',
  '<Empty></Empty>',
  '<_x.y-z attr_1.2-3="v"/>',
  '<Details question="1" answer="a &amp; b &lt;&gt;&quot;&apos;"/>',
  '<SecurityQuestions reference_user_name="u">a &amp; b</SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u"><!-- note - with a hyphen --><Details/><!----></SecurityQuestions>',
  '<a a1="1" a2="2" a3="3" a4="4" a5="5" a6="6" a7="7" a8="8"/>',
];

/** Elements with something that is not plain, each left to the general reader. */
const NOT_PLAIN = [
  '<SecurityQuestions reference_user_name="u"><!-- a -- b --></SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u"><!-- a ---></SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u"><!-- not closed </SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u"><!DOCTYPE x></SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u"><?pi x?></SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u"><![CDATA[x]]></SecurityQuestions>',
  '<Details question="1" answer="a &#38; b"/>',
  '<Details question="1" answer="a &bogus; b"/>',
  '<Details question="1" answer="a & b"/>',
  '<Details question="1" answer="a &amp b"/>',
  '<a a1="1" a2="2" a3="3" a4="4" a5="5" a6="6" a7="7" a8="8" a9="9"/>',
  '<Details question="1" answer="tab\there"/>',
  '<Details question="1" answer="line\nbreak"/>',
  '<Details question="1" answer="a < b"/>',
  '<SecurityQuestions reference_user_name="u">a &#38; b</SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u">a &nbsp; b</SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u">\r\n</SecurityQuestions>',
  '<SecurityQuestions reference_user_name="u">]]></SecurityQuestions>',
  '<SecurityQuestions xmlns="urn:other"/>',
  '<SecurityQuestions xmlns:q="urn:other"/>',
  '<q:SecurityQuestions/>',
  '<Details q:question="1"/>',
  '<Details question="1" question="2"/>',
  '<Details question=1/>',
  '<Details question = "1"/>',
  '<Details question="1"answer="2"/>',
  '<Details question="1" / >',
  '<Details question="1"',
  '<Details question="1>',
  '<Détails question="1"/>',
  '<Details quéstion="1"/>',
  '<SecurityQuestions><Details/></SecurityQuestions >',
  '<SecurityQuestions><Details></SecurityQuestions>',
  '<SecurityQuestions><Details/>',
  '<SecurityQuestions>< Details/></SecurityQuestions>',
];

/** Parses with the fast reader on, as the incremental checker does. */
function parseWithSimpleElements(text: string) {
  return new DocumentParser(text, undefined, undefined, { simpleElements: true }).parse();
}

/** Converts a parse to plain JSON, each namespace scope to its entries (a scope caches its table on first use). */
function comparable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'object' && item !== null && 'entries' in item && typeof item.entries === 'function' && 'get' in item) {
        return Object.fromEntries([...(item as ReadonlyMap<string, string>).entries()]);
      }
      return item;
    }),
  );
}

function assertSameParse(text: string, label: string): void {
  assert.deepEqual(comparable(parseWithSimpleElements(text)), comparable(parseDocument(text)), label);
}

function wrap(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="${NAMESPACE}">\n  ${inner}\n</AcctMgmtRequests>\n`;
}

/** Runs the fast reader on the element at the start of `element`, inside a root with the IBKR namespace. */
function readAlone(element: string): { end: number; parent: ElementNode; problems: number } {
  const text = `<AcctMgmtRequests xmlns="${NAMESPACE}">${element}`;
  const root = parseDocument(text).root!;
  const parent: ElementNode = { ...root, children: [] };
  const problems = new ProblemList();
  const context = new ParseContext(text, problems);
  const end = readSimpleElement(context, text.indexOf('>') + 1, { parent, namespaces: root.namespaces, defaultNamespace: NAMESPACE });
  return { end: end === -1 ? -1 : end - (text.length - element.length), parent, problems: problems.toArray().length };
}

/** A small linear congruential generator, so that a failing case can be replayed from its seed. */
function createRandom(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * limit);
  };
}

/** Fragments that make a plain element not plain, or plain in another way. */
const INSERTIONS = ['&amp;', '&lt;', '&apos;', '&amp', '&bogus;', '&#65;', '<!--', '-->', '--', '-', '\t', '\r', '\r\n', ']]>', ']', ':', 'q:', 'xmlns', ' xmlns="urn:x"', 'é', '😀', '<!--c-->', '<?p?>', "'", '"', '=', ' ', '/', '>', '<', '</Details>', '<Details/>', ' a="1"', ' a="1" a="2"', '\u0001'];

void describe('fast reader of plain elements', () => {
  for (const element of PLAIN) {
    void test(`reads ${JSON.stringify(element.slice(0, 40))} whole`, () => {
      const { end, parent, problems } = readAlone(element);
      assert.equal(end, element.length);
      assert.equal(parent.children.length, 1);
      assert.equal(problems, 0);
      assertSameParse(wrap(element), element);
    });
  }

  for (const element of NOT_PLAIN) {
    void test(`leaves ${JSON.stringify(element.slice(0, 40))} to the general reader`, () => {
      const { end, parent, problems } = readAlone(element);
      assert.equal(end, -1);
      assert.equal(parent.children.length, 0, 'nothing is appended');
      assert.equal(problems, 0, 'nothing is reported');
      assertSameParse(wrap(element), element);
    });
  }

  void test('examples and fixtures parse the same', () => {
    let files = 0;
    for (const folder of ['examples', 'test/fixtures']) {
      const root = path.join(REPOSITORY, folder);
      for (const name of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.xml'))) {
        assertSameParse(readFileSync(path.join(root, name), 'utf8'), name);
        files++;
      }
    }
    assert.ok(files >= 20, `only ${files} files were compared`);
  });

  for (const seed of [1, 2, 3, 4]) {
    void test(`random changes of a batch file parse the same, seed ${seed}`, () => {
      const random = createRandom(seed);
      const requests = Array.from(
        { length: 6 },
        (_, index) =>
          `<SecurityQuestions reference_user_name="user${index}" input_language="en">\n    <Details question="9161083" answer="pet ${index}"/>\n    <Details question="6688721" answer='city ${index}'/>\n    <Details question="9161123" answer="car ${index}"></Details>\n  </SecurityQuestions>`,
      );
      const original = wrap(requests.join('\n  '));
      for (let step = 0; step < 400; step++) {
        let text = original;
        for (let change = 1 + random(3); change > 0; change--) {
          const at = random(text.length + 1);
          text = random(4) === 0 ? text.slice(0, at) + text.slice(at + 1 + random(6)) : text.slice(0, at) + INSERTIONS[random(INSERTIONS.length)]! + text.slice(at);
        }
        assertSameParse(text, `seed ${seed}, step ${step}: ${JSON.stringify(text)}`);
      }
    });
  }
});
