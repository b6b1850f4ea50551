import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkDocument } from '../../server/src/check/check';
import { parseDocument } from '../../server/src/check/parser';
import { findRequests } from '../../server/src/check/requests';
import { NS, securityQuestions, UTF8_DECLARATION, VALID_DETAILS, wrap } from './helpers/documents';
import { expectProblems, parseMarkers, problemsOf } from './helpers/markers';

void describe('applies', () => {
  void test('valid request file has no problems', () => {
    const result = checkDocument(wrap(securityQuestions(VALID_DETAILS)));
    assert.equal(result.applies, true);
    assert.deepEqual(result.problems, []);
  });

  void test('other XML gets no problems at all', () => {
    const result = checkDocument('<project>\n  <dependency><broken></project>\n');
    assert.equal(result.applies, false);
    assert.deepEqual(result.problems, []);
  });

  void test('empty document applies only by glob', () => {
    assert.equal(checkDocument('').applies, false);
    assert.deepEqual(checkDocument('').problems, []);

    const matched = checkDocument('', { matchedByGlob: true });
    assert.equal(matched.applies, true);
    assert.equal(problemsOf(matched.problems, 'root-element').length, 1);
    for (const problem of matched.problems) {
      assert.ok(['root-element', 'xml-wellformed'].includes(problem.code), `unexpected ${problem.code}`);
    }
  });

  void test('comment-only document applies only by glob', () => {
    const text = '<?xml version="1.0"?>\n<!-- nothing yet -->\n';
    assert.equal(checkDocument(text).applies, false);
    const matched = checkDocument(text, { matchedByGlob: true });
    assert.equal(problemsOf(matched.problems, 'root-element').length, 1);
  });

  void test('root in another namespace still applies', () => {
    expectProblems(`<⟦x:AcctMgmtRequests⟧ xmlns:x="urn:example:other">\n${securityQuestions(VALID_DETAILS, 'xmlns="' + NS + '" reference_user_name="u1"')}\n</x:AcctMgmtRequests>`, [
      'namespace',
    ]);
  });

  void test('glob-matched file with another root', () => {
    const problems = expectProblems('<⟦Requests⟧ xmlns="urn:example"/>\n', ['root-element'], { matchedByGlob: true });
    assert.match(problems[0]?.message ?? '', /Requests, not AcctMgmtRequests/);
    assert.deepEqual(problems[0]?.data, { rootName: 'Requests', missingWrapper: false });
  });

  void test('glob-matched file with another root, unmatched', () => {
    const result = checkDocument('<Requests xmlns="urn:example"/>\n');
    assert.equal(result.applies, false);
  });
});

void describe('root-element', () => {
  void test('bare SecurityQuestions root is a missing wrapper', () => {
    const problems = expectProblems(`<⟦SecurityQuestions⟧ xmlns="${NS}" reference_user_name="tester1234">\n${VALID_DETAILS}\n</SecurityQuestions>\n`, ['root-element']);
    assert.deepEqual(problems[0]?.data, { rootName: 'SecurityQuestions', missingWrapper: true });
    assert.match(problems[0]?.message ?? '', /Wrap the request in an AcctMgmtRequests element/);
  });

  void test('bare SecurityQuestions root is still checked fully', () => {
    expectProblems(
      `<⟦⟦SecurityQuestions⟧⟧ xmlns="${NS}" reference_user_name="tester1234">\n    <Details question="⟦Q1⟧" answer="a"/>\n</SecurityQuestions>\n`,
      ['root-element', 'details-count', 'question-format'],
    );
  });
});

void describe('namespace', () => {
  void test('root without namespace is reported once', () => {
    const problems = expectProblems(`<⟦AcctMgmtRequests⟧>\n${securityQuestions(VALID_DETAILS)}\n</AcctMgmtRequests>\n`, ['namespace']);
    assert.match(problems[0]?.message ?? '', /in no namespace, .* Add xmlns="[^"]+" to this element\.$/);
    assert.deepEqual(problems[0]?.data, { expected: NS, actual: null, prefix: null });
  });

  void test('wrong namespace URI names both URIs', () => {
    const wrongUri = 'https://www.interactivebrokers.com/schemas/IBCust_import';
    const problems = expectProblems(`<⟦AcctMgmtRequests⟧ xmlns="${wrongUri}">\n${securityQuestions(VALID_DETAILS)}\n</AcctMgmtRequests>\n`, ['namespace']);
    assert.ok(problems[0]?.message.includes(wrongUri));
    assert.ok(problems[0]?.message.includes(NS));
  });

  void test('prefixed elements in the namespace pass', () => {
    const text = [
      `<ib:AcctMgmtRequests xmlns:ib="${NS}">`,
      '  <ib:SecurityQuestions reference_user_name="tester1234">',
      '    <ib:Details question="9161083" answer="answer1"/>',
      '    <ib:Details question="6688721" answer="demo2"/>',
      '    <ib:Details question="9161123" answer="text3"/>',
      '  </ib:SecurityQuestions>',
      '</ib:AcctMgmtRequests>',
    ].join('\n');
    assert.deepEqual(checkDocument(text).problems, []);
  });

  void test('unprefixed request under prefixed root', () => {
    // SecurityQuestions is in no namespace; its Details inherit that and are not reported again.
    const problems = expectProblems(`<ib:AcctMgmtRequests xmlns:ib="${NS}">\n  <⟦SecurityQuestions⟧ reference_user_name="tester1234">\n${VALID_DETAILS}\n  </SecurityQuestions>\n</ib:AcctMgmtRequests>`, [
      'namespace',
    ]);
    assert.match(problems[0]?.message ?? '', /to this element or to AcctMgmtRequests\.$/);
  });

  void test('child with another wrong namespace is reported', () => {
    const details = VALID_DETAILS.replace('<Details question="6688721"', '<⟦Details⟧ xmlns="urn:example:b" question="6688721"');
    expectProblems(wrap(securityQuestions(details, 'xmlns="urn:example:a" reference_user_name="tester1234"')).replace('<SecurityQuestions', '<⟦SecurityQuestions⟧'), ['namespace', 'namespace']);
  });

  void test('undeclared prefix is named', () => {
    const { text } = parseMarkers(wrap(securityQuestions(VALID_DETAILS.replace('<Details question="6688721" answer="demo2"/>', '<x:Details question="6688721" answer="demo2"/>'))));
    const namespaceProblems = problemsOf(checkDocument(text).problems, 'namespace');
    assert.equal(namespaceProblems.length, 1);
    assert.match(namespaceProblems[0]?.message ?? '', /prefix x of element x:Details is not declared/);
  });
});

void describe('unknown-attribute', () => {
  void test('unknown attribute on SecurityQuestions', () => {
    const problems = expectProblems(wrap(securityQuestions(VALID_DETAILS, 'reference_user_name="tester1234" ⟦account_id⟧="U123"')), ['unknown-attribute']);
    assert.match(problems[0]?.message ?? '', /account_id is not defined for SecurityQuestions/);
    assert.equal(problems[0]?.data?.suggestion, null);
  });

  void test('attribute in the wrong case', () => {
    const details = VALID_DETAILS.replace('answer="demo2"', '⟦Answer⟧="demo2"').replace('<Details question="6688721"', '<⟦Details⟧ question="6688721"');
    const problems = expectProblems(wrap(securityQuestions(details)), ['required-attribute', 'unknown-attribute']);
    const unknown = problemsOf(problems, 'unknown-attribute')[0];
    assert.match(unknown?.message ?? '', /case-sensitive: write answer/);
    assert.equal(unknown?.data?.suggestion, 'answer');
  });

  void test('prefixed attribute is not the defined one', () => {
    const details = VALID_DETAILS.replace('answer="demo2"', `xmlns:ib="${NS}" ⟦ib:answer⟧="demo2"`).replace('<Details question="6688721"', '<⟦Details⟧ question="6688721"');
    const problems = expectProblems(wrap(securityQuestions(details)), ['required-attribute', 'unknown-attribute']);
    assert.match(problemsOf(problems, 'unknown-attribute')[0]?.message ?? '', /Write answer without a prefix/);
  });

  void test('attribute span in data covers the whole attribute', () => {
    const input = wrap(securityQuestions(VALID_DETAILS, 'reference_user_name="tester1234" ⟦extra⟧="a&amp;b"'));
    const problems = expectProblems(input, ['unknown-attribute']);
    const { text } = parseMarkers(input);
    const attributeSpan = problems[0]?.data?.attributeSpan as { start: number; end: number };
    assert.equal(text.slice(attributeSpan.start, attributeSpan.end), 'extra="a&amp;b"');
  });

  void test('namespace declarations and xsi attributes pass', () => {
    const xsi = 'http://www.w3.org/2001/XMLSchema-instance';
    const text = wrap(
      securityQuestions(
        VALID_DETAILS.replace('<Details question="9161083"', '<Details xsi:type="Details" question="9161083"'),
        `xmlns:xsi="${xsi}" xmlns:extra="urn:example" xsi:schemaLocation="${NS} IBCust_import.xsd" reference_user_name="tester1234"`,
      ),
    );
    assert.deepEqual(checkDocument(text).problems, []);
  });
});

void describe('required-attribute and empty-value', () => {
  void test('missing reference_user_name', () => {
    const problems = expectProblems(wrap(`  <⟦SecurityQuestions⟧>\n${VALID_DETAILS}\n  </SecurityQuestions>`), ['required-attribute']);
    assert.match(problems[0]?.message ?? '', /SecurityQuestions has no reference_user_name attribute/);
    assert.deepEqual(problems[0]?.data, { attribute: 'reference_user_name' });
  });

  void test('Details without question and answer', () => {
    const details = VALID_DETAILS.replace('<Details question="6688721" answer="demo2"/>', '<⟦⟦Details⟧⟧/>');
    const problems = expectProblems(wrap(securityQuestions(details)), ['required-attribute', 'required-attribute']);
    assert.deepEqual(
      problems.map((problem) => problem.data?.attribute),
      ['question', 'answer'],
    );
  });

  void test('empty and blank values', () => {
    const details = [
      '    <Details question="⟦⟧" answer="answer1"/>',
      '    <Details question="6688721" answer="⟦  ⟧"/>',
      '    <Details question="9161123" answer="text3"/>',
    ].join('\n');
    const problems = expectProblems(wrap(securityQuestions(details, 'reference_user_name="⟦⟧"')), ['empty-value', 'empty-value', 'empty-value']);
    assert.deepEqual(
      problems.map((problem) => problem.message),
      [
        'reference_user_name is empty. Write the IBKR user name of the account (not the account id).',
        'The question of Details 1 is empty. Write a question id from the SECURITY_QUESTIONS list, e.g. 9161083.',
        'The answer of question 6688721 is empty. Write the answer to the question.',
      ],
    );
  });

  void test('blank answers get no further checks', () => {
    const details = [
      '    <Details question="9161083" answer="⟦⟧"/>',
      '    <Details question="6688721" answer="⟦ ⟧"/>',
      '    <Details question="9161123" answer="text3"/>',
    ].join('\n');
    expectProblems(wrap(securityQuestions(details)), ['empty-value', 'empty-value']);
  });
});

void describe('unexpected-content', () => {
  void test('answer written as Details text', () => {
    const input = wrap(securityQuestions(VALID_DETAILS.replace('<Details question="6688721" answer="demo2"/>', '<Details question="6688721" answer="demo2">\n      ⟦my answer⟧\n    </Details>')));
    const problems = expectProblems(input, ['unexpected-content']);
    const { text } = parseMarkers(input);
    const data = problems[0]?.data ?? {};
    assert.equal(data.container, 'Details');
    assert.equal(data.content, 'text');
    assert.equal(data.hasAnswerAttribute, true);
    const contentSpan = data.contentSpan as { start: number; end: number };
    assert.equal(text.slice(contentSpan.start, contentSpan.end), '\n      my answer\n    ');
    const nameSpan = data.containerNameSpan as { start: number; end: number };
    assert.equal(text.slice(nameSpan.start, nameSpan.end), 'Details');
  });

  void test('Details text instead of the answer attribute', () => {
    const details = VALID_DETAILS.replace('<Details question="6688721" answer="demo2"/>', '<⟦Details⟧ question="6688721">⟦demo2⟧</Details>');
    const problems = expectProblems(wrap(securityQuestions(details)), ['required-attribute', 'unexpected-content']);
    assert.equal(problemsOf(problems, 'unexpected-content')[0]?.data?.hasAnswerAttribute, false);
  });

  void test('element inside Details', () => {
    const details = VALID_DETAILS.replace('<Details question="6688721" answer="demo2"/>', '<Details question="6688721" answer="demo2"><⟦answer⟧>demo2</answer></Details>');
    const problems = expectProblems(wrap(securityQuestions(details)), ['unexpected-content']);
    assert.match(problems[0]?.message ?? '', /Element answer is not allowed inside Details/);
  });

  void test('CDATA inside SecurityQuestions', () => {
    const problems = expectProblems(wrap(securityQuestions(`${VALID_DETAILS}\n    ⟦<![CDATA[note]]>⟧`)), ['unexpected-content']);
    assert.equal(problems[0]?.data?.content, 'cdata');
  });

  void test('misspelled Details element', () => {
    const details = VALID_DETAILS.replace('<Details question="6688721"', '<⟦details⟧ question="6688721"');
    const problems = expectProblems(wrap(securityQuestions(details).replace('<SecurityQuestions', '<⟦SecurityQuestions⟧')), ['details-count', 'unexpected-content']);
    assert.match(problemsOf(problems, 'unexpected-content')[0]?.message ?? '', /case-sensitive: write Details/);
  });

  void test('text directly inside AcctMgmtRequests', () => {
    const problems = expectProblems(wrap(`  ⟦stray text⟧\n${securityQuestions(VALID_DETAILS)}`), ['unexpected-content']);
    assert.equal(problems[0]?.data?.container, 'AcctMgmtRequests');
  });

  void test('comments and processing instructions pass', () => {
    const details = VALID_DETAILS.replace('<Details question="6688721" answer="demo2"/>', '<Details question="6688721" answer="demo2"><!-- reviewed --><?review done?></Details>');
    const text = wrap(`  <!-- one request -->\n${securityQuestions(`    <?generator test?>\n${details}`)}`);
    assert.deepEqual(checkDocument(text).problems, []);
  });

  void test('non-breaking space is content', () => {
    expectProblems(wrap(securityQuestions(`${VALID_DETAILS}\n    ⟦\u00a0⟧`), UTF8_DECLARATION), ['unexpected-content']);
  });
});

void describe('details-count', () => {
  void test('two Details', () => {
    const details = VALID_DETAILS.split('\n').slice(0, 2).join('\n');
    const problems = expectProblems(wrap(securityQuestions(details).replace('<SecurityQuestions', '<⟦SecurityQuestions⟧')), ['details-count']);
    assert.match(problems[0]?.message ?? '', /for user tester1234 has 2 Details, but IBKR requires exactly 3/);
    assert.match(problems[0]?.message ?? '', /Add 1 Details element\./);
    assert.deepEqual(problems[0]?.data, { count: 2, expected: 3 });
  });

  void test('four Details', () => {
    const details = `${VALID_DETAILS}\n    <Details question="1234567" answer="other4"/>`;
    const problems = expectProblems(wrap(securityQuestions(details).replace('<SecurityQuestions', '<⟦SecurityQuestions⟧')), ['details-count']);
    assert.match(problems[0]?.message ?? '', /Remove 1 Details element\./);
  });

  void test('no Details', () => {
    const problems = expectProblems(wrap('  <⟦SecurityQuestions⟧ reference_user_name="tester1234"/>'), ['details-count']);
    assert.equal(problems[0]?.data?.count, 0);
  });
});

void describe('request-type-unchecked', () => {
  void test('other request type is information', () => {
    const problems = expectProblems(wrap(`${securityQuestions(VALID_DETAILS)}\n  <⟦UpdateAddress⟧ reference_account_id="U123" unknown="x">\n    <Anything/>\n  </UpdateAddress>`), [
      'request-type-unchecked',
    ]);
    assert.equal(problems[0]?.severity, 'information');
    assert.equal(problems[0]?.data?.requestType, 'UpdateAddress');
  });
});

void describe('findRequests', () => {
  void test('requests and details in document order', () => {
    const text = wrap(`${securityQuestions(VALID_DETAILS, 'reference_user_name="first" input_language="ja"')}\n  <Other/>\n${securityQuestions(VALID_DETAILS, 'reference_user_name="second"')}`);
    const requests = findRequests(parseDocument(text));
    assert.deepEqual(
      requests.map((request) => request.requestType),
      ['SecurityQuestions', 'Other', 'SecurityQuestions'],
    );
    assert.equal(requests[0]?.userName?.value, 'first');
    assert.equal(requests[0]?.inputLanguage?.value, 'ja');
    assert.equal(requests[2]?.inputLanguage, undefined);
    assert.deepEqual(
      requests[0]?.details.map((detail) => detail.question?.value),
      ['9161083', '6688721', '9161123'],
    );
    assert.deepEqual(requests[1]?.details, []);
    assert.equal(requests[0]?.parentNamespaceURI, NS);
  });

  void test('bare SecurityQuestions root is the request', () => {
    const requests = findRequests(parseDocument(`<SecurityQuestions xmlns="${NS}" reference_user_name="u">\n${VALID_DETAILS}\n</SecurityQuestions>`));
    assert.equal(requests.length, 1);
    assert.equal(requests[0]?.details.length, 3);
    assert.equal(requests[0]?.parentNamespaceURI, undefined);
  });

  void test('other root has no requests', () => {
    assert.deepEqual(findRequests(parseDocument('<Requests><SecurityQuestions/></Requests>')), []);
    assert.deepEqual(findRequests(parseDocument('')), []);
  });

  void test('unfinished Details is still found', () => {
    const text = `<AcctMgmtRequests xmlns="${NS}">\n  <SecurityQuestions reference_user_name="u">\n    <Details question="9161083" answer="answer1"/>\n    <Details question="66`;
    const requests = findRequests(parseDocument(text));
    assert.equal(requests.length, 1);
    const details = requests[0]?.details ?? [];
    assert.equal(details.length, 2);
    assert.equal(details[1]?.element.startTagComplete, false);
    assert.equal(details[1]?.question?.name, 'question');
  });
});
