import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ElementNode, ParsedDocument, Span } from '../../server/src/check/model';
import { IBKR_NAMESPACE } from '../../server/src/check/model';
import { MAX_SYNTAX_PROBLEMS, parseDocument } from '../../server/src/check/parser';

function allElements(document: ParsedDocument): ElementNode[] {
  const found: ElementNode[] = [];
  const pending: ElementNode[] = [...(document.root === undefined ? [] : [document.root]), ...document.extraRoots];
  while (pending.length > 0) {
    const element = pending.pop()!;
    found.push(element);
    for (const child of element.children) {
      if (child.kind === 'element') {
        pending.push(child);
      }
    }
  }
  return found;
}

function nestingDepth(root: ElementNode): number {
  let depth = 1;
  let element = root;
  for (;;) {
    const next = element.children.find((child): child is ElementNode => child.kind === 'element');
    if (next === undefined) {
      return depth;
    }
    element = next;
    depth++;
  }
}

/** Builds a batch of SecurityQuestions requests of at least `minimumLength` characters. */
function generateBatch(minimumLength: number): { text: string; requests: number } {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', `<AcctMgmtRequests xmlns="${IBKR_NAMESPACE}">\n`];
  let length = parts[0]!.length + parts[1]!.length;
  let requests = 0;
  while (length < minimumLength) {
    const request =
      `  <SecurityQuestions reference_user_name="user${requests}" input_language="en">\n` +
      `    <Details question="9161083" answer="first answer ${requests}"/>\n` +
      `    <Details question="6688721" answer="second &amp; answer ${requests}"/>\n` +
      `    <Details question="9161123" answer="third answer ${requests}"/>\n` +
      '  </SecurityQuestions>\n';
    parts.push(request);
    length += request.length;
    requests++;
  }
  parts.push('</AcctMgmtRequests>\n');
  return { text: parts.join(''), requests };
}

function checkSpan(text: string, span: Span, what: string): void {
  const label = `${what} ${JSON.stringify(span)} in a text of ${text.length}`;
  assert.ok(span.start >= 0, label);
  assert.ok(span.start <= span.end, label);
  assert.ok(span.end <= text.length, label);
}

/** Checks the structural invariants every parse result must meet, whatever the input. */
function checkInvariants(text: string): void {
  const document = parseDocument(text);
  assert.equal(document.text, text);
  assert.ok(document.syntaxProblems.length <= MAX_SYNTAX_PROBLEMS);
  for (const problem of document.syntaxProblems) {
    checkSpan(text, problem.span, 'problem');
  }
  if (document.xmlDeclaration !== undefined) {
    checkSpan(text, document.xmlDeclaration.span, 'declaration');
  }
  if (document.doctype !== undefined) {
    checkSpan(text, document.doctype, 'doctype');
  }
  for (const element of allElements(document)) {
    checkSpan(text, element.span, 'element');
    checkSpan(text, element.startTagSpan, 'start tag');
    assert.equal(text.slice(element.nameSpan.start, element.nameSpan.end), element.name);
    assert.equal(element.startTagSpan.start, element.span.start);
    assert.ok(element.startTagSpan.end <= element.span.end);
    if (element.endTagSpan !== undefined) {
      assert.equal(element.endTagSpan.end, element.span.end);
    }
    for (const attribute of element.attributes) {
      assert.equal(text.slice(attribute.nameSpan.start, attribute.nameSpan.end), attribute.name);
      checkSpan(text, attribute.valueSpan, 'value');
      assert.equal(text.slice(attribute.valueSpan.start, attribute.valueSpan.end), attribute.rawValue);
    }
    let previousEnd = element.startTagSpan.end;
    for (const child of element.children) {
      const label = `child ${JSON.stringify(child.span)} of <${element.name}> ${JSON.stringify(element.span)}`;
      assert.ok(child.span.start >= previousEnd, label);
      assert.ok(child.span.end <= element.span.end, label);
      previousEnd = child.span.end;
    }
  }
}

const TOKENS = [
  '<', '>', '/', '/>', '</', '=', '"', "'", '&', ';', '&amp;', '&#', '&#x', '1', 'F', '#', '!', '?', '-', '--', '[', ']', ':',
  ' ', '\n', '\r', '\t', 'a', 'b', 'xmlns', 'xmlns:p', 'p:', '<a', '<b', '</a>', '</b>', '<!--', '-->', '<?', '?>', '<?xml ',
  'version="1.0"', '<![CDATA[', ']]>', '<!DOCTYPE', '\u00e9', '\u{1F600}', '\uD800', '\uDC00', '\u0001', '\uFFFE', '\uFEFF',
];

void describe('parseDocument limits', () => {
  void test('100 000 nested elements', () => {
    const depth = 100_000;
    const text = '<a>'.repeat(depth) + '</a>'.repeat(depth);
    const document = parseDocument(text);
    assert.deepEqual(document.syntaxProblems, []);
    assert.equal(nestingDepth(document.root!), depth);
  });

  void test('100 000 unclosed nested elements', () => {
    const text = '<a>'.repeat(100_000);
    const document = parseDocument(text);
    assert.equal(document.syntaxProblems.length, MAX_SYNTAX_PROBLEMS);
    assert.match(document.syntaxProblems.at(-1)!.message, /99800 more syntax problems follow/);
    assert.equal(document.root!.span.end, text.length);
  });

  void test('deep nesting with a namespace declaration at each level', () => {
    const depth = 20_000;
    const open = Array.from({ length: depth }, (_, i) => `<p${i}:e xmlns:p${i}="urn:${i}">`).join('');
    const close = Array.from({ length: depth }, (_, i) => `</p${depth - 1 - i}:e>`).join('');
    const document = parseDocument(open + close);
    assert.deepEqual(document.syntaxProblems, []);
    let innermost = document.root!;
    while (innermost.children[0]?.kind === 'element') {
      innermost = innermost.children[0];
    }
    assert.equal(innermost.namespaceURI, `urn:${depth - 1}`);
    assert.equal(innermost.namespaces.size, depth);
    assert.equal(innermost.namespaces.get('p0'), 'urn:0');
  });

  void test('5 MB batch file parses without problems', () => {
    const { text, requests } = generateBatch(5 * 1024 * 1024);
    const document = parseDocument(text);
    assert.deepEqual(document.syntaxProblems, []);
    const requestElements = document.root!.children.filter((child): child is ElementNode => child.kind === 'element');
    assert.equal(requestElements.length, requests);
    assert.ok(requests > 10_000, `only ${requests} requests`);
    const last = requestElements.at(-1)!;
    assert.equal(last.attributes[0]?.value, `user${requests - 1}`);
    assert.equal(last.children.filter((child) => child.kind === 'element').length, 3);
  });

  void test('random markup keeps the model consistent', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 60 }), (text) => {
        checkInvariants(text);
      }),
      { seed: 42, numRuns: 3000 },
    );
  });

  void test('random characters keep the model consistent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        checkInvariants(text);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});
