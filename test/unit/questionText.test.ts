import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { questionRuleLines } from '../../server/src/features/questionText';

void describe('questionRuleLines', () => {
  void test('minimum answer length noun', () => {
    assert.ok(questionRuleLines({ id: '1', question: 'One', canBeNumber: undefined, minAnswerLength: 1, maxRepeatableCharsCount: undefined }).includes('- Minimum answer length: 1 character'));
    assert.ok(questionRuleLines({ id: '2', question: 'Two', canBeNumber: undefined, minAnswerLength: 2, maxRepeatableCharsCount: undefined }).includes('- Minimum answer length: 2 characters'));
  });
});
