import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestResult, RequestStatusResult, SubmitOutcome } from '../../eca/src/index';
import { MAX_RAW_REPLY_PREVIEW, outcomeHeadline, renderRequestStatus, renderSubmitOutcome } from '../../client/src/logic/resultText';

const errorRequest: RequestResult = {
  requestType: 'SecurityQuestions',
  status: 'ERROR',
  outcome: 'error',
  requestId: '486578',
  message: null,
  reference: { attribute: 'reference_user_name', value: 'tester12333' },
  errors: ['You are not allowed to process Security Questions.', 'Second\n  reason'],
  pendingTasks: [],
  attributes: {},
  extra: [],
};

const pendingRequest: RequestResult = {
  ...errorRequest,
  status: 'PENDING',
  outcome: 'pending',
  requestId: '486579',
  message: 'Waiting for documents.',
  errors: [],
  pendingTasks: [
    {
      formNumber: '5002',
      formName: 'W-8BEN',
      action: 'SIGN',
      requiredForApproval: true,
      requiredForTrading: false,
      onlineTask: null,
      element: 'Task',
      attributes: { Form_Number: '5002', Form_Name: 'W-8BEN', Action: 'SIGN', Due_Date: '2026-01-31' },
      extra: [],
    },
  ],
};

function outcome(overrides: Partial<SubmitOutcome>): SubmitOutcome {
  return {
    outcome: 'error',
    status: 'ERROR',
    requestId: '486578',
    message: 'You are not allowed to process Security Questions.',
    errors: errorRequest.errors,
    pendingTasks: [],
    execution: {
      date: '2024/09/16 08:31:14',
      processFile: 'SecurityQuestion.xml',
      client: 'NewMaster',
      masterAcct: 'F12346',
      schemaVersion: '15-Nov-2018',
      attributes: {},
      extra: [],
    },
    detail: null,
    requests: [errorRequest],
    signature: { status: 'valid', keyId: 'abcdef0123456789', message: 'Signed by the IBKR key.' },
    responseXml: '<Process/>',
    envelope: { timestamp: 1, isProcessed: true, batchId: 77, name: 'SecurityQuestion.xml' },
    environment: 'local',
    host: '127.0.0.1:8765',
    httpStatus: 200,
    fileName: 'sq.ibkr.xml',
    ...overrides,
  };
}

const context = { fileName: 'sq.ibkr.xml', sentAt: new Date('2026-01-02T03:04:05.000Z') };

void describe('renderSubmitOutcome', () => {
  void it('shows status, request id, errors and execution', () => {
    const text = renderSubmitOutcome(outcome({}), context);
    assert.equal(text.split('\n')[0], 'IBKR response: ERROR');
    assert.match(text, /^Request id: 486578$/m);
    assert.match(text, /^Environment: local \(127\.0\.0\.1:8765\)$/m);
    assert.match(text, /^Sent: 2026-01-02T03:04:05\.000Z$/m);
    assert.match(text, /^ {2}reference_user_name: tester12333$/m);
    assert.match(text, /^ {4}- You are not allowed to process Security Questions\.$/m);
    assert.match(text, /^ {4}- Second reason$/m, 'multi-line errors become one line');
    assert.match(text, /^ {2}Master account: F12346$/m);
    assert.match(text, /^ {2}Signature: valid \(key abcdef0123456789\): Signed by the IBKR key\.$/m);
    assert.match(text, /Show Raw Response XML/);
  });

  void it('lists pending tasks with unknown attributes', () => {
    const text = renderSubmitOutcome(outcome({ outcome: 'pending', status: 'PENDING', requests: [pendingRequest] }), context);
    assert.equal(text.split('\n')[0], 'IBKR response: PENDING');
    assert.match(text, /Pending tasks \(1\):/);
    assert.match(text, /- form 5002, "W-8BEN", action SIGN, required for approval: yes, required for trading: no, Due_Date=2026-01-31/);
  });

  void it('explains an outcome without a response', () => {
    const text = renderSubmitOutcome(
      outcome({
        outcome: 'unknown',
        status: null,
        requestId: null,
        message: 'outcome unknown, check the status before sending again',
        errors: [],
        execution: null,
        detail: 'No reply within 60 s.',
        requests: [],
        signature: null,
        responseXml: null,
        envelope: null,
        httpStatus: null,
      }),
      context,
    );
    assert.equal(text.split('\n')[0], 'IBKR response: OUTCOME UNKNOWN');
    assert.match(text, /^Message: outcome unknown, check the status before sending again$/m);
    assert.match(text, /^Detail: No reply within 60 s\.$/m);
    assert.match(text, /HTTP status: no reply/);
    assert.match(text, /No response XML was received\./);
    assert.doesNotMatch(text, /Request id/);
  });
});

void describe('renderSubmitOutcome raw reply', () => {
  const htmlPage = '<!DOCTYPE html>\r\n<html><head><title>502 Bad Gateway</title></head>\r\n<body>Bad Gateway</body></html>';
  const unreadable: Partial<SubmitOutcome> = {
    outcome: 'invalid-response',
    status: null,
    requestId: null,
    message: 'The reply from 127.0.0.1:8765 could not be read: HTTP 502.',
    errors: [],
    execution: null,
    detail: 'HTTP 502: the body is an HTML page titled "502 Bad Gateway" (99 bytes).',
    requests: [],
    signature: null,
    responseXml: null,
    envelope: null,
    httpStatus: 502,
    rawReply: { httpStatus: 502, contentType: 'text/html', bytes: 99, text: htmlPage, truncated: false },
  };

  void it('shows status and body of an invalid response', () => {
    const text = renderSubmitOutcome(outcome(unreadable), context);
    const section = text.slice(text.indexOf('\nRaw reply\n'));
    assert.notEqual(text.indexOf('\nRaw reply\n'), -1, text);
    assert.match(section, /^ {2}HTTP status: 502$/m);
    assert.match(section, /^ {2}Content type: text\/html$/m);
    assert.match(section, /^ {2}Bytes read: 99$/m);
    assert.match(section, /^ {2}Body:$/m);
    assert.match(section, /^ {4}<!DOCTYPE html>$/m);
    assert.match(section, /^ {4}<html><head><title>502 Bad Gateway<\/title><\/head>$/m);
    assert.doesNotMatch(section, /\r/);
  });

  void it('shows the body of a not-processed reply', () => {
    const body = '{"timestamp":1,"isProcessed":false,"name":"sq.ibkr.xml"}';
    const text = renderSubmitOutcome(
      outcome({ ...unreadable, outcome: 'not-processed', httpStatus: 200, rawReply: { httpStatus: 200, contentType: 'application/json', bytes: body.length, text: body, truncated: false } }),
      context,
    );
    assert.match(text, /^Raw reply$/m);
    assert.match(text, /^ {2}HTTP status: 200$/m);
    assert.ok(text.includes(`    ${body}\n`), text);
  });

  void it('shows only the start of a long body', () => {
    const long = 'x'.repeat(MAX_RAW_REPLY_PREVIEW + 500);
    const text = renderSubmitOutcome(outcome({ ...unreadable, rawReply: { httpStatus: 502, contentType: null, bytes: 70_000, text: long, truncated: true } }), context);
    assert.match(text, new RegExp(`^ {2}Body \\(the first ${MAX_RAW_REPLY_PREVIEW} characters\\):$`, 'm'));
    assert.match(text, /^ {2}Content type: none$/m);
    assert.ok(text.includes(`    ${'x'.repeat(MAX_RAW_REPLY_PREVIEW)}\n`));
    assert.ok(!text.includes('x'.repeat(MAX_RAW_REPLY_PREVIEW + 1)));
  });

  void it('says when the body is empty', () => {
    const text = renderSubmitOutcome(outcome({ ...unreadable, rawReply: { httpStatus: 502, contentType: null, bytes: 0, text: '', truncated: false } }), context);
    assert.match(text, /^ {2}Body: empty$/m);
  });

  void it('is left out of other outcomes', () => {
    const raw = { httpStatus: 200, contentType: 'application/json', bytes: 10, text: '{"fileData":"QUJD"}', truncated: false };
    for (const kind of ['processed', 'error', 'pending', 'unknown'] as const) {
      const text = renderSubmitOutcome(outcome({ outcome: kind, rawReply: raw }), context);
      assert.doesNotMatch(text, /^Raw reply$/m, kind);
      assert.doesNotMatch(text, /QUJD/, kind);
    }
  });

  void it('is left out without a reply', () => {
    const text = renderSubmitOutcome(outcome({ ...unreadable, rawReply: null }), context);
    assert.doesNotMatch(text, /^Raw reply$/m);
  });
});

void describe('outcomeHeadline', () => {
  void it('names every outcome', () => {
    assert.equal(outcomeHeadline(outcome({ outcome: 'processed', status: 'PROCESSED' })), 'IBKR response: PROCESSED');
    assert.equal(outcomeHeadline(outcome({ outcome: 'not-processed' })), 'IBKR response: NOT PROCESSED');
    assert.equal(outcomeHeadline(outcome({ outcome: 'invalid-response' })), 'IBKR response: INVALID RESPONSE');
  });
});

void describe('renderRequestStatus', () => {
  const base: RequestStatusResult = { format: 'json', requests: [], fields: {}, xml: null, signature: null, raw: '{"odd":true}' };

  void it('shows the status of the request', () => {
    const text = renderRequestStatus({ ...base, requests: [pendingRequest] }, '486579', 'qa', 'qa.interactivebrokers.com', context.sentAt);
    assert.equal(text.split('\n')[0], 'IBKR request status: PENDING');
    assert.match(text, /^Request id: 486579$/m);
    assert.match(text, /^Environment: qa \(qa\.interactivebrokers\.com\)$/m);
  });

  void it('leaves out the encrypted fileData and cuts long fields', () => {
    const text = renderRequestStatus(
      { ...base, requests: [pendingRequest], fields: { fileData: { data: 'QUJD'.repeat(100) }, note: 'x'.repeat(500), isProcessed: true } },
      '486579',
      'local',
      '127.0.0.1:8765',
      context.sentAt,
    );
    assert.doesNotMatch(text, /fileData|QUJD/);
    assert.match(text, /^ {2}isProcessed: true$/m);
    assert.match(text, /^ {2}note: "x{299}… \(502 characters\)$/m);
  });

  void it('shows the raw reply when nothing could be read', () => {
    const text = renderRequestStatus(base, '1', 'local', '127.0.0.1:8765', context.sentAt);
    assert.match(text, /no request status that this version can read/);
    assert.match(text, /\{"odd":true\}/);
  });
});
