import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkDocument } from '../../server/src/check/check';
import { toLspDiagnostic } from '../../server/src/check/diagnostics';
import type { Problem } from '../../server/src/check/model';
import { NS, securityQuestions, UTF8_DECLARATION, VALID_DETAILS, wrap } from './helpers/documents';
import { expectProblems, parseMarkers } from './helpers/markers';

const URI = 'file:///work/requests/security.ibkr.xml';

void describe('problem ranges', () => {
  void test('raw value with entities undecoded', () => {
    const input = wrap(securityQuestions(VALID_DETAILS.replace('question="6688721"', 'question="⟦Q&amp;&#65;⟧"')));
    const problems = expectProblems(input, ['question-format']);
    assert.match(problems[0]?.message ?? '', /^The question id is not a decimal integer/);
  });

  void test('value spanning lines', () => {
    const input = wrap(securityQuestions(VALID_DETAILS.replace('question="6688721"', 'question="⟦66\n88721⟧"')));
    expectProblems(input, ['question-format']);
  });

  void test('CRLF line endings', () => {
    const input = wrap(securityQuestions(VALID_DETAILS.replace('question="6688721"', 'question="⟦x1⟧"'))).replace(/\n/g, '\r\n');
    const [problem] = expectProblems(input, ['question-format']);
    const { text } = parseMarkers(input);
    const diagnostic = toLspDiagnostic(problem as Problem, TextDocument.create(URI, 'xml', 1, text), URI);
    // Line 0 is the root, 1 SecurityQuestions, 2 and 3 the first two Details.
    assert.deepEqual(diagnostic.range, { start: { line: 3, character: 23 }, end: { line: 3, character: 25 } });
  });

  void test('byte-order mark shifts offsets', () => {
    const input = `\uFEFF${wrap(securityQuestions(VALID_DETAILS.replace('question="6688721"', 'question="⟦x1⟧"')))}`;
    const [problem] = expectProblems(input, ['question-format']);
    assert.equal(parseMarkers(input).text.slice(problem?.span.start, problem?.span.end), 'x1');
  });

  void test('astral characters before the range', () => {
    const details = VALID_DETAILS.replace('<Details question="6688721" answer="demo2"/>', '<Details answer="\u{1F600}\u{1F600}" question="⟦x1⟧"/>');
    const input = wrap(securityQuestions(details), UTF8_DECLARATION);
    const [problem] = expectProblems(input, ['question-format']);
    const { text } = parseMarkers(input);
    const diagnostic = toLspDiagnostic(problem as Problem, TextDocument.create(URI, 'xml', 1, text), URI);
    // LSP characters are UTF-16 code units, so each emoji counts 2.
    assert.deepEqual(diagnostic.range, { start: { line: 4, character: 37 }, end: { line: 4, character: 39 } });
  });

  void test('multi-line start tag', () => {
    const details = VALID_DETAILS.replace('<Details question="6688721" answer="demo2"/>', '<⟦Details⟧\n      question="6688721"\n      answr="demo2"\n    />');
    expectProblems(wrap(securityQuestions(details)).replace('answr', '⟦answr⟧'), ['required-attribute', 'unknown-attribute']);
  });

  void test('duplicates point at the first occurrence', () => {
    const input = wrap(
      [
        securityQuestions(detailLines('9161083', 'Same', '9161083', 'same', '9161123', 'SAME'), 'reference_user_name="tester1234"'),
        securityQuestions(VALID_DETAILS, 'reference_user_name="tester1234"'),
      ].join('\n'),
    );
    const problems = checkDocument(input).problems;
    for (const problem of problems) {
      const related = problem.related ?? [];
      assert.equal(related.length, 1, problem.code);
      assert.ok((related[0]?.span.start ?? Infinity) < problem.span.start, `${problem.code} is on the later occurrence`);
    }
    assert.deepEqual(
      problems.map((problem) => problem.code).sort(),
      ['answer-similar', 'answer-similar', 'duplicate-user', 'question-duplicate'],
    );
  });
});

function detailLines(...values: string[]): string {
  const lines: string[] = [];
  for (let index = 0; index + 1 < values.length; index += 2) {
    lines.push(`    <Details question="${values[index] ?? ''}" answer="${values[index + 1] ?? ''}"/>`);
  }
  return lines.join('\n');
}

void describe('toLspDiagnostic', () => {
  const text = wrap(securityQuestions(VALID_DETAILS));
  const document = TextDocument.create(URI, 'xml', 1, text);

  void test('maps every field', () => {
    const problem: Problem = {
      code: 'answer-similar',
      severity: 'warning',
      span: { start: 10, end: 20 },
      message: 'The answer of question 2 differs from the answer of question 1 only in letter case, white space or Unicode normalization.',
      related: [{ span: { start: 0, end: 5 }, message: 'The answer of question 1' }],
      data: { firstIndex: 0 },
    };
    const diagnostic = toLspDiagnostic(problem, document, URI);
    assert.equal(diagnostic.source, 'ibkr');
    assert.equal(diagnostic.code, 'answer-similar');
    assert.equal(diagnostic.severity, DiagnosticSeverity.Warning);
    assert.equal(diagnostic.message, problem.message);
    assert.deepEqual(diagnostic.range, { start: document.positionAt(10), end: document.positionAt(20) });
    assert.deepEqual(diagnostic.relatedInformation, [{ location: { uri: URI, range: { start: document.positionAt(0), end: document.positionAt(5) } }, message: 'The answer of question 1' }]);
    assert.deepEqual(diagnostic.data, { firstIndex: 0 });
  });

  void test('severities map to LSP values', () => {
    const severities = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, information: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint } as const;
    for (const [severity, expected] of Object.entries(severities)) {
      const diagnostic = toLspDiagnostic({ code: 'namespace', severity: severity as Problem['severity'], span: { start: 0, end: 1 }, message: 'm' }, document, URI);
      assert.equal(diagnostic.severity, expected, severity);
    }
  });

  void test('out-of-range offsets are clamped', () => {
    const end = document.positionAt(text.length);
    const cases: [Problem['span'], { line: number; character: number }, { line: number; character: number }][] = [
      [{ start: -5, end: Number.NaN }, { line: 0, character: 0 }, { line: 0, character: 0 }],
      [{ start: text.length + 100, end: text.length + 200 }, end, end],
      [{ start: 10, end: 3 }, document.positionAt(10), document.positionAt(10)],
      [{ start: Number.POSITIVE_INFINITY, end: Number.NEGATIVE_INFINITY }, { line: 0, character: 0 }, { line: 0, character: 0 }],
    ];
    for (const [span, start, expectedEnd] of cases) {
      const diagnostic = toLspDiagnostic({ code: 'namespace', severity: 'error', span, message: 'm', related: [{ span, message: 'r' }] }, document, URI);
      assert.deepEqual(diagnostic.range, { start, end: expectedEnd }, JSON.stringify(span));
      assert.deepEqual(diagnostic.relatedInformation?.[0]?.location.range, { start, end: expectedEnd });
    }
  });

  void test('no related information when there is none', () => {
    const diagnostic = toLspDiagnostic({ code: 'namespace', severity: 'error', span: { start: 1, end: 17 }, message: `Element AcctMgmtRequests is in no namespace, but IBKR expects the namespace ${NS}.` }, document, URI);
    assert.equal(diagnostic.relatedInformation, undefined);
    assert.equal(diagnostic.data, undefined);
  });
});
