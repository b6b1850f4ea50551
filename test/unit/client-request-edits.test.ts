import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answersOf, escapeAttributeValue, matchResponseRequests, userNameEdit, type TextEdit } from '../../client/src/logic/requestEdits';

const NS = 'http://www.interactivebrokers.com/schemas/IBCust_import';

function apply(text: string, edit: TextEdit): string {
  return text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
}

/** Returns the text without the `|` cursor marker and the marker's offset. */
function cursor(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  assert.notEqual(offset, -1, 'the test text needs a | cursor marker');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

void describe('userNameEdit', () => {
  it('replaces an existing user name', () => {
    const { text, offset } = cursor(`<AcctMgmtRequests xmlns="${NS}">\n  <SecurityQuestions reference_user_name="old">\n    <Det|ails question="1" answer="a"/>\n  </SecurityQuestions>\n</AcctMgmtRequests>`);
    const result = userNameEdit(text, offset, 'tester1234');
    assert.ok('edit' in result);
    assert.match(apply(text, result.edit), /<SecurityQuestions reference_user_name="tester1234">/);
  });

  it('inserts the attribute when missing', () => {
    const { text, offset } = cursor(`<AcctMgmtRequests xmlns="${NS}">\n  <SecurityQuestions input_language="en">|\n  </SecurityQuestions>\n</AcctMgmtRequests>`);
    const result = userNameEdit(text, offset, 'tester1234');
    assert.ok('edit' in result);
    assert.match(apply(text, result.edit), /<SecurityQuestions reference_user_name="tester1234" input_language="en">/);
  });

  it('picks the request under the cursor of two', () => {
    const { text, offset } = cursor(
      `<AcctMgmtRequests xmlns="${NS}">\n  <SecurityQuestions reference_user_name="first"/>\n  <SecurityQuestions reference_user_name="sec|ond"/>\n</AcctMgmtRequests>`,
    );
    const result = userNameEdit(text, offset, 'new');
    assert.ok('edit' in result);
    const edited = apply(text, result.edit);
    assert.match(edited, /reference_user_name="first"/);
    assert.match(edited, /reference_user_name="new"/);
    assert.doesNotMatch(edited, /second/);
  });

  it('escapes XML special characters', () => {
    const { text, offset } = cursor(`<SecurityQuestions xmlns="${NS}" reference_user_name="|x"/>`);
    const result = userNameEdit(text, offset, 'a&b"<c>');
    assert.ok('edit' in result);
    assert.match(apply(text, result.edit), /reference_user_name="a&amp;b&quot;&lt;c&gt;"/);
  });

  it('reports no request outside the requests', () => {
    const { text, offset } = cursor(`<AcctMgmtRequests xmlns="${NS}">|\n  <SecurityQuestions reference_user_name="x"/>\n</AcctMgmtRequests>`);
    assert.deepEqual(userNameEdit(text, offset, 'new'), { noRequest: true });
  });

  it('reports no request in other XML', () => {
    const { text, offset } = cursor('<project><na|me>x</name></project>');
    assert.deepEqual(userNameEdit(text, offset, 'new'), { noRequest: true });
  });

  it('rejects an unquoted user name value', () => {
    const { text, offset } = cursor(`<AcctMgmtRequests xmlns="${NS}">\n  <SecurityQuestions reference_user_name=abc>|\n  </SecurityQuestions>\n</AcctMgmtRequests>`);
    const result = userNameEdit(text, offset, 'new');
    assert.ok('error' in result, JSON.stringify(result));
    assert.match(result.error, /reference_user_name/);
  });
});

void describe('escapeAttributeValue', () => {
  it('escapes the four characters', () => {
    assert.equal(escapeAttributeValue(`&<>"'`), `&amp;&lt;&gt;&quot;'`);
  });
});

void describe('matchResponseRequests', () => {
  const text = `<AcctMgmtRequests xmlns="${NS}">\n  <SecurityQuestions reference_user_name="alice"/>\n  <SecurityQuestions reference_user_name="bob"/>\n</AcctMgmtRequests>`;

  it('matches by user name whatever the order', () => {
    const matches = matchResponseRequests(text, [
      { requestType: 'SecurityQuestions', userName: 'bob' },
      { requestType: 'SecurityQuestions', userName: 'alice' },
    ]);
    assert.equal(matches[0]?.userName?.value, 'bob');
    assert.equal(matches[1]?.userName?.value, 'alice');
  });

  it('falls back to the position without a user name', () => {
    const matches = matchResponseRequests(text, [{ requestType: 'SecurityQuestions', userName: undefined }]);
    assert.equal(matches[0]?.userName?.value, 'alice');
  });

  it('leaves a response without a counterpart unmatched', () => {
    const matches = matchResponseRequests(text, [
      { requestType: 'SecurityQuestions', userName: 'alice' },
      { requestType: 'SecurityQuestions', userName: 'bob' },
      { requestType: 'SecurityQuestions', userName: 'carol' },
    ]);
    assert.equal(matches[2], undefined);
  });

  it('gives the start tag span of the request', () => {
    const [match] = matchResponseRequests(text, [{ requestType: 'SecurityQuestions', userName: 'bob' }]);
    assert.ok(match !== undefined);
    assert.equal(text.slice(match.element.startTagSpan.start, match.element.startTagSpan.end), '<SecurityQuestions reference_user_name="bob"/>');
  });
});

void describe('answersOf', () => {
  it('returns decoded and raw answer values', () => {
    const text = `<AcctMgmtRequests xmlns="${NS}"><SecurityQuestions reference_user_name="u"><Details question="1" answer="fish &amp; chips"/><Details question="2" answer="blue"/></SecurityQuestions></AcctMgmtRequests>`;
    const answers = answersOf(text);
    assert.ok(answers.includes('fish & chips'));
    assert.ok(answers.includes('fish &amp; chips'));
    assert.ok(answers.includes('blue'));
  });
});
