import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogFromEntries } from '../../server/src/check/catalog';
import { checkDocument, hasErrors } from '../../server/src/check/check';
import { longestRepeatedRun } from '../../server/src/check/rules/answerConstraint';
import { loadSampleCatalog, readFixture, securityQuestions, UTF8_DECLARATION, VALID_DETAILS, wrap } from './helpers/documents';
import { expectProblems, parseMarkers, problemsOf } from './helpers/markers';

/** Three Details with the given question ids and answers, one per line. */
function details(...pairs: [question: string, answer: string][]): string {
  return pairs.map(([question, answer]) => `    <Details question="${question}" answer="${answer}"/>`).join('\n');
}

void describe('IBKR sample request', () => {
  void test('sample with its question list passes', () => {
    const result = checkDocument(readFixture('ibkr-sample.xml'), { catalog: loadSampleCatalog() });
    assert.equal(result.applies, true);
    assert.deepEqual(result.problems, []);
    assert.equal(hasErrors(result.problems), false);
  });

  void test('sample without a question list passes', () => {
    assert.deepEqual(checkDocument(readFixture('ibkr-sample.xml')).problems, []);
  });
});

void describe('question-format', () => {
  void test('non-numeric id', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['⟦Q1⟧', 'answer1'], ['6688721', 'demo2'], ['9161123', 'text3']))), ['question-format']);
    assert.equal(problems[0]?.message, 'The question id is not a decimal integer. Write the id from the SECURITY_QUESTIONS list, digits only (e.g. 9161083), not the question text or an answer.');
  });

  void test('invalid question id never quoted', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['9161083', 'answer1'], ['⟦Rexy Fluffy⟧', '6688721'], ['9161123', 'text3']))), ['question-format']);
    assert.ok(!JSON.stringify(problems).includes('Rexy'), JSON.stringify(problems));
  });

  void test('answer of an invalid id is named by position', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['9161083', 'answer1'], ['⟦Rexy Fluffy⟧', '⟦answer1⟧'], ['9161123', 'text3']))), ['question-format', 'answer-duplicate']);
    assert.match(problems[1]?.message ?? '', /^The answer of Details 2 is the same as/);
    assert.ok(!JSON.stringify(problems).includes('Rexy'), JSON.stringify(problems));
  });

  void test('id with surrounding white space', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['⟦ 9161083 ⟧', 'answer1'], ['6688721', 'demo2'], ['9161123', 'text3']))), ['question-format']);
    assert.match(problems[0]?.message ?? '', /Remove the white space around it/);
  });

  void test('negative and decimal ids', () => {
    expectProblems(wrap(securityQuestions(details(['⟦-5⟧', 'answer1'], ['⟦6688721.0⟧', 'demo2'], ['9161123', 'text3']))), ['question-format', 'question-format']);
  });
});

void describe('question-unknown', () => {
  void test('id outside the loaded list names its origin', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['9161083', 'answer1'], ['⟦1234567⟧', 'demo2'], ['9161123', 'text3']))), ['question-unknown'], {
      catalog: loadSampleCatalog(),
    });
    assert.match(problems[0]?.message ?? '', /Question 1234567 is not in the question list ibkr-sample-questions\.json/);
    assert.deepEqual(problems[0]?.data, { questionId: '1234567', origin: 'ibkr-sample-questions.json' });
  });

  void test('no list loaded, no check', () => {
    const text = wrap(securityQuestions(details(['9161083', 'answer1'], ['1234567', 'demo2'], ['9161123', 'text3'])));
    assert.deepEqual(checkDocument(text).problems, []);
  });

  void test('leading zeros match the list', () => {
    const text = wrap(securityQuestions(details(['09161083', 'answer1'], ['6688721', 'demo2'], ['9161123', 'text3'])));
    assert.deepEqual(checkDocument(text, { catalog: loadSampleCatalog() }).problems, []);
  });

  void test('malformed id is not also unknown', () => {
    expectProblems(wrap(securityQuestions(details(['⟦abc⟧', 'answer1'], ['6688721', 'demo2'], ['9161123', 'text3']))), ['question-format'], { catalog: loadSampleCatalog() });
  });
});

void describe('question-duplicate', () => {
  void test('later occurrence points at the first', () => {
    const input = wrap(securityQuestions(details(['9161083', 'answer1'], ['⟦9161083⟧', 'demo2'], ['9161123', 'text3'])));
    const [duplicate] = expectProblems(input, ['question-duplicate']);
    const first = parseMarkers(input).text.indexOf('9161083');
    assert.deepEqual(duplicate?.related, [{ span: { start: first, end: first + 7 }, message: 'First use of question 9161083' }]);
    assert.match(duplicate?.message ?? '', /already used by Details 1 of this request/);
  });

  void test('ids compare as integers', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['7', 'answer1'], ['⟦007⟧', 'demo2'], ['9161123', 'text3']))), ['question-duplicate']);
    assert.equal(problems[0]?.data?.questionId, '7');
  });

  void test('three equal ids give two problems', () => {
    expectProblems(wrap(securityQuestions(details(['7', 'answer1'], ['⟦7⟧', 'demo2'], ['⟦7⟧', 'text3']))), ['question-duplicate', 'question-duplicate']);
  });
});

void describe('answer-too-long and answer-bytes', () => {
  void test('257 characters is too long, 256 is not', () => {
    const long = 'ab'.repeat(128) + 'c';
    const problems = expectProblems(wrap(securityQuestions(details(['9161083', `⟦${long}⟧`], ['6688721', 'ab'.repeat(128)], ['9161123', 'text3']))), ['answer-too-long']);
    assert.equal(problems[0]?.message, 'The answer of question 9161083 is 257 characters long, but IBKR allows at most 256. Shorten it by 1 character.');
    assert.deepEqual(problems[0]?.data, { length: 257, maxLength: 256 });
  });

  void test('entities count as one character', () => {
    // 255 letters and one &amp; are 256 characters after decoding, 260 before.
    const text = wrap(securityQuestions(details(['9161083', 'ab'.repeat(127) + 'c&amp;'], ['6688721', 'demo2'], ['9161123', 'text3'])));
    assert.deepEqual(checkDocument(text).problems, []);
  });

  void test('astral characters count as one each', () => {
    const emoji = '\u{1F600}';
    const atLimit = emoji.repeat(256);
    const overLimit = emoji.repeat(257);
    const problems = expectProblems(
      wrap(securityQuestions(details(['9161083', `⟦${atLimit}⟧`], ['6688721', `⟦${overLimit}⟧`], ['9161123', 'text3'])), UTF8_DECLARATION),
      ['answer-bytes', 'answer-too-long'],
    );
    assert.equal(problems[0]?.severity, 'warning');
    assert.deepEqual(problems[0]?.data, { length: 256, bytes: 1024, maxLength: 256 });
  });

  void test('two-byte characters over 256 bytes warn', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['9161083', `⟦${'é'.repeat(129)}⟧`], ['6688721', 'é'.repeat(128)], ['9161123', 'text3'])), UTF8_DECLARATION), [
      'answer-bytes',
    ]);
    assert.match(problems[0]?.message ?? '', /is 129 characters but 258 bytes in UTF-8/);
  });
});

void describe('answer-duplicate and answer-similar', () => {
  void test('equal after decoding is a duplicate', () => {
    const text = wrap(securityQuestions(details(['9161083', 'a&amp;b'], ['6688721', 'a&#38;b'], ['9161123', 'text3'])));
    const problems = checkDocument(text).problems;
    assert.deepEqual(
      problems.map((problem) => problem.code),
      ['answer-duplicate'],
    );
    const first = text.indexOf('a&amp;b');
    const second = text.indexOf('a&#38;b');
    assert.deepEqual(problems[0]?.span, { start: second, end: second + 'a&#38;b'.length });
    assert.deepEqual(problems[0]?.related, [{ span: { start: first, end: first + 'a&amp;b'.length }, message: 'The answer of question 9161083' }]);
    assert.equal(problems[0]?.message, 'The answer of question 6688721 is the same as the answer of question 9161083. IBKR requires 3 different answers: change one of them.');
  });

  void test('case and white space differences are similar', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['9161083', 'Blue Car'], ['6688721', '⟦ blue   CAR ⟧'], ['9161123', 'text3']))), ['answer-similar']);
    assert.equal(problems[0]?.severity, 'warning');
    assert.match(problems[0]?.message ?? '', /differs from the answer of question 9161083 only in letter case, white space or Unicode normalization/);
  });

  void test('NFC-equal answers are similar', () => {
    expectProblems(wrap(securityQuestions(details(['9161083', 'e\u0301cole'], ['6688721', '⟦\u00e9cole⟧'], ['9161123', 'text3'])), UTF8_DECLARATION), ['answer-similar']);
  });

  void test('one problem per later answer', () => {
    expectProblems(wrap(securityQuestions(details(['9161083', 'same'], ['6688721', '⟦same⟧'], ['9161123', '⟦SAME⟧']))), ['answer-duplicate', 'answer-similar']);
  });

  void test('answers without question ids are named by position', () => {
    const text = wrap(securityQuestions('    <Details question="" answer="same"/>\n    <Details question="" answer="same"/>\n    <Details question="9161123" answer="text3"/>'));
    const [duplicate] = problemsOf(checkDocument(text).problems, 'answer-duplicate');
    assert.equal(duplicate?.message, 'The answer of Details 2 is the same as the answer of Details 1. IBKR requires 3 different answers: change one of them.');
  });
});

void describe('answer-constraint', () => {
  const catalog = catalogFromEntries('test list', [
    { id: '1', question: 'Minimum length', minAnswerLength: 5 },
    { id: '2', question: 'No numbers', canBeNumber: false },
    { id: '3', question: 'Few repeats', maxRepeatableCharsCount: 2 },
    { id: '4', question: 'Long and not numeric', minAnswerLength: 10, canBeNumber: false },
    { id: '5', question: 'Anything', canBeNumber: true, maxRepeatableCharsCount: 0 },
  ]);

  void test('each broken rule of the list', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['1', '⟦abcd⟧'], ['2', '⟦12345⟧'], ['3', '⟦aaab⟧']))), ['answer-constraint', 'answer-constraint', 'answer-constraint'], { catalog });
    assert.deepEqual(
      problems.map((problem) => problem.data?.constraint),
      ['minAnswerLength', 'canBeNumber', 'maxRepeatableCharsCount'],
    );
    assert.equal(problems[0]?.message, 'The answer of question 1 is 4 characters long, but question 1 requires at least 5 (minAnswerLength in test list).');
    assert.equal(problems[2]?.message, 'The answer of question 3 repeats one character 3 times in a row, but question 3 allows at most 2 (maxRepeatableCharsCount in test list).');
  });

  void test('one-character answer in singular', () => {
    const problems = expectProblems(wrap(securityQuestions(details(['1', '⟦a⟧'], ['2', 'abc'], ['3', 'abcd']))), ['answer-constraint'], { catalog });
    assert.match(problems[0]?.message ?? '', / is 1 character long,/);
  });

  void test('answers that meet the rules pass', () => {
    const text = wrap(securityQuestions(details(['1', 'abcde'], ['2', '12.5'], ['3', 'aabbaa'])));
    assert.deepEqual(checkDocument(text, { catalog }).problems, []);
  });

  void test('one answer breaking two rules', () => {
    expectProblems(wrap(securityQuestions(details(['4', '⟦⟦123⟧⟧'], ['2', 'word'], ['3', 'text']))), ['answer-constraint', 'answer-constraint'], { catalog });
  });

  void test('digits of other scripts are numbers', () => {
    expectProblems(wrap(securityQuestions(details(['2', '⟦\u0661\u0662\u0663⟧'], ['1', 'words'], ['3', 'text'])), UTF8_DECLARATION), ['answer-constraint'], { catalog });
  });

  void test('limit of 0 repeats means no limit', () => {
    const text = wrap(securityQuestions(details(['5', 'aaaa'], ['1', 'words'], ['3', 'text'])));
    assert.deepEqual(checkDocument(text, { catalog }).problems, []);
  });

  void test('longest run counts code points, case-sensitive', () => {
    assert.equal(longestRepeatedRun(''), 0);
    assert.equal(longestRepeatedRun('abc'), 1);
    assert.equal(longestRepeatedRun('aAaa'), 2);
    assert.equal(longestRepeatedRun('x\u{1F600}\u{1F600}\u{1F600}y'), 3);
  });
});

void describe('input-language', () => {
  function languageProblems(value: string) {
    const text = wrap(securityQuestions(VALID_DETAILS, `reference_user_name="tester1234" input_language="${value}"`));
    return checkDocument(text).problems;
  }

  void test('known languages in any case pass', () => {
    for (const value of ['en', 'zh-Hans', 'ZH-HANS', 'ar-AE', 'he-il', 'hu']) {
      assert.deepEqual(languageProblems(value), [], value);
    }
  });

  void test('malformed values are errors', () => {
    for (const value of ['english', 'zh_Hans', 'zh-Hans-CN', 'e', '']) {
      const problems = languageProblems(value);
      assert.equal(problems.length, 1, value);
      assert.equal(problems[0]?.code, 'input-language', value);
      assert.equal(problems[0]?.severity, 'error', value);
    }
  });

  void test('well-formed unknown values warn', () => {
    for (const value of ['ko', 'sr-Latn', 'en-US', 'fil']) {
      const problems = languageProblems(value);
      assert.equal(problems.length, 1, value);
      assert.equal(problems[0]?.code, 'input-language', value);
      assert.equal(problems[0]?.severity, 'warning', value);
    }
  });

  void test('range covers the value', () => {
    const problems = expectProblems(wrap(securityQuestions(VALID_DETAILS, 'reference_user_name="tester1234" input_language="⟦zh_Hans⟧"')), ['input-language']);
    assert.match(problems[0]?.message ?? '', /input_language "zh_Hans" is not a language tag of the form language\[-Script\]/);
  });
});
