/** The extension's submit gate for a non-ASCII file without an XML declaration naming UTF-8. */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodingRejection, UTF8_DECLARATION } from '../../client/src/logic/encodingGate';

const BODY = `<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">
  <SecurityQuestions reference_user_name="tester1234" input_language="fr">
    <Details question="9161083" answer="réponse" />
    <Details question="6688721" answer="deux" />
    <Details question="9161123" answer="trois" />
  </SecurityQuestions>
</AcctMgmtRequests>
`;

describe('encoding gate', () => {
  test('non-ASCII without declaration is refused', () => {
    const refusal = encodingRejection(BODY, 'a.ibkr.xml');
    assert.ok(refusal !== undefined, 'the file was accepted');
    assert.ok(refusal.includes(`Add ${UTF8_DECLARATION} as the first line`), refusal);
    assert.ok(!refusal.includes('réponse'), 'the answer reached the message');
  });

  test('UTF-8 declaration lets the file through', () => {
    assert.equal(encodingRejection(`${UTF8_DECLARATION}\n${BODY}`, 'a.ibkr.xml'), undefined);
  });

  test('ASCII file needs no declaration', () => {
    assert.equal(encodingRejection(BODY.replace('réponse', 'reponse'), 'a.ibkr.xml'), undefined);
  });
});
