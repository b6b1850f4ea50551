// Compares the well-formedness verdict of parseDocument with @xmldom/xmldom 0.9, the reference
// XML parser, over a corpus of hand-written, truncated, mutated and generated documents.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DOMParser, type Document } from '@xmldom/xmldom';
import { parseDocument } from '../../server/src/check/parser';

const REQUEST = readFileSync(path.resolve(__dirname, '../fixtures/parser/request.xml'), 'utf8');

/**
 * xmldom warnings about input that breaks the XML grammar: it recovers from these (an unquoted
 * or missing attribute value, no space between attributes) instead of reporting an error.
 */
const XMLDOM_GRAMMAR_WARNINGS = /missed (start )?quot|missed value|attribute value must after|attribute space is required/;

const CDATA_SECTION_NODE = 4;

interface XmldomResult {
  accepted: boolean;
  document: Document | undefined;
}

function parseWithXmldom(text: string): XmldomResult {
  let accepted = true;
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning' || XMLDOM_GRAMMAR_WARNINGS.test(message)) {
        accepted = false;
      }
    },
    // XML 1.0 line-end handling. xmldom's default also turns U+0085, U+2028 and U+2029 into line feeds, as XML 1.1 does.
    normalizeLineEndings: (source) => source.replace(/\r\n?/g, '\n'),
  });
  try {
    const document = parser.parseFromString(text, 'text/xml');
    return { accepted, document };
  } catch {
    // xmldom throws ParseError after reporting a fatal error.
    return { accepted: false, document: undefined };
  }
}

function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** Removes complete CDATA sections, comments and processing instructions, whose content is not markup. */
function markupOnly(text: string): string {
  return text.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g, '');
}

/**
 * Inputs that xmldom 0.9 accepts although XML 1.0 or Namespaces in XML 1.0 forbids them. They
 * are left out of the comparison, and parser.test.ts checks parseDocument's verdict on each class.
 */
const XMLDOM_LENIENT: Array<{ inputClass: string; matches: (text: string, xmldom: XmldomResult) => boolean }> = [
  {
    inputClass: 'characters outside the XML 1.0 Char production, which xmldom does not check',
    matches: (text) => /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(text),
  },
  {
    inputClass: 'character references to code points outside Char, which xmldom decodes',
    matches: (text) =>
      [...text.matchAll(/&#(?:x([0-9a-fA-F]+)|([0-9]+));/g)].some((match) => !isXmlChar(match[1] === undefined ? Number(match[2]) : parseInt(match[1], 16))),
  },
  {
    inputClass: "an & that xmldom's reference pattern &#?\\w+;? does not match, which it passes through unreported",
    matches: (text) => /&(?!#?\w)/.test(markupOnly(text)),
  },
  {
    inputClass: ']]> in character data, which xmldom does not check',
    matches: (text) => markupOnly(text).includes(']]>'),
  },
  {
    inputClass: 'a "/" in a start tag followed by white space or another "/" before ">", which xmldom skips',
    matches: (text) => /\/[\t\n\r /]+>/.test(markupOnly(text)),
  },
  {
    inputClass: 'a CDATA section after the root element, which xmldom appends to the document',
    matches: (_text, xmldom) => Array.from(xmldom.document?.childNodes ?? []).some((node) => node.nodeType === CDATA_SECTION_NODE),
  },
  {
    inputClass: 'reserved or empty namespace declarations (xmlns:p="", the xml and xmlns prefixes and URIs), which xmldom binds',
    matches: (text) => /xmlns:[^\s=]+\s*=\s*(""|'')|xmlns:xml|http:\/\/www\.w3\.org\/(XML\/1998\/namespace|2000\/xmlns\/)/.test(text),
  },
  {
    inputClass: 'one namespace URI bound to two prefixes, where xmldom does not compare expanded attribute names',
    matches: (text) => {
      const uris = [...text.matchAll(/xmlns:[^\s=]+\s*=\s*"([^"]*)"/g)].map((match) => match[1]);
      return new Set(uris).size < uris.length;
    },
  },
];

/** Creates a small deterministic PRNG (mulberry32), so that the corpus is the same on every run. */
function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const HAND_CASES = [
  '<a/>', '<a></a>', '<a>text</a>', ' <a/> ', '<a/>\n<!-- c -->\n', '<?pi x?><a/>', '<a/><?pi?>',
  '', '   ', 'text', '<a/>text', 'text<a/>', '<a/><b/>', '<a><b></a>', '<a></b>', '</a>', '<a>',
  '<a b="1" b="2"/>', '<a b="1" c=\'2\'/>', '<a b = "1"/>', '<a b="1"c="2"/>', '<a b=1/>', '<a b/>', '<a b=/>',
  '<a b="<"/>', '<a b="&lt;"/>', '<a>&lt;&gt;&amp;&quot;&apos;</a>', '<a>&nbsp;</a>', '<a>&#65;&#x41;</a>', '<a>&#0;</a>',
  '<a>&#;</a>', '<a>&#x;</a>', '<a>&amp</a>', '<a>a & b</a>', '<a b="&foo;"/>',
  '<a><!-- ok --></a>', '<a><!-- a -- b --></a>', '<a><!-- a ---></a>', '<a><!----></a>', '<a><!---></a>',
  '<a><![CDATA[<x>&]]></a>', '<![CDATA[x]]><a/>', '<a/><![CDATA[x]]>', '<a><![CDATA[x</a>',
  '<?xml version="1.0"?><a/>', '<?xml version="1.0" encoding="UTF-8" standalone="no"?><a/>', ' <?xml version="1.0"?><a/>',
  '<a/><?xml version="1.0"?>', '<?xml?><a/>', '<?xml encoding="UTF-8"?><a/>', '<?xml version="2.0"?><a/>',
  '<?xml version="1.0" standalone="maybe"?><a/>', '<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>',
  '<?xml version="1.0"encoding="UTF-8"?><a/>', '<?xml version="1.0" encoding="8UTF"?><a/>', "<?xml version='1.0'?><a/>",
  '<?XML version="1.0"?><a/>', '<a><?xml-stylesheet href="x"?></a>', '<a><?xml?></a>', '<a><??></a>', '<a><?pi?></a>',
  '<a><?pi-x?></a>', '<a><?pi\nx?></a>', '<a><?pi"x"?></a>',
  '<p:a xmlns:p="urn:p"/>', '<p:a/>', '<a xmlns:p="urn:p"><p:b/></a>', '<a p:b="1"/>', '<a xmlns:p="urn:p" p:b="1" p:b="2"/>',
  '<a xmlns:p="urn:p" xmlns:q="urn:p" p:b="1" q:b="2"/>', '<a xmlns:p=""/>', '<a xmlns=""/>', '<a xmlns="urn:x"><b xmlns=""/></a>',
  '<xmlns:a/>', '<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>', '<a xmlns:xml="urn:x"/>', '<a xmlns:xmlns="urn:x"/>',
  '<a xml:lang="en"/>', '<a:b:c/>', '<:a/>', '<a:/>', '<a :b="1"/>', '<a b:="1"/>', '<a b:c:d="1" xmlns:b="u"/>', '<a xmlns:b="u" b:1="x"/>',
  '<a/ >', '<a / >', '<a/x>', '<a></a >', '</a >', '<a></a\n>', '<a></a x>', '<a><b/></a><!-- after -->',
  '<é/>', '<a😀/>', '<😀/>', '<a b😀="1"/>', '<a.b/>', '<-a/>', '<1a/>', '<a-1/>', '<_a/>', '<a·b/>',
  '<a>\u00a0</a>', '\u00a0<a/>', '<a>]]></a>', '<a>]]</a>', '<a>]></a>', '<a b="]]>"/>',
  '<a b="x\ny"/>', '<a b="x\r\ny"/>', '<a\nb="1"\n/>', '<a\tb="1"/>', '<a\r\nb="1"/>',
  '<a b="1" c=\'"\'/>', '<a b=\'1"/>', '<a b="1\'/>', '<a><b c="1></b></a>',
  '<a>&#xD800;</a>', '<a>&#xFFFE;</a>', '<a>&#x10FFFF;</a>', '<a>&#x110000;</a>', '<a>&#99999999999;</a>',
  '<a>< b</a>', '<a><!x></a>', '<a><!-x></a>', '<a><![CDAT[x]]></a>', '<a><!doctype x></a>',
  '<a></A>', '<A></a>', '<a><b><c></c></b></a>', '<a><b><c></b></c></a>',
  '<a b="1" c="2" d="3" e="4" f="5" g="6" h="7" i="8" j="9" k="10" b="11"/>',
  '<?pi?>', '<!-- only -->', '<?xml version="1.0"?>', '<?xml version="1.0"?>\n<!-- c -->',
  '<a>text</a>\n\n', '<a>text</a>\r\n', '<a/>\t', '\n\n<a/>',
  '<a><![CDATA[]]></a>', '<a><![CDATA[]]]]></a>', '<a><![CDATA[a]]]></a>',
  '<a  b  =  "1"  />', '<a b="1"   >  </a   >',
  '<a b="&#60;"/>', '<a b="a&amp;b"/>', '<a b="&#x9;&#xA;&#xD;"/>',
  '<a>&lt</a>', '<a>&lt ;</a>', '<a>&#65</a>', '<a>&#x4G;</a>', '<a>&#X41;</a>',
  '<a xmlns:p="urn:p"><p:b></p:b></a>', '<a xmlns:p="urn:p"><p:b></b></a>', '<a><b xmlns:p="urn:p"/><p:c/></a>',
  '<a xmlns="http://www.w3.org/XML/1998/namespace"/>', '<a xmlns:p="http://www.w3.org/2000/xmlns/"/>',
  '<a>\n  <b>text</b>\n  <!-- c -->\n  <?pi d?>\n</a>',
  '<r><Details question="1" answer="The "Big" Dog" /></r>', '<r><Details question="1\n<Details question="2"/></r>',
];

/** Returns a random well-formed document of elements, attributes, references, comments, PIs and CDATA. */
function generateDocument(random: () => number): string {
  const names = ['a', 'Details', 'x:item', 'b-2', 'c.d', '\u00e9l\u00e9ment'];
  const attributeNames = ['question', 'answer', 'x:note', 'id'];
  const valueParts = ['plain', ' ', '&amp;', '&lt;', '&#233;', '&#x1F600;', '\u{1F600}', "'", '>', '\n', '\t'];
  const textParts = ['text', ' ', '\n', '&gt;', '&quot;', '&#10;', ']]', '\u00e9'];
  const parts: string[] = ['<root xmlns="urn:default" xmlns:x="urn:x">'];
  const open: string[] = ['root'];
  const steps = 5 + Math.floor(random() * 30);
  for (let step = 0; step < steps; step++) {
    const choice = random();
    if (choice < 0.3 && open.length < 8) {
      const name = pick(random, names);
      const attributes = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(random, attributeNames)))];
      const attributeText = attributes
        .map((attribute) => {
          const value = Array.from({ length: Math.floor(random() * 4) }, () => pick(random, valueParts)).join('');
          return random() < 0.5 ? ` ${attribute}="${value.replace(/"/g, '&quot;')}"` : ` ${attribute} = '${value.replace(/'/g, '&apos;')}'`;
        })
        .join('');
      if (random() < 0.4) {
        parts.push(`<${name}${attributeText}/>`);
      } else {
        parts.push(`<${name}${attributeText}>`);
        open.push(name);
      }
    } else if (choice < 0.5 && open.length > 1) {
      parts.push(`</${open.pop()!}>`);
    } else if (choice < 0.8) {
      parts.push(pick(random, textParts));
    } else if (choice < 0.87) {
      parts.push('<!-- note - here -->');
    } else if (choice < 0.94) {
      parts.push('<?tool data="x"?>');
    } else {
      parts.push('<![CDATA[ <raw> & ]] ]]>');
    }
  }
  while (open.length > 0) {
    parts.push(`</${open.pop()!}>`);
  }
  return parts.join('');
}

const MUTATION_PALETTE = ['<', '>', '"', "'", '=', '&', ';', '/', '!', '?', '-', '[', ']', ':', '#', ' ', '\n', 'a', '\u00e9', '\u{1F600}', 'y:', '&lt;', '<!--', '-->', ']]>', '<a>', '</a>', '<?', '?>', '<![CDATA['];

function mutate(random: () => number, text: string): string {
  const position = Math.floor(random() * (text.length + 1));
  if (random() < 0.5) {
    return text.slice(0, position) + pick(random, MUTATION_PALETTE) + text.slice(position);
  }
  return text.slice(0, position) + text.slice(position + 1);
}

interface CorpusResult {
  compared: number;
  accepted: number;
  excluded: Map<string, number>;
  disagreements: Array<{ text: string; parseDocument: boolean; xmldom: boolean; problems: string[] }>;
}

function compare(corpus: readonly string[]): CorpusResult {
  const result: CorpusResult = { compared: 0, accepted: 0, excluded: new Map(), disagreements: [] };
  for (const text of corpus) {
    if (text.includes('<!DOCTYPE')) {
      continue;
    }
    const xmldom = parseWithXmldom(text);
    const lenient = XMLDOM_LENIENT.find((entry) => entry.matches(text, xmldom));
    if (lenient !== undefined) {
      result.excluded.set(lenient.inputClass, (result.excluded.get(lenient.inputClass) ?? 0) + 1);
      continue;
    }
    const problems = parseDocument(text).syntaxProblems.filter((problem) => problem.code === 'xml-wellformed' || problem.code === 'entity-undefined');
    const accepted = problems.length === 0;
    result.compared++;
    if (accepted) {
      result.accepted++;
    }
    if (accepted !== xmldom.accepted) {
      result.disagreements.push({ text, parseDocument: accepted, xmldom: xmldom.accepted, problems: problems.map((problem) => problem.message) });
    }
  }
  return result;
}

void describe('parseDocument verdict against xmldom', () => {
  void test('hand-written cases', () => {
    const result = compare(HAND_CASES);
    assert.deepEqual(result.disagreements, []);
    assert.ok(result.compared >= 100, `only ${result.compared} cases compared`);
    assert.ok(result.accepted >= 30, `only ${result.accepted} well-formed cases`);
  });

  void test('request truncated at every offset', () => {
    const corpus = Array.from({ length: REQUEST.length + 1 }, (_, length) => REQUEST.slice(0, length));
    const result = compare(corpus);
    assert.deepEqual(result.disagreements, []);
    assert.ok(result.compared >= REQUEST.length - 20, `only ${result.compared} truncations compared`);
    assert.ok(result.accepted >= 1, 'no truncation was well-formed');
  });

  void test('request with random insertions and deletions', () => {
    const random = createRandom(20240916);
    const corpus: string[] = [];
    for (let i = 0; i < 1500; i++) {
      let text = REQUEST;
      const edits = 1 + Math.floor(random() * 3);
      for (let edit = 0; edit < edits; edit++) {
        text = mutate(random, text);
      }
      corpus.push(text);
    }
    const result = compare(corpus);
    assert.deepEqual(result.disagreements, []);
    assert.ok(result.compared >= 1000, `only ${result.compared} mutations compared`);
    assert.ok(result.accepted >= 100, `only ${result.accepted} well-formed mutations`);
  });

  void test('generated documents and their mutations', () => {
    const random = createRandom(7);
    const corpus: string[] = [];
    for (let i = 0; i < 300; i++) {
      const text = generateDocument(random);
      corpus.push(text, mutate(random, text));
    }
    const result = compare(corpus);
    assert.deepEqual(result.disagreements, []);
    assert.ok(result.accepted >= 300, `only ${result.accepted} generated documents were well-formed`);
  });
});
