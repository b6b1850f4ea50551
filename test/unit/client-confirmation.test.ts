import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRequest, matchesTypedConfirmation, submitConfirmation, typedConfirmationPrompt, userNames } from '../../client/src/logic/confirmation';
import type { RequestSummaryEntry } from '../../server/src/protocol';

const sample: RequestSummaryEntry = {
  requestType: 'SecurityQuestions',
  userName: 'tester1234',
  questionIds: ['9161083', '6688721', '9161123'],
  line: 2,
};

void describe('submitConfirmation', () => {
  void it('names environment, host, file, user and question ids', () => {
    const confirmation = submitConfirmation({ name: 'local', baseUrl: 'http://127.0.0.1:8765', host: '127.0.0.1:8765' }, 'sq.ibkr.xml', [sample]);
    assert.equal(confirmation.message, 'Submit sq.ibkr.xml to IBKR local?');
    assert.match(confirmation.detail, /^Environment: local$/m);
    assert.match(confirmation.detail, /^Host: 127\.0\.0\.1:8765$/m);
    assert.match(confirmation.detail, /^File: sq\.ibkr\.xml$/m);
    assert.match(confirmation.detail, /SecurityQuestions for user tester1234 \(line 3\): questions 9161083, 6688721, 9161123; 3 answers \(hidden\)/);
  });

  void it('warns that production changes take effect at once', () => {
    const confirmation = submitConfirmation({ name: 'production', baseUrl: 'https://api.ibkr.com', host: 'api.ibkr.com' }, 'sq.ibkr.xml', [sample]);
    assert.match(confirmation.message, /PRODUCTION/);
    assert.match(confirmation.message, /take effect at once/);
  });
});

void describe('describeRequest', () => {
  void it('says when a request has no user name', () => {
    assert.equal(describeRequest({ requestType: 'SecurityQuestions', userName: undefined, questionIds: [], line: 0 }), 'SecurityQuestions for no user name (line 1)');
  });

  void it('uses the singular for one answer', () => {
    assert.match(describeRequest({ ...sample, questionIds: ['1'] }), /1 answer \(hidden\)$/);
  });
});

void describe('typed production confirmation', () => {
  void it('lists distinct user names in file order', () => {
    assert.deepEqual(userNames([sample, { ...sample, userName: 'other' }, sample, { ...sample, userName: '' }]), ['tester1234', 'other']);
  });

  void it('prompt names the user to type', () => {
    assert.equal(typedConfirmationPrompt(['tester1234']), 'Type the user name tester1234 to submit to IBKR production.');
    assert.match(typedConfirmationPrompt(['a1', 'b2']), /a1, b2 \(separated by commas\)/);
  });

  void it('accepts exact names in any order', () => {
    assert.equal(matchesTypedConfirmation('tester1234', ['tester1234']), true);
    assert.equal(matchesTypedConfirmation(' b2 , a1 ', ['a1', 'b2']), true);
  });

  void it('rejects wrong, partial, repeated or differently cased names', () => {
    assert.equal(matchesTypedConfirmation('tester123', ['tester1234']), false);
    assert.equal(matchesTypedConfirmation('TESTER1234', ['tester1234']), false);
    assert.equal(matchesTypedConfirmation('a1', ['a1', 'b2']), false);
    assert.equal(matchesTypedConfirmation('a1, a1', ['a1', 'b2']), false);
    assert.equal(matchesTypedConfirmation('', ['a1']), false);
  });
});
