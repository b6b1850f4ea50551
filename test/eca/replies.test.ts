import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { EcaError, EMULATOR_QUESTIONS, parseProcessXml } from '../../eca/src/index';
import { readAccountDetailReply, readEnumerationsReply, readRequestStatusReply, type ReplyKeys } from '../../eca/src/replies';
import { startTestEmulator, type TestEmulator } from './helpers/emulator';

/** IBKR's two response samples for SecurityQuestions. */
const PROCESSED_SAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<Process>
<Execution ECA_XML_Schema_Version="15-Nov-2018">
<Execution_Date>2024/09/16 08:43:26</Execution_Date>
<Process_File>SecurityQuestions.xml</Process_File>
<Client>NewMaster</Client>
<Client_Master_Acct>F123456</Client_Master_Acct>
</Execution>
<SecurityQuestions reference_user_name="test1234" request_status="PROCESSED" request_id="486582" message="Security Questions updated successfully."></SecurityQuestions>
</Process>`;

const ERROR_SAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<Process>
<Execution ECA_XML_Schema_Version="15-Nov-2018">
<Execution_Date>2024/09/16 08:31:14</Execution_Date>
<Process_File>SecurityQuestion.xml</Process_File>
<Client>NewMaster</Client>
<Client_Master_Acct>F12346</Client_Master_Acct>
</Execution>
<SecurityQuestions reference_user_name="tester12333" request_status="ERROR" request_id="486578">
<Errors>
<Error>You are not allowed to process Security Questions. Please contact Sales Team at dam@ibkr.com.</Error>
</Errors>
</SecurityQuestions>
</Process>`;

describe('Process response parsing', () => {
  test('IBKR processed sample', () => {
    const parsed = parseProcessXml(PROCESSED_SAMPLE);

    assert.deepEqual(
      { ...parsed.execution },
      { date: '2024/09/16 08:43:26', processFile: 'SecurityQuestions.xml', client: 'NewMaster', masterAcct: 'F123456', schemaVersion: '15-Nov-2018', attributes: {}, extra: [] },
    );
    assert.equal(parsed.requests.length, 1);
    const [request] = parsed.requests;
    assert.equal(request?.requestType, 'SecurityQuestions');
    assert.equal(request?.status, 'PROCESSED');
    assert.equal(request?.outcome, 'processed');
    assert.equal(request?.requestId, '486582');
    assert.equal(request?.message, 'Security Questions updated successfully.');
    assert.deepEqual(request?.reference, { attribute: 'reference_user_name', value: 'test1234' });
  });

  test('reply with 200 000 errors', () => {
    const errors = '<Error>e</Error>'.repeat(200_000);
    const xml = `<Process><SecurityQuestions reference_user_name="u" request_status="ERROR" request_id="1"><Errors>${errors}</Errors></SecurityQuestions></Process>`;
    const [request] = parseProcessXml(xml).requests;

    assert.equal(request?.errors.length, 200_000);
  });

  test('IBKR error sample', () => {
    const [request] = parseProcessXml(ERROR_SAMPLE).requests;

    assert.equal(request?.outcome, 'error');
    assert.equal(request?.requestId, '486578');
    assert.equal(request?.message, null);
    assert.deepEqual(request?.errors, ['You are not allowed to process Security Questions. Please contact Sales Team at dam@ibkr.com.']);
  });

  test('unknown elements and attributes are kept', () => {
    const xml = `<Process><Execution ECA_XML_Schema_Version="1" Batch="7"><Execution_Date>d</Execution_Date><Server>eca-3</Server></Execution>
<SecurityQuestions reference_account_id="U1" request_status="PENDING" request_id="5" priority="high">
<Pending_Tasks><Tasks><Task Form_Number="3" Form_Name="W-8" Action="Sign" Is_Required_For_Approval="Y" Is_Required_For_Trading="F" Is_Online_Task="maybe" Due="2024-01-01"><Note>n</Note></Task></Tasks></Pending_Tasks>
<Comment>extra text</Comment>
</SecurityQuestions><Trailer count="1"/></Process>`;
    const parsed = parseProcessXml(xml);

    assert.deepEqual(parsed.execution?.attributes, { Batch: '7' });
    assert.equal(parsed.execution?.extra[0]?.name, 'Server');
    assert.equal(parsed.execution?.extra[0]?.text, 'eca-3');
    assert.equal(parsed.extra[0]?.name, 'Trailer');
    const [request] = parsed.requests;
    assert.deepEqual(request?.reference, { attribute: 'reference_account_id', value: 'U1' });
    assert.deepEqual(request?.attributes, { priority: 'high' });
    assert.equal(request?.extra[0]?.name, 'Comment');
    const [task] = request?.pendingTasks ?? [];
    assert.equal(task?.formNumber, '3');
    assert.equal(task?.requiredForApproval, true);
    assert.equal(task?.requiredForTrading, false);
    assert.equal(task?.onlineTask, null);
    assert.equal(task?.attributes['Due'], '2024-01-01');
    assert.equal(task?.attributes['Is_Online_Task'], 'maybe');
    assert.equal(task?.extra[0]?.name, 'Note');
  });

  test('unknown status maps to unknown', () => {
    const [request] = parseProcessXml('<Process><SecurityQuestions request_status="QUEUED" request_id="9"/></Process>').requests;

    assert.equal(request?.outcome, 'unknown');
  });

  test('malformed XML raises', () => {
    assert.throws(() => parseProcessXml('<Process><Execution>'), (error: unknown) => error instanceof EcaError && error.code === 'invalid-response');
  });
});

describe('read-only replies', () => {
  let setup: TestEmulator;
  let keys: ReplyKeys;

  before(async () => {
    setup = await startTestEmulator();
    keys = { privateKey: setup.credentials.privateKey, ibkrPublicKey: setup.credentials.ibkrPublicKey, secrets: [setup.credentials.csid] };
  });
  after(async () => {
    await setup.close();
  });

  test('question list columns read from header', async () => {
    const result = await setup.client().getEnumerations();

    // The emulator writes the columns in another order than the Web API: question,id,minAnswerLength,...
    assert.match(result.csv, /^question,id,minAnswerLength,canBeNumber,maxRepeatableCharsCount\r\n/);
    assert.equal(result.type, 'SECURITY_QUESTIONS');
    assert.equal(result.entries.length, EMULATOR_QUESTIONS.length);
    assert.ok(result.entries.length >= 20);
    assert.deepEqual(result.entries[0], EMULATOR_QUESTIONS[0]);
    for (const id of ['9161083', '6688721', '9161123']) {
      assert.ok(result.catalog.questions.has(id), `question ${id} missing`);
    }
    assert.ok(result.entries.some((entry) => entry.canBeNumber === false));
    assert.ok(result.entries.every((entry) => typeof entry.minAnswerLength === 'number' && typeof entry.maxRepeatableCharsCount === 'number'));
  });

  test('question list inside JSON is read', async () => {
    const csv = 'id,question,canBeNumber\n101,First pet?,F\n102,"Town, of birth?",T\n';
    const raw = JSON.stringify({ type: 'SECURITY_QUESTIONS', data: Buffer.from(csv).toString('base64') });
    const result = await readEnumerationsReply(raw, 'SECURITY_QUESTIONS', 'test', keys);

    assert.deepEqual(result.entries, [
      { id: '101', question: 'First pet?', canBeNumber: false },
      { id: '102', question: 'Town, of birth?', canBeNumber: true },
    ]);
  });

  test('unexpected question list shows raw reply', async () => {
    await assert.rejects(
      readEnumerationsReply('<html><body>Service down</body></html>', 'SECURITY_QUESTIONS', 'test', keys),
      (error: unknown) => error instanceof EcaError && error.code === 'invalid-response' && /Reply: <html><body>Service down<\/body><\/html>/.test(error.message),
    );
    const wrongColumns = Buffer.from('code;text\n1;a\n').toString('base64');
    await assert.rejects(
      readEnumerationsReply(wrongColumns, 'SECURITY_QUESTIONS', 'test', keys),
      (error: unknown) => error instanceof EcaError && /has no id column/.test(error.message) && /Decoded text: code;text 1;a/.test(error.message),
    );
  });

  test('raw reply in errors hides the CSID', async () => {
    const raw = JSON.stringify({ error: `unknown CSID ${setup.credentials.csid}` });

    await assert.rejects(
      readEnumerationsReply(raw, 'SECURITY_QUESTIONS', 'test', keys),
      (error: unknown) => error instanceof Error && !error.message.includes(setup.credentials.csid) && error.message.includes('****'),
    );
  });

  test('account detail from emulator', async () => {
    const result = await setup.client().getAccountDetail(['U1234567', 'U0000000']);

    assert.equal(result.format, 'json');
    assert.deepEqual(
      result.accounts.map((account) => ({ accountId: account.accountId, userName: account.userName })),
      [{ accountId: 'U1234567', userName: 'tester1234' }],
    );
  });

  test('status reply shapes are read tolerantly', async () => {
    const json = await readRequestStatusReply(JSON.stringify({ result: [{ requestId: 77, status: 'PENDING', user_name: 'u1', errors: [] }] }), keys);
    assert.equal(json.format, 'json');
    assert.equal(json.requests[0]?.requestId, '77');
    assert.equal(json.requests[0]?.outcome, 'pending');
    assert.deepEqual(json.requests[0]?.reference, { attribute: 'reference_user_name', value: 'u1' });

    const xml = await readRequestStatusReply('<Status><Request request_id="78" request_status="ERROR"><Errors><Error>bad</Error></Errors></Request></Status>', keys);
    assert.equal(xml.format, 'xml');
    assert.deepEqual(xml.requests[0]?.errors, ['bad']);

    const base64 = await readRequestStatusReply(Buffer.from(PROCESSED_SAMPLE).toString('base64'), keys);
    assert.equal(base64.format, 'xml');
    assert.equal(base64.requests[0]?.requestId, '486582');

    await assert.rejects(readRequestStatusReply('???', keys), /neither JSON, XML nor base64 of XML/);
    await assert.rejects(readRequestStatusReply(JSON.stringify({ isProcessed: false }), keys), /returned isProcessed: false/);
  });

  test('account detail XML reply', async () => {
    const result = await readAccountDetailReply('<Accounts><Account><AccountId>U5</AccountId><UserName>five</UserName></Account></Accounts>', keys);

    assert.equal(result.accounts[0]?.accountId, 'U5');
    assert.equal(result.accounts[0]?.userName, 'five');
  });
});
