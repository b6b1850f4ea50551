import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { KNOWN_INPUT_LANGUAGES } from '../../server/src/check/languages';

const SNIPPETS_FILE = path.resolve(__dirname, '../../snippets/xml.json');
const IBKR_NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

interface Snippet {
  prefix: string | string[];
  description?: string;
  body: string | string[];
}

interface Expansion {
  text: string;
  /** Tab stop numbers in the order they first appear, `$0` included. */
  tabStops: number[];
  /** The options of each choice, e.g. `${2|en,ja|}`, keyed by tab stop. */
  choices: Map<number, string[]>;
}

function readSnippets(): Map<string, Snippet> {
  const parsed = JSON.parse(readFileSync(SNIPPETS_FILE, 'utf8')) as Record<string, Snippet>;
  return new Map(Object.entries(parsed));
}

function findByPrefix(snippets: Map<string, Snippet>, prefix: string): Snippet {
  const snippet = [...snippets.values()].find((candidate) => [candidate.prefix].flat().includes(prefix));
  assert.ok(snippet, `no snippet with prefix ${prefix} in ${SNIPPETS_FILE}`);
  return snippet;
}

/**
 * Expands a snippet body the way VS Code would if the user accepted every default: a
 * placeholder becomes its default, a choice its first option, a bare tab stop nothing.
 * Supports the subset of the snippet syntax that our snippets use, with nesting and escapes.
 */
function expandSnippet(body: string | string[]): Expansion {
  const source = [body].flat().join('\n');
  const tabStops: number[] = [];
  const choices = new Map<number, string[]>();
  let position = 0;

  const noteTabStop = (index: number): void => {
    if (!tabStops.includes(index)) tabStops.push(index);
  };

  const readNumber = (): number => {
    const digits = /^[0-9]+/.exec(source.slice(position));
    assert.ok(digits, `expected a tab stop number at offset ${position} of ${JSON.stringify(source)}`);
    position += digits[0].length;
    return Number(digits[0]);
  };

  // Reads text until `terminator` (or the end when it is undefined) and returns it expanded.
  const readText = (terminator: string | undefined): string => {
    let text = '';
    while (position < source.length) {
      const character = source.charAt(position);
      if (character === terminator) return text;
      if (character === '\\' && '$}\\'.includes(source.charAt(position + 1))) {
        text += source.charAt(position + 1);
        position += 2;
      } else if (character === '$' && /[0-9]/.test(source.charAt(position + 1))) {
        position++;
        noteTabStop(readNumber());
      } else if (character === '$' && source.charAt(position + 1) === '{') {
        position += 2;
        text += readBraced();
      } else {
        text += character;
        position++;
      }
    }
    assert.equal(terminator, undefined, `missing ${terminator} in ${JSON.stringify(source)}`);
    return text;
  };

  // Reads `N}`, `N:default}` or `N|a,b|}` after `${` and returns its expansion.
  const readBraced = (): string => {
    const index = readNumber();
    noteTabStop(index);
    const marker = source.charAt(position);
    position++;
    if (marker === '}') return '';
    if (marker === ':') {
      const value = readText('}');
      position++;
      return value;
    }
    assert.equal(marker, '|', `unexpected ${JSON.stringify(marker)} after \${${index} in ${JSON.stringify(source)}`);
    const end = source.indexOf('|}', position);
    assert.ok(end >= 0, `choice \${${index}|...| is not closed with |} in ${JSON.stringify(source)}`);
    const options = source.slice(position, end).split(',');
    position = end + 2;
    choices.set(index, options);
    return options[0] ?? '';
  };

  const text = readText(undefined);
  return { text, tabStops, choices };
}

/** Parses the expansion as XML and fails on every warning or error that xmldom reports. */
function parseXml(text: string): Element {
  const problems: string[] = [];
  const parser = new DOMParser({ onError: (level, message) => problems.push(`${level}: ${message}`) });
  let document;
  try {
    document = parser.parseFromString(text, 'text/xml');
  } catch (error) {
    // xmldom throws on a fatal error after reporting it to onError.
    assert.fail(`the expanded snippet is not well-formed XML (${problems.join('; ') || String(error)}):\n${text}`);
  }
  assert.deepEqual(problems, [], `the expanded snippet is not well-formed XML:\n${text}`);
  assert.ok(document.documentElement, `the expanded snippet has no root element:\n${text}`);
  return document.documentElement;
}

function childElements(element: Element): Element[] {
  const children: Element[] = [];
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) children.push(node as Element);
  }
  return children;
}

function attributeNames(element: Element): string[] {
  return Array.from(element.attributes, (attribute) => attribute.name).sort();
}

/** Checks a SecurityQuestions element as the snippets write it, with every default accepted. */
function assertSecurityQuestions(element: Element, namespace: string | null): void {
  assert.equal(element.localName, 'SecurityQuestions');
  assert.equal(element.namespaceURI, namespace);
  assert.deepEqual(attributeNames(element), ['input_language', 'reference_user_name']);
  assert.equal(element.getAttribute('input_language'), 'en');
  assert.notEqual(element.getAttribute('reference_user_name')?.trim(), '');

  const details = childElements(element);
  assert.equal(details.length, 3);
  for (const detail of details) {
    assert.equal(detail.localName, 'Details');
    assert.equal(detail.namespaceURI, namespace);
    assert.deepEqual(attributeNames(detail), ['answer', 'question']);
  }
  // The defaults differ, so accepting them all gives no duplicate-question or duplicate-answer errors on top of the invalid ids.
  assert.equal(new Set(details.map((detail) => detail.getAttribute('question'))).size, 3);
  assert.equal(new Set(details.map((detail) => detail.getAttribute('answer'))).size, 3);
}

function assertTabStopOrder(expansion: Expansion, count: number): void {
  const expected = [...Array.from({ length: count }, (_, index) => index + 1), 0];
  assert.deepEqual(expansion.tabStops, expected, 'tab stops should run 1, 2, ... in text order and end with $0');
}

void describe('expandSnippet', () => {
  void it('expands placeholders, choices and escapes', () => {
    const expansion = expandSnippet(['a${1:b${2:c}}\\$d', '${3|x,y|}$0']);
    assert.equal(expansion.text, 'abc$d\nx');
    assert.deepEqual(expansion.tabStops, [1, 2, 3, 0]);
    assert.deepEqual(expansion.choices.get(3), ['x', 'y']);
  });
});

void describe('snippets/xml.json', () => {
  const snippets = readSnippets();

  void it('ibkr- prefixes and descriptions', () => {
    assert.ok(snippets.size >= 3);
    for (const [name, snippet] of snippets) {
      for (const prefix of [snippet.prefix].flat()) {
        assert.match(prefix, /^ibkr-/, `prefix of "${name}"`);
      }
      assert.ok((snippet.description ?? '').length > 0, `description of "${name}"`);
    }
  });

  void it('ibkr-request expands to a whole request file', () => {
    const expansion = expandSnippet(findByPrefix(snippets, 'ibkr-request').body);
    assert.match(expansion.text, /^<\?xml version="1\.0" encoding="UTF-8"[ ?]/);

    const root = parseXml(expansion.text);
    assert.equal(root.localName, 'AcctMgmtRequests');
    assert.equal(root.namespaceURI, IBKR_NAMESPACE);
    const requests = childElements(root);
    assert.equal(requests.length, 1);
    assertSecurityQuestions(requests[0] as Element, IBKR_NAMESPACE);
    assertTabStopOrder(expansion, 8);
  });

  void it('ibkr-security-questions expands to one request', () => {
    const expansion = expandSnippet(findByPrefix(snippets, 'ibkr-security-questions').body);
    assert.doesNotMatch(expansion.text, /<\?xml/);

    assertSecurityQuestions(parseXml(expansion.text), null);
    assertTabStopOrder(expansion, 8);
  });

  void it('ibkr-details expands to one Details', () => {
    const expansion = expandSnippet(findByPrefix(snippets, 'ibkr-details').body);

    const details = parseXml(expansion.text);
    assert.equal(details.localName, 'Details');
    assert.deepEqual(attributeNames(details), ['answer', 'question']);
    assertTabStopOrder(expansion, 2);
  });

  void it('input_language choice lists known languages', () => {
    for (const prefix of ['ibkr-request', 'ibkr-security-questions']) {
      const expansion = expandSnippet(findByPrefix(snippets, prefix).body);
      assert.deepEqual(expansion.choices.get(2), [...KNOWN_INPUT_LANGUAGES], `input_language choice of ${prefix}`);
      assert.equal(KNOWN_INPUT_LANGUAGES[0], 'en');
    }
  });
});
