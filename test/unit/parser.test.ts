import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { AttributeNode, ChildNode, ElementNode, ParsedDocument, Span, SyntaxProblem } from '../../server/src/check/model';
import { IBKR_NAMESPACE } from '../../server/src/check/model';
import { MAX_SYNTAX_PROBLEMS, parseDocument } from '../../server/src/check/parser';

const REQUEST = readFileSync(path.resolve(__dirname, '../fixtures/parser/request.xml'), 'utf8');

/** Returns the span of the `occurrence`-th (0-based) match of `needle` in `text`. */
function spanOf(text: string, needle: string, occurrence = 0): Span {
  let start = -1;
  for (let i = 0; i <= occurrence; i++) {
    start = text.indexOf(needle, start + 1);
    assert.notEqual(start, -1, `"${needle}" occurs fewer than ${occurrence + 1} times`);
  }
  return { start, end: start + needle.length };
}

function elements(node: ElementNode): ElementNode[] {
  return node.children.filter((child): child is ElementNode => child.kind === 'element');
}

function child(node: ElementNode, index: number): ElementNode {
  const element = elements(node)[index];
  assert.ok(element, `<${node.name}> has no element child ${index}`);
  return element;
}

function attribute(element: ElementNode, name: string): AttributeNode {
  const found = element.attributes.find((candidate) => candidate.name === name);
  assert.ok(found, `<${element.name}> has no attribute ${name}`);
  return found;
}

function rootOf(document: ParsedDocument): ElementNode {
  assert.ok(document.root, 'the document has no root');
  return document.root;
}

function wellFormedProblems(document: ParsedDocument): SyntaxProblem[] {
  return document.syntaxProblems.filter((problem) => problem.code === 'xml-wellformed');
}

/** Returns the only problem of the document, failing when there are none or several. */
function onlyProblem(document: ParsedDocument): SyntaxProblem {
  assert.equal(document.syntaxProblems.length, 1, JSON.stringify(document.syntaxProblems, null, 1));
  return document.syntaxProblems[0]!;
}

void describe('parseDocument spans', () => {
  void test('request names, values and tags', () => {
    const document = parseDocument(REQUEST);
    assert.deepEqual(document.syntaxProblems, []);
    assert.equal(document.bomLength, 0);
    assert.equal(document.doctype, undefined);
    assert.deepEqual(document.extraRoots, []);

    const root = rootOf(document);
    assert.equal(root.name, 'AcctMgmtRequests');
    assert.deepEqual(root.nameSpan, spanOf(REQUEST, 'AcctMgmtRequests'));
    const rootStart = REQUEST.indexOf('<AcctMgmtRequests');
    assert.deepEqual(root.startTagSpan, { start: rootStart, end: REQUEST.indexOf('>', rootStart) + 1 });
    assert.deepEqual(root.endTagSpan, spanOf(REQUEST, '</AcctMgmtRequests>'));
    assert.deepEqual(root.span, { start: rootStart, end: REQUEST.length - 1 });
    assert.equal(root.startTagComplete, true);
    assert.equal(root.selfClosing, false);

    const request = child(root, 0);
    assert.equal(request.name, 'SecurityQuestions');
    const user = attribute(request, 'reference_user_name');
    assert.deepEqual(user.nameSpan, spanOf(REQUEST, 'reference_user_name'));
    assert.deepEqual(user.valueSpan, spanOf(REQUEST, 'tester1234'));
    assert.equal(user.rawValue, 'tester1234');
    assert.equal(user.value, 'tester1234');
    assert.equal(user.complete, true);
    const note = attribute(request, 'x:note');
    assert.deepEqual(note.valueSpan, spanOf(REQUEST, 'batch 1'));

    const details = elements(request).filter((element) => element.name === 'Details');
    assert.equal(details.length, 3);
    const first = details[0]!;
    assert.equal(first.selfClosing, true);
    assert.equal(first.endTagSpan, undefined);
    const firstStart = REQUEST.indexOf('<Details');
    assert.deepEqual(first.startTagSpan, { start: firstStart, end: REQUEST.indexOf('/>', firstStart) + 2 });
    assert.deepEqual(first.span, first.startTagSpan);
    const singleQuoted = attribute(details[1]!, 'question');
    assert.deepEqual(singleQuoted.valueSpan, spanOf(REQUEST, '6688721'));
    const third = details[2]!;
    assert.equal(third.selfClosing, false);
    assert.deepEqual(third.endTagSpan, spanOf(REQUEST, '</Details>'));
    assert.deepEqual(request.endTagSpan, spanOf(REQUEST, '</SecurityQuestions>'));
  });

  void test('XML declaration fields and spans', () => {
    const document = parseDocument(REQUEST);
    const declaration = document.xmlDeclaration;
    assert.ok(declaration);
    assert.deepEqual(declaration.span, { start: 0, end: REQUEST.indexOf('?>') + 2 });
    assert.equal(declaration.version, '1.0');
    assert.equal(declaration.standalone, 'yes');
    assert.deepEqual(declaration.encoding, { value: 'UTF-8', span: spanOf(REQUEST, 'UTF-8') });
  });

  void test('XML declaration without encoding', () => {
    const declaration = parseDocument("<?xml version='1.1' ?><a/>").xmlDeclaration;
    assert.ok(declaration);
    assert.equal(declaration.version, '1.1');
    assert.equal(declaration.encoding, undefined);
    assert.equal(declaration.standalone, undefined);
    assert.deepEqual(declaration.span, { start: 0, end: 22 });
  });

  void test('CRLF line endings keep offsets into the text', () => {
    const text = REQUEST.replace(/\n/g, '\r\n');
    const document = parseDocument(text);
    assert.deepEqual(document.syntaxProblems, []);
    const request = child(rootOf(document), 0);
    assert.deepEqual(attribute(request, 'reference_user_name').valueSpan, spanOf(text, 'tester1234'));
    assert.deepEqual(request.endTagSpan, spanOf(text, '</SecurityQuestions>'));
    assert.deepEqual(document.xmlDeclaration?.encoding?.span, spanOf(text, 'UTF-8'));
    const whitespace = rootOf(document).children[0];
    assert.equal(whitespace?.kind, 'text');
    assert.equal(whitespace.kind === 'text' ? whitespace.value : undefined, '\n  ');
  });

  void test('byte-order mark shifts every span by one', () => {
    const text = '\uFEFF' + REQUEST;
    const document = parseDocument(text);
    assert.deepEqual(document.syntaxProblems, []);
    assert.equal(document.bomLength, 1);
    assert.deepEqual(document.xmlDeclaration?.span, { start: 1, end: REQUEST.indexOf('?>') + 3 });
    assert.deepEqual(rootOf(document).nameSpan, spanOf(text, 'AcctMgmtRequests'));
    // The request writes its non-ASCII characters as references, so after the BOM it is all ASCII.
    assert.equal(document.firstNonAscii, -1);
  });

  void test('byte-order mark is not the first non-ASCII character', () => {
    assert.equal(parseDocument('\uFEFF<a/>').firstNonAscii, -1);
    assert.equal(parseDocument('\uFEFF<a>\u00e9</a>').firstNonAscii, 4);
    assert.equal(parseDocument('<a/>').firstNonAscii, -1);
  });

  void test('astral characters before and inside values', () => {
    const text = '<a>\u{1F600}<b x="\u{1F600}y\u{1D11E}" z="&#x1F600;"/>\u{1F600}</a>';
    const document = parseDocument(text);
    assert.deepEqual(document.syntaxProblems, []);
    const b = child(rootOf(document), 0);
    assert.deepEqual(b.nameSpan, { start: 6, end: 7 });
    const x = attribute(b, 'x');
    assert.deepEqual(x.nameSpan, { start: 8, end: 9 });
    assert.deepEqual(x.valueSpan, { start: 11, end: 16 });
    assert.equal(x.value, '\u{1F600}y\u{1D11E}');
    const z = attribute(b, 'z');
    assert.deepEqual(z.valueSpan, spanOf(text, '&#x1F600;'));
    assert.equal(z.value, '\u{1F600}');
    assert.equal(document.firstNonAscii, 3);
  });

  void test('astral characters in names', () => {
    const text = '<\u{10000}a \u{10000}b="1"/>';
    const document = parseDocument(text);
    assert.deepEqual(document.syntaxProblems, []);
    const root = rootOf(document);
    assert.equal(root.name, '\u{10000}a');
    assert.deepEqual(root.nameSpan, { start: 1, end: 4 });
    assert.deepEqual(root.attributes[0]?.nameSpan, { start: 5, end: 8 });
  });

  void test('multi-line start tag and value', () => {
    const text = '<a\n  first="1"\r\n  second = \'line one\r\nline two\ttabbed\nend\'\n/>';
    const document = parseDocument(text);
    assert.deepEqual(document.syntaxProblems, []);
    const root = rootOf(document);
    assert.equal(root.selfClosing, true);
    assert.deepEqual(root.startTagSpan, { start: 0, end: text.length });
    const second = attribute(root, 'second');
    assert.deepEqual(second.nameSpan, spanOf(text, 'second'));
    assert.deepEqual(second.valueSpan, { start: text.indexOf('line one'), end: text.indexOf("end'") + 3 });
    assert.equal(second.rawValue, 'line one\r\nline two\ttabbed\nend');
    assert.equal(second.value, 'line one line two tabbed end');
  });
});

void describe('parseDocument decoding', () => {
  void test('predefined entities and character references', () => {
    const document = parseDocument(REQUEST);
    const details = elements(child(rootOf(document), 0));
    assert.equal(attribute(details[0]!, 'answer').value, 'a & b <> "q" \'s');
    assert.equal(attribute(details[0]!, 'answer').rawValue, 'a &amp; b &lt;&gt; &quot;q&quot; &apos;s');
    assert.equal(attribute(details[1]!, 'answer').value, 'd\u00e9mo2 \u{1F600}');
  });

  void test('text content decoding', () => {
    const root = rootOf(parseDocument('<a>x &lt; y &#65;&#x42; &amp;amp;\r\nz\rw</a>'));
    assert.equal(root.children.length, 1);
    const text = root.children[0]!;
    assert.equal(text.kind, 'text');
    assert.equal(text.kind === 'text' ? text.value : '', 'x < y AB &amp;\nz\nw');
  });

  void test('attribute value normalization', () => {
    const root = rootOf(parseDocument('<a v="a\tb\nc\r\nd\re" r="&#9;&#10;&#13;&#32;"/>'));
    assert.equal(attribute(root, 'v').value, 'a b c d e');
    assert.equal(attribute(root, 'r').value, '\t\n\r ');
  });

  void test('CDATA, comment and processing instruction children', () => {
    const document = parseDocument(REQUEST);
    const root = rootOf(document);
    const comment = root.children.find((node) => node.kind === 'comment');
    assert.deepEqual(comment?.span, spanOf(REQUEST, '<!-- First request of the batch -->'));
    const instruction = root.children.find((node) => node.kind === 'processing-instruction');
    assert.deepEqual(instruction?.span, spanOf(REQUEST, '<?tool generated-by="test"?>'));
    const third = elements(child(root, 0))[2]!;
    const cdata = third.children[0];
    assert.equal(cdata?.kind, 'cdata');
    assert.deepEqual(cdata.span, spanOf(REQUEST, '<![CDATA[ <raw> & ]]>'));
    assert.equal(cdata.kind === 'cdata' ? cdata.value : '', ' <raw> & ');
  });

  void test('children keep document order', () => {
    const root = rootOf(parseDocument('<a>t<b/><!--c--><?p?><![CDATA[d]]>e</a>'));
    const kinds = root.children.map((node: ChildNode) => node.kind);
    assert.deepEqual(kinds, ['text', 'element', 'comment', 'processing-instruction', 'cdata', 'text']);
  });
});

void describe('parseDocument namespaces', () => {
  void test('default namespace applies to unprefixed elements', () => {
    const document = parseDocument(REQUEST);
    const root = rootOf(document);
    assert.equal(root.namespaceURI, IBKR_NAMESPACE);
    const request = child(root, 0);
    assert.equal(request.namespaceURI, IBKR_NAMESPACE);
    assert.equal(child(request, 0).namespaceURI, IBKR_NAMESPACE);
    assert.deepEqual([...request.namespaces].sort(), [
      ['', IBKR_NAMESPACE],
      ['x', 'urn:example:extension'],
    ]);
  });

  void test('prefixed elements and attributes resolve', () => {
    const request = child(rootOf(parseDocument(REQUEST)), 0);
    const extension = elements(request)[3]!;
    assert.equal(extension.prefix, 'x');
    assert.equal(extension.localName, 'Extension');
    assert.equal(extension.namespaceURI, 'urn:example:extension');
    const note = attribute(request, 'x:note');
    assert.equal(note.prefix, 'x');
    assert.equal(note.localName, 'note');
    assert.equal(note.namespaceURI, 'urn:example:extension');
    assert.equal(attribute(request, 'reference_user_name').namespaceURI, null);
  });

  void test('xmlns attributes and the xml prefix', () => {
    const root = rootOf(parseDocument('<a xmlns="urn:d" xmlns:p="urn:p" xml:lang="en"/>'));
    assert.equal(attribute(root, 'xmlns').namespaceURI, null);
    assert.equal(attribute(root, 'xmlns:p').namespaceURI, 'http://www.w3.org/2000/xmlns/');
    assert.equal(attribute(root, 'xml:lang').namespaceURI, 'http://www.w3.org/XML/1998/namespace');
  });

  void test('empty xmlns undeclares the default namespace', () => {
    const document = parseDocument('<a xmlns="urn:d"><b xmlns=""><c/></b><d/></a>');
    assert.deepEqual(document.syntaxProblems, []);
    const root = rootOf(document);
    const b = child(root, 0);
    assert.equal(b.namespaceURI, null);
    assert.equal(child(b, 0).namespaceURI, null);
    assert.equal(b.namespaces.has(''), false);
    assert.equal(child(root, 1).namespaceURI, 'urn:d');
  });

  void test('inner declarations override outer ones', () => {
    const root = rootOf(parseDocument('<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"/><p:c/></p:a>'));
    assert.equal(root.namespaceURI, 'urn:1');
    assert.equal(child(root, 0).namespaceURI, 'urn:2');
    assert.equal(child(root, 0).namespaces.get('p'), 'urn:2');
    assert.equal(child(root, 1).namespaceURI, 'urn:1');
    assert.equal(child(root, 1).namespaces.get('p'), 'urn:1');
  });

  void test('undeclared element prefix', () => {
    const text = '<a><p:b/></a>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.equal(problem.code, 'xml-wellformed');
    assert.deepEqual(problem.span, spanOf(text, 'p:b'));
    assert.match(problem.message, /prefix "p".*not declared/);
    assert.equal(child(rootOf(document), 0).namespaceURI, null);
  });

  void test('undeclared attribute prefix', () => {
    const text = '<a q:b="1"/>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.deepEqual(problem.span, spanOf(text, 'q:b'));
    assert.equal(attribute(rootOf(document), 'q:b').namespaceURI, null);
  });

  void test('prefix declared by a sibling is out of scope', () => {
    const text = '<a><b xmlns:p="urn:p"/><p:c/></a>';
    assert.deepEqual(onlyProblem(parseDocument(text)).span, spanOf(text, 'p:c'));
  });

  void test('reserved and empty prefix declarations', () => {
    for (const [text, name] of [
      ['<a xmlns:p=""/>', 'xmlns:p'],
      ['<a xmlns:xmlns="urn:x"/>', 'xmlns:xmlns'],
      ['<a xmlns:xml="urn:x"/>', 'xmlns:xml'],
      ['<a xmlns:p="http://www.w3.org/2000/xmlns/"/>', 'xmlns:p'],
    ] as const) {
      const problem = onlyProblem(parseDocument(text));
      assert.equal(problem.code, 'xml-wellformed', text);
      assert.deepEqual(problem.span, spanOf(text, name), text);
    }
  });

  void test('two prefixes for one namespace on one attribute name', () => {
    const text = '<a xmlns:p="urn:p" xmlns:q="urn:p" p:b="1" q:b="2"/>';
    assert.deepEqual(onlyProblem(parseDocument(text)).span, spanOf(text, 'q:b'));
  });

  void test('names that are not qualified names', () => {
    for (const [text, name] of [
      ['<a:b:c xmlns:a="urn:a"/>', 'a:b:c'],
      ['<:a/>', ':a'],
      ['<a:/>', 'a:'],
      ['<a xmlns:b="urn:b" b:1="x"/>', 'b:1'],
    ] as const) {
      const problems = wellFormedProblems(parseDocument(text));
      assert.ok(
        problems.some((problem) => problem.span.start === spanOf(text, name).start && /qualified name/.test(problem.message)),
        `${text}: ${JSON.stringify(problems)}`,
      );
    }
  });
});

void describe('parseDocument problems', () => {
  void test('XML declaration after the start', () => {
    for (const text of [' <?xml version="1.0"?><a/>', '<a/><?xml version="1.0"?>', '<!-- c --><?xml version="1.0"?><a/>']) {
      const document = parseDocument(text);
      assert.equal(document.xmlDeclaration, undefined, text);
      const problem = onlyProblem(document);
      assert.deepEqual(problem.span, spanOf(text, '<?xml'), text);
      assert.match(problem.message, /very start of the file/);
    }
  });

  void test('XML declaration errors', () => {
    const cases: Array<[string, string]> = [
      ['<?xml?><a/>', '<?xml'],
      ['<?xml encoding="UTF-8"?><a/>', '<?xml'],
      ['<?xml version="2.0"?><a/>', '2.0'],
      ['<?xml version="1.0" encoding="8bit"?><a/>', '8bit'],
      ['<?xml version="1.0" standalone="maybe"?><a/>', 'maybe'],
      ['<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>', 'encoding'],
      ['<?xml version="1.0"encoding="UTF-8"?><a/>', 'encoding'],
      ['<?xml version="1.0" foo="bar"?><a/>', 'foo'],
      ['<?xml version=1.0?><a/>', 'version'],
    ];
    for (const [text, at] of cases) {
      const document = parseDocument(text);
      const problem = onlyProblem(document);
      assert.equal(problem.code, 'xml-wellformed', text);
      assert.deepEqual(problem.span, spanOf(text, at), text);
    }
  });

  void test('reserved processing instruction target', () => {
    const text = '<?XML version="1.0"?><a/>';
    assert.deepEqual(onlyProblem(parseDocument(text)).span, spanOf(text, 'XML'));
  });

  void test('processing instruction without white space after its target', () => {
    const text = '<a><?pi"x"?></a>';
    assert.deepEqual(onlyProblem(parseDocument(text)).span, spanOf(text, '"'));
  });

  void test('DOCTYPE is doctype-not-allowed, not xml-wellformed', () => {
    const doctype = '<!DOCTYPE a [\n  <!ENTITY e "x>y]">\n  <!-- ] > -->\n  <!ATTLIST a b CDATA \'>\'>\n]>';
    const text = `<?xml version="1.0"?>\n${doctype}\n<a>&e;</a>`;
    const document = parseDocument(text);
    assert.deepEqual(document.doctype, spanOf(text, doctype));
    const notAllowed = document.syntaxProblems.filter((problem) => problem.code === 'doctype-not-allowed');
    assert.equal(notAllowed.length, 1);
    assert.deepEqual(notAllowed[0]!.span, spanOf(text, doctype));
    assert.deepEqual(wellFormedProblems(document), []);
    const undefinedEntity = document.syntaxProblems.filter((problem) => problem.code === 'entity-undefined');
    assert.equal(undefinedEntity.length, 1, 'a declared entity is still undefined');
    assert.deepEqual(undefinedEntity[0]!.span, spanOf(text, '&e;'));
    assert.equal(rootOf(document).name, 'a');
  });

  void test('undefined entity in text names it', () => {
    const text = '<a>x&nbsp;y</a>';
    const problem = onlyProblem(parseDocument(text));
    assert.equal(problem.code, 'entity-undefined');
    assert.deepEqual(problem.span, spanOf(text, '&nbsp;'));
    assert.match(problem.message, /&nbsp;/);
  });

  void test('undefined entity in an attribute value', () => {
    const text = '<a b="x&secret;y"/>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.equal(problem.code, 'entity-undefined');
    assert.deepEqual(problem.span, spanOf(text, '&secret;'));
    assert.doesNotMatch(problem.message, /secret/);
    assert.equal(attribute(rootOf(document), 'b').value, 'x&secret;y');
  });

  void test('malformed references', () => {
    const cases: Array<[string, string]> = [
      ['<a>x & y</a>', '&'],
      ['<a>x &amp y</a>', '&amp'],
      ['<a>&#;</a>', '&#'],
      ['<a>&#x;</a>', '&#x'],
      ['<a>&#65</a>', '&#65'],
      ['<a>&#x4G;</a>', '&#x4'],
      ['<a>&#0;</a>', '&#0;'],
      ['<a>&#xFFFE;</a>', '&#xFFFE;'],
      ['<a>&#xD800;</a>', '&#xD800;'],
      ['<a>&#x110000;</a>', '&#x110000;'],
      ['<a>&#99999999999999999999;</a>', '&#99999999999999999999;'],
      ['<a b="&"/>', '&'],
    ];
    for (const [text, reference] of cases) {
      const problem = onlyProblem(parseDocument(text));
      assert.equal(problem.code, 'xml-wellformed', text);
      assert.deepEqual(problem.span, spanOf(text, reference), text);
    }
  });

  void test('illegal character reference names the code point', () => {
    assert.match(onlyProblem(parseDocument('<a>&#1;</a>')).message, /U\+0001/);
  });

  void test('less-than sign in an attribute value', () => {
    const text = '<a b="x<y"/>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.deepEqual(problem.span, { start: 7, end: 8 });
    assert.equal(attribute(rootOf(document), 'b').value, 'x<y');
    assert.equal(attribute(rootOf(document), 'b').complete, true);
  });

  void test('duplicate attribute', () => {
    const text = '<a b="1" c="2" b="3"/>';
    const problem = onlyProblem(parseDocument(text));
    assert.deepEqual(problem.span, spanOf(text, 'b', 1));
    assert.match(problem.message, /"b" is repeated/);
  });

  void test('duplicate attribute among many', () => {
    const names = Array.from({ length: 20 }, (_, i) => `n${i}="${i}"`).join(' ');
    const text = `<a ${names} n7="again"/>`;
    assert.deepEqual(onlyProblem(parseDocument(text)).span, spanOf(text, 'n7', 1));
  });

  void test('comment containing two hyphens', () => {
    for (const [text, at] of [
      ['<a><!-- x -- y --></a>', '-- y'],
      ['<a><!-- x ---></a>', '--->'],
    ] as const) {
      const span = spanOf(text, at);
      assert.deepEqual(onlyProblem(parseDocument(text)).span, { start: span.start, end: span.start + 2 }, text);
    }
  });

  void test('CDATA section outside the root', () => {
    const text = '<a/><![CDATA[x]]>';
    assert.deepEqual(onlyProblem(parseDocument(text)).span, { start: 4, end: 13 });
  });

  void test('text outside the root', () => {
    const text = ' before <a/> after\n';
    const problems = parseDocument(text).syntaxProblems;
    assert.deepEqual(
      problems.map((problem) => problem.span),
      [spanOf(text, 'before'), spanOf(text, 'after')],
    );
  });

  void test('white space and comments outside the root are allowed', () => {
    assert.deepEqual(parseDocument('\n<!-- c -->\t<?p?>\r\n<a/>\n<!-- d -->\n').syntaxProblems, []);
  });

  void test('non-breaking space outside the root is text', () => {
    assert.equal(onlyProblem(parseDocument('\u00a0<a/>')).code, 'xml-wellformed');
  });

  void test('characters not allowed in XML, one problem per run', () => {
    const text = '<a>x\u0001\u0002\u0003y\uFFFEz\uD800w</a>\u001F';
    const document = parseDocument(text);
    const problems = wellFormedProblems(document).filter((problem) => /not allowed in XML 1\.0/.test(problem.message));
    assert.deepEqual(
      problems.map((problem) => problem.span),
      [
        { start: 4, end: 7 },
        { start: 8, end: 9 },
        { start: 10, end: 11 },
        { start: 16, end: 17 },
      ],
    );
    assert.match(problems[0]!.message, /3 characters starting with U\+0001/);
    assert.match(problems[1]!.message, /U\+FFFE/);
    assert.match(problems[2]!.message, /U\+D800/);
  });

  void test('second top-level element', () => {
    const text = '<a/>\n<b><c/></b>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.deepEqual(problem.span, spanOf(text, 'b'));
    assert.equal(rootOf(document).name, 'a');
    assert.equal(document.extraRoots.length, 1);
    assert.equal(document.extraRoots[0]!.name, 'b');
    assert.equal(child(document.extraRoots[0]!, 0).name, 'c');
  });

  void test('document without a root element', () => {
    for (const text of ['', '   \n', '<?xml version="1.0"?>\n<!-- only a comment -->\n']) {
      const document = parseDocument(text);
      assert.equal(document.root, undefined, JSON.stringify(text));
      const problem = onlyProblem(document);
      assert.match(problem.message, /no root element/);
      assert.deepEqual(problem.span, { start: text.length, end: text.length });
    }
  });

  void test('unquoted attribute value', () => {
    const text = '<a b=abc c="1"/>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.deepEqual(problem.span, spanOf(text, 'abc'));
    const b = attribute(rootOf(document), 'b');
    assert.equal(b.rawValue, 'abc');
    assert.equal(b.complete, false);
    assert.deepEqual(b.valueSpan, spanOf(text, 'abc'));
    assert.equal(attribute(rootOf(document), 'c').value, '1');
    assert.equal(rootOf(document).selfClosing, true);
  });

  void test('attribute without a value', () => {
    const text = '<a b c="1"/>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.deepEqual(problem.span, { start: 3, end: 4 });
    const b = attribute(rootOf(document), 'b');
    assert.deepEqual(b.valueSpan, { start: 4, end: 4 });
    assert.equal(b.value, '');
    assert.equal(b.complete, false);
    assert.equal(attribute(rootOf(document), 'c').value, '1');
  });

  void test('attribute with = but no value', () => {
    const text = '<a b= >x</a>';
    const document = parseDocument(text);
    assert.deepEqual(onlyProblem(document).span, { start: 3, end: 4 });
    assert.deepEqual(attribute(rootOf(document), 'b').valueSpan, { start: 6, end: 6 });
    assert.equal(rootOf(document).children.length, 1);
  });

  void test('attributes without white space between them', () => {
    const text = '<a b="1"c="2"/>';
    const document = parseDocument(text);
    assert.deepEqual(onlyProblem(document).span, { start: 8, end: 9 });
    assert.equal(rootOf(document).attributes.length, 2);
  });

  void test('quote inside a value ends it early', () => {
    const text = '<r><Details question="1" answer="The "Big" Dog" /><Details/></r>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.deepEqual(problem.span, spanOf(text, 'Big" Dog"'));
    assert.match(problem.message, /&quot;/);
    const details = child(rootOf(document), 0);
    assert.equal(details.selfClosing, true);
    assert.deepEqual(details.attributes.map((node) => node.name), ['question', 'answer']);
    assert.equal(attribute(details, 'answer').value, 'The ');
    assert.equal(elements(rootOf(document)).length, 2);
  });

  void test('slash in a start tag not followed by >', () => {
    const text = '<r><a / ><b/></r>';
    const document = parseDocument(text);
    assert.deepEqual(onlyProblem(document).span, { start: 6, end: 7 });
    assert.equal(child(rootOf(document), 0).selfClosing, true);
    assert.equal(child(rootOf(document), 1).name, 'b');
  });

  void test('unexpected text in a start tag', () => {
    const text = '<a "x y" b="1"/>';
    const document = parseDocument(text);
    assert.deepEqual(onlyProblem(document).span, { start: 3, end: 8 });
    assert.equal(attribute(rootOf(document), 'b').value, '1');
  });

  void test('text in an end tag', () => {
    const text = '<a></a junk>';
    assert.deepEqual(onlyProblem(parseDocument(text)).span, spanOf(text, 'junk'));
  });

  void test('end tag without a name', () => {
    const text = '<a></></a>';
    const document = parseDocument(text);
    assert.deepEqual(onlyProblem(document).span, { start: 3, end: 5 });
    assert.ok(rootOf(document).endTagSpan);
  });

  void test('close-bracket sequence in text', () => {
    const text = '<a>x]]>y</a>';
    assert.deepEqual(onlyProblem(parseDocument(text)).span, spanOf(text, ']]>'));
  });

  void test('markup declaration that is not a comment, CDATA or DOCTYPE', () => {
    const text = '<a><!x></a>';
    assert.deepEqual(onlyProblem(parseDocument(text)).span, { start: 3, end: 5 });
  });

  void test('problems are capped with a count of the rest', () => {
    const text = '<a>' + '&bad;'.repeat(MAX_SYNTAX_PROBLEMS + 50) + '</a>';
    const problems = parseDocument(text).syntaxProblems;
    assert.equal(problems.length, MAX_SYNTAX_PROBLEMS);
    assert.match(problems[MAX_SYNTAX_PROBLEMS - 1]!.message, /50 more syntax problems follow/);
  });

  void test('exactly the maximum number of problems needs no count', () => {
    const text = '<a>' + '&bad;'.repeat(MAX_SYNTAX_PROBLEMS) + '</a>';
    const problems = parseDocument(text).syntaxProblems;
    assert.equal(problems.length, MAX_SYNTAX_PROBLEMS);
    assert.doesNotMatch(problems[MAX_SYNTAX_PROBLEMS - 1]!.message, /more syntax problem/);
  });

  void test('problems are sorted by offset', () => {
    const problems = parseDocument('<a><b>&x;<c>&y;</a>').syntaxProblems;
    const starts = problems.map((problem) => problem.span.start);
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
  });

  void test('messages never contain an attribute value', () => {
    const secret = 'Secret42';
    const texts = [
      `<a answer=${secret} />`,
      `<a answer="${secret}\n<b/>`,
      `<a answer="${secret}<${secret}"/>`,
      `<a answer="${secret}&${secret};"/>`,
      `<a answer="${secret}&${secret}"/>`,
      `<a answer="${secret}&#1;"/>`,
      `<a answer="${secret}" answer="${secret}"/>`,
      `<a answer="${secret}"${secret} />`,
      `<a answer="x "${secret} ${secret}" ${secret}"/>`,
      `<a answer="${secret}" "${secret}"/>`,
      `<a answer='${secret}\u0001'/>`,
      `<a xmlns:${secret.toLowerCase()}="" answer="${secret}"/>`,
    ];
    for (const text of texts) {
      const document = parseDocument(text);
      assert.ok(document.syntaxProblems.length > 0, text);
      for (const problem of document.syntaxProblems) {
        assert.ok(!problem.message.includes(secret), `${text}: ${problem.message}`);
      }
    }
  });
});
