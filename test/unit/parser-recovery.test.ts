import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ElementNode, ParsedDocument, Span, SyntaxProblem } from '../../server/src/check/model';
import { parseDocument } from '../../server/src/check/parser';

const HEAD = '<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">\n<SecurityQuestions reference_user_name="tester1234">\n';
const FIRST = '<Details question="9161083" answer="answer1"/>\n';
const SECOND = '<Details question="6688721" answer="demo2"/>\n';
const THIRD = '<Details question="9161123" answer="text3"/>\n';
const TAIL = '</SecurityQuestions>\n</AcctMgmtRequests>\n';

/** A Details element as the tests compare it: its attributes, and whether each value is complete. */
interface DetailsSummary {
  question: string | undefined;
  answer: string | undefined;
  complete: boolean;
}

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

function securityQuestions(document: ParsedDocument): ElementNode {
  const request = document.root === undefined ? undefined : elements(document.root)[0];
  assert.ok(request, 'no SecurityQuestions element');
  assert.equal(request.name, 'SecurityQuestions');
  return request;
}

function summarize(element: ElementNode): DetailsSummary {
  const question = element.attributes.find((attribute) => attribute.name === 'question');
  const answer = element.attributes.find((attribute) => attribute.name === 'answer');
  return {
    question: question?.value,
    answer: answer?.value,
    complete: element.startTagComplete && element.attributes.every((attribute) => attribute.complete),
  };
}

function problemAt(document: ParsedDocument, span: Span): SyntaxProblem {
  const found = document.syntaxProblems.find((problem) => problem.span.start === span.start && problem.span.end === span.end);
  assert.ok(found, `no problem at ${JSON.stringify(span)}: ${JSON.stringify(document.syntaxProblems, null, 1)}`);
  return found;
}

const FIRST_SUMMARY: DetailsSummary = { question: '9161083', answer: 'answer1', complete: true };
const SECOND_SUMMARY: DetailsSummary = { question: '6688721', answer: 'demo2', complete: true };
const THIRD_SUMMARY: DetailsSummary = { question: '9161123', answer: 'text3', complete: true };

void describe('parseDocument recovery', () => {
  void test('unclosed element at the end', () => {
    const text = '<a>\n  <Details question="1">\n    text';
    const document = parseDocument(text);
    const details = elements(document.root!)[0]!;
    assert.equal(details.endTagSpan, undefined);
    assert.equal(details.span.end, text.length);
    assert.equal(document.root!.span.end, text.length);
    const problem = problemAt(document, spanOf(text, 'Details'));
    assert.match(problem.message, /Element <Details> is not closed/);
    assert.deepEqual(
      document.syntaxProblems.map((item) => item.span),
      [{ start: 1, end: 2 }, spanOf(text, 'Details')],
    );
  });

  void test('end tag closes the elements left open inside it', () => {
    const text = '<a><b><c><d></b><e/></a>';
    const document = parseDocument(text);
    const root = document.root!;
    const b = elements(root)[0]!;
    assert.deepEqual(b.endTagSpan, spanOf(text, '</b>'));
    const c = elements(b)[0]!;
    const d = elements(c)[0]!;
    for (const element of [c, d]) {
      assert.equal(element.endTagSpan, undefined);
      assert.equal(element.span.end, text.indexOf('</b>'));
    }
    assert.deepEqual(
      document.syntaxProblems.map((problem) => problem.span),
      [spanOf(text, 'c'), spanOf(text, 'd')],
    );
    assert.deepEqual(elements(root).map((element) => element.name), ['b', 'e']);
    assert.deepEqual(root.endTagSpan, spanOf(text, '</a>'));
  });

  void test('stray end tag is reported and ignored', () => {
    const text = HEAD + FIRST + '</Detail>\n' + SECOND + THIRD + TAIL;
    const document = parseDocument(text);
    const endTag = spanOf(text, '</Detail>');
    const problem = problemAt(document, { start: endTag.start + 2, end: endTag.end - 1 });
    assert.match(problem.message, /<\/Detail> does not match the open element <SecurityQuestions>/);
    assert.equal(document.syntaxProblems.length, 1);
    assert.deepEqual(elements(securityQuestions(document)).map(summarize), [FIRST_SUMMARY, SECOND_SUMMARY, THIRD_SUMMARY]);
  });

  void test('end tag after the root has no start tag', () => {
    const text = '<a/></a>';
    const problem = problemAt(parseDocument(text), { start: 6, end: 7 });
    assert.match(problem.message, /no matching start tag/);
  });

  void test('end tag without >', () => {
    const text = '<a><b></b\n<c/></a>';
    const document = parseDocument(text);
    const b = elements(document.root!)[0]!;
    assert.deepEqual(b.endTagSpan, { start: 6, end: 9 });
    assert.deepEqual(problemAt(document, { start: 9, end: 9 }).message, 'End tag </b> is not closed: add ">" here.');
    assert.deepEqual(elements(document.root!).map((element) => element.name), ['b', 'c']);
  });

  void test('start tag broken off by the next line', () => {
    const broken = '<Details question="6688721" answer="demo2"\n';
    const text = HEAD + FIRST + broken + THIRD + TAIL;
    const document = parseDocument(text);
    const missing = text.indexOf(broken) + broken.length - 1;
    const problem = onlyProblem(document);
    assert.deepEqual(problem.span, { start: missing, end: missing });
    assert.match(problem.message, /Start tag of <Details> is not closed/);

    const details = elements(securityQuestions(document));
    assert.deepEqual(details.map(summarize), [FIRST_SUMMARY, { ...SECOND_SUMMARY, complete: false }, THIRD_SUMMARY]);
    const second = details[1]!;
    assert.equal(second.startTagComplete, false);
    assert.equal(second.selfClosing, false);
    assert.deepEqual(second.startTagSpan, { start: text.indexOf(broken), end: missing });
    assert.deepEqual(second.span, second.startTagSpan);
    assert.deepEqual(second.children, []);
    assert.ok(securityQuestions(document).endTagSpan);
  });

  void test('start tag broken off by the end of the text', () => {
    const text = '<a><b c="1"';
    const document = parseDocument(text);
    const b = elements(document.root!)[0]!;
    assert.equal(b.startTagComplete, false);
    assert.equal(b.attributes[0]?.value, '1');
    assert.deepEqual(b.startTagSpan, { start: 3, end: text.length });
    assert.ok(document.syntaxProblems.some((problem) => problem.span.start === text.length && /Start tag of <b>/.test(problem.message)));
  });

  void test('unclosed attribute value followed by complete lines', () => {
    const broken = '<Details question="66\n';
    const text = HEAD + FIRST + broken + THIRD + TAIL;
    const document = parseDocument(text);
    const quote = text.indexOf(broken) + broken.indexOf('"');
    const valueProblem = problemAt(document, { start: quote, end: quote + 1 });
    assert.equal(valueProblem.message, 'Attribute value of "question" is not closed: add the closing " before the end of the tag.');

    const details = elements(securityQuestions(document));
    assert.deepEqual(details.map(summarize), [FIRST_SUMMARY, { question: '66', answer: undefined, complete: false }, THIRD_SUMMARY]);
    const question = details[1]!.attributes[0]!;
    assert.equal(question.complete, false);
    assert.deepEqual(question.valueSpan, { start: quote + 1, end: quote + 3 });
    assert.equal(document.syntaxProblems.length, 2);
  });

  void test('unclosed single-quoted value with CRLF', () => {
    const text = "<r>\r\n<Details question='1\r\n<Details question='2' answer='b'/>\r\n</r>";
    const document = parseDocument(text);
    const details = elements(document.root!);
    assert.deepEqual(details.map(summarize), [
      { question: '1', answer: undefined, complete: false },
      { question: '2', answer: 'b', complete: true },
    ]);
    assert.ok(document.root!.endTagSpan);
  });

  void test('unclosed attribute value at the end of the text', () => {
    const text = '<a b="xyz';
    const document = parseDocument(text);
    const b = document.root!.attributes[0]!;
    assert.equal(b.value, 'xyz');
    assert.equal(b.complete, false);
    assert.deepEqual(b.valueSpan, { start: 6, end: 9 });
    problemAt(document, { start: 5, end: 6 });
  });

  void test('unquoted value keeps the following attributes', () => {
    const text = HEAD + '<Details question=9161083 answer="answer1"/>\n' + SECOND + THIRD + TAIL;
    const document = parseDocument(text);
    assert.equal(document.syntaxProblems.length, 1);
    const details = elements(securityQuestions(document));
    assert.deepEqual(details.map(summarize), [{ ...FIRST_SUMMARY, complete: false }, SECOND_SUMMARY, THIRD_SUMMARY]);
  });

  // Test names describe the case and leave out the value: a test's output never shows an answer.
  const unquotedCases: [label: string, written: string][] = [
    ['no quotes', 'answer=Rexy Fluffy Spot />'],
    ['curly double quotes', 'answer=\u201cRexy Fluffy Spot\u201d />'],
    ['curly opening, straight closing quote', "answer=\u2018Rexy Fluffy Spot' />"],
    ['closing quote only', 'answer=Rexy Fluffy Spot"/>'],
    ['tab before the next attribute', 'answer=Rexy Fluffy Spot\tinput_language="en"/>'],
  ];
  for (const [label, written] of unquotedCases) {
    void test(`unquoted value with spaces: ${label}`, () => {
      const text = HEAD + FIRST + `<Details question="6688721" ${written}\n` + THIRD + TAIL;
      const document = parseDocument(text);
      assert.equal(document.syntaxProblems.length, 1, JSON.stringify(document.syntaxProblems));
      const problem = document.syntaxProblems[0] as SyntaxProblem;
      assert.match(problem.message, /^The value of answer is not in quotes/);
      assert.doesNotMatch(problem.message, /Rexy|Fluffy|Spot/);
      const second = elements(securityQuestions(document))[1] as ElementNode;
      assert.deepEqual(
        second.attributes.map((attribute) => [attribute.name, attribute.value]),
        [
          ['question', '6688721'],
          ['answer', 'Rexy Fluffy Spot'],
          ...(written.includes('input_language') ? [['input_language', 'en']] : []),
        ],
      );
    });
  }

  void test('attribute without a value keeps the following attributes', () => {
    const text = HEAD + '<Details question answer="answer1"/>\n' + SECOND + THIRD + TAIL;
    const document = parseDocument(text);
    assert.equal(document.syntaxProblems.length, 1);
    const details = elements(securityQuestions(document));
    assert.deepEqual(details.map(summarize), [{ question: '', answer: 'answer1', complete: false }, SECOND_SUMMARY, THIRD_SUMMARY]);
  });

  void test('stray less-than sign in text', () => {
    const text = '<a>x < y<b/></a>';
    const document = parseDocument(text);
    const problem = onlyProblem(document);
    assert.deepEqual(problem.span, { start: 5, end: 6 });
    const root = document.root!;
    assert.equal(root.children[0]?.kind, 'text');
    assert.equal(root.children[0]?.kind === 'text' ? root.children[0].value : '', 'x < y');
    assert.deepEqual(elements(root).map((element) => element.name), ['b']);
  });

  void test('unclosed comment ends before the next tag', () => {
    const text = HEAD + FIRST + '<!-- half typed\n' + SECOND + THIRD + TAIL;
    const document = parseDocument(text);
    assert.deepEqual(onlyProblem(document).span, spanOf(text, '<!--'));
    assert.deepEqual(elements(securityQuestions(document)).map(summarize), [FIRST_SUMMARY, SECOND_SUMMARY, THIRD_SUMMARY]);
  });

  void test('unclosed CDATA section and processing instruction end before the next tag', () => {
    for (const opening of ['<![CDATA[ half', '<?pi half']) {
      const text = HEAD + FIRST + opening + '\n' + SECOND + THIRD + TAIL;
      const document = parseDocument(text);
      assert.deepEqual(onlyProblem(document).span.start, text.indexOf(opening), opening);
      assert.deepEqual(elements(securityQuestions(document)).map(summarize), [FIRST_SUMMARY, SECOND_SUMMARY, THIRD_SUMMARY], opening);
    }
  });

  void test('unclosed XML declaration', () => {
    const text = '<?xml version="1.0" encoding="UTF-8"\n<a/>';
    const document = parseDocument(text);
    assert.equal(document.xmlDeclaration?.encoding?.value, 'UTF-8');
    assert.deepEqual(document.xmlDeclaration?.span, { start: 0, end: 36 });
    assert.deepEqual(onlyProblem(document).span, { start: 36, end: 36 });
    assert.equal(document.root?.name, 'a');
  });

  void test('lone surrogate before the next tag', () => {
    // A high surrogate without its low half is one code unit, so the `<` after it starts a tag.
    const text = HEAD + '<Details question="9161083" \uD83D<Details question="6688721" answer="demo2"/>\n' + THIRD + TAIL;
    const request = securityQuestions(parseDocument(text));
    assert.deepEqual(
      elements(request).map((element) => element.attributes.map((attribute) => attribute.name)),
      [['question'], ['question', 'answer'], ['question', 'answer']],
      'the second Details is an element, not attributes of the first',
    );
  });

  void test('typing a Details line keeps its siblings', () => {
    const line = '<Details question="6688721" answer="demo2" />';
    for (let length = 0; length < line.length; length++) {
      const typed = line.slice(0, length);
      const text = HEAD + FIRST + typed + '\n' + THIRD + TAIL;
      const document = parseDocument(text);
      const request = securityQuestions(document);
      const details = elements(request);
      const label = JSON.stringify(typed);
      assert.deepEqual(details[0] && summarize(details[0]), FIRST_SUMMARY, label);
      assert.deepEqual(details.at(-1) && summarize(details.at(-1)!), THIRD_SUMMARY, label);
      assert.ok(details.length === 2 || details.length === 3, `${label}: ${details.length} elements`);
      assert.ok(request.endTagSpan, `${label}: SecurityQuestions lost its end tag`);
      assert.ok(document.root?.endTagSpan, `${label}: the root lost its end tag`);
      if (length > 0) {
        assert.ok(document.syntaxProblems.length > 0, `${label}: no problem reported`);
      }
    }
  });

  void test('typing the last Details line keeps the end tags', () => {
    const line = "<Details question='9161123' answer='text3'/>";
    for (let length = 1; length < line.length; length++) {
      const typed = line.slice(0, length);
      const text = HEAD + FIRST + SECOND + typed + '\n' + TAIL;
      const document = parseDocument(text);
      const request = securityQuestions(document);
      const label = JSON.stringify(typed);
      assert.deepEqual(elements(request).slice(0, 2).map(summarize), [FIRST_SUMMARY, SECOND_SUMMARY], label);
      assert.ok(request.endTagSpan, `${label}: SecurityQuestions lost its end tag`);
      assert.ok(document.root?.endTagSpan, `${label}: the root lost its end tag`);
    }
  });
});

function onlyProblem(document: ParsedDocument): SyntaxProblem {
  assert.equal(document.syntaxProblems.length, 1, JSON.stringify(document.syntaxProblems, null, 1));
  return document.syntaxProblems[0]!;
}
