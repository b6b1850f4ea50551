import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, redactTrace } from '../../client/src/logic/redact';

describe('redactTrace', () => {
  test('removes didOpen text from verbose JSON', () => {
    const params = {
      textDocument: {
        uri: 'file:///w/a.ibkr.xml',
        languageId: 'xml',
        version: 1,
        text: '<Details question="1" answer="my \\"secret\\" pet"/>\n',
      },
    };
    const trace = redactTrace(`Params: ${JSON.stringify(params, null, 4)}`);
    assert.ok(!trace.includes('secret'), trace);
    assert.ok(trace.includes(`"text": "${REDACTED}"`), trace);
    assert.ok(trace.includes('file:///w/a.ibkr.xml'), 'the uri stays for context');
  });

  test('removes single characters typed into an answer', () => {
    const params = { contentChanges: [{ range: { start: { line: 3, character: 40 } }, text: 'x' }] };
    const trace = redactTrace(JSON.stringify(params));
    assert.ok(!trace.includes('"x"'), trace);
  });

  test('removes edit text of code actions', () => {
    const trace = redactTrace(JSON.stringify({ edits: [{ newText: 'answer="Rex"' }] }));
    assert.ok(!trace.includes('Rex'), trace);
  });

  test('removes answer attributes in plain and escaped form', () => {
    assert.ok(!redactTrace(`<Details answer="Rex" question="1"/>`).includes('Rex'));
    assert.ok(!redactTrace(`<Details answer='Rex'/>`).includes('Rex'));
    assert.ok(!redactTrace(JSON.stringify({ other: '<Details answer="Rex"/>' })).includes('Rex'));
  });

  test('keeps question ids and user names', () => {
    const line = '<Details question="9161083" answer="Rex"/>';
    const redacted = redactTrace(line);
    assert.ok(redacted.includes('question="9161083"'), redacted);
  });
});
