import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { NOT_PROCESSED_MESSAGE, PROCESSED_MESSAGE } from '../../eca/src/index';
import { IBKR_SAMPLE_REQUEST, fileOf, securityQuestionsElement, securityQuestionsXml, startTestEmulator, type TestEmulator } from './helpers/emulator';

describe('update against the emulator', () => {
  let setup: TestEmulator;

  before(async () => {
    setup = await startTestEmulator();
  });
  after(async () => {
    await setup.close();
  });

  test('IBKR sample request is processed', async () => {
    const outcome = await setup.client().update(fileOf('SecurityQuestions.xml', IBKR_SAMPLE_REQUEST));

    assert.equal(outcome.outcome, 'processed');
    assert.equal(outcome.status, 'PROCESSED');
    assert.match(outcome.requestId ?? '', /^\d+$/);
    assert.equal(outcome.message, PROCESSED_MESSAGE);
    assert.deepEqual(outcome.errors, []);
    assert.equal(outcome.execution?.processFile, 'SecurityQuestions.xml');
    assert.equal(outcome.execution?.client, setup.emulator.testFirm.name);
    assert.equal(outcome.execution?.masterAcct, setup.emulator.testFirm.masterAccount);
    assert.equal(outcome.execution?.schemaVersion, '15-Nov-2018');
    assert.match(outcome.execution?.date ?? '', /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(outcome.requests[0]?.reference, { attribute: 'reference_user_name', value: 'tester1234' });
    assert.equal(outcome.signature?.status, 'valid');
    assert.equal(outcome.envelope?.isProcessed, true);
    assert.match(outcome.responseXml ?? '', /<Process>/);
    assert.equal(outcome.fileName, 'SecurityQuestions.xml');
    assert.equal(outcome.environment, 'local');
  });

  test('second submit for same user is already answered', async () => {
    const xml = securityQuestionsXml('twice.user');
    const first = await setup.client().update(fileOf('first.xml', xml));
    const second = await setup.client().update(fileOf('second.xml', xml));

    assert.equal(first.outcome, 'processed');
    assert.equal(second.outcome, 'error');
    assert.equal(second.status, 'ERROR');
    assert.equal(second.errors.length, 1);
    assert.match(second.errors[0] ?? '', /already answered/);
    assert.match(second.errors[0] ?? '', new RegExp(`request ${first.requestId ?? 'missing'}`));
    assert.notEqual(second.requestId, first.requestId);
  });

  const errorCases: { name: string; details: { question: string; answer: string }[]; expected: RegExp }[] = [
    {
      name: 'two questions instead of three',
      details: [
        { question: '9161083', answer: 'alpha' },
        { question: '6688721', answer: 'bravo' },
      ],
      expected: /^3 security questions are required\.$/,
    },
    {
      name: 'duplicate question',
      details: [
        { question: '9161083', answer: 'alpha' },
        { question: '9161083', answer: 'bravo' },
        { question: '9161123', answer: 'charlie' },
      ],
      expected: /Duplicate question 9161083 is not supported/,
    },
    {
      name: 'duplicate answer',
      details: [
        { question: '9161083', answer: 'alpha' },
        { question: '6688721', answer: 'alpha' },
        { question: '9161123', answer: 'charlie' },
      ],
      expected: /Duplicate answer is not supported/,
    },
    {
      name: 'answer over 256 characters',
      details: [
        { question: '9161083', answer: 'alpha' },
        { question: '6688721', answer: 'bravo' },
        { question: '9161123', answer: 'x1y2'.repeat(65) },
      ],
      expected: /maximum length of 256 characters/,
    },
    {
      name: 'unknown question id',
      details: [
        { question: '9161083', answer: 'alpha' },
        { question: '6688721', answer: 'bravo' },
        { question: '5555555', answer: 'charlie' },
      ],
      expected: /Security question 5555555 is not a valid question id/,
    },
    {
      name: 'numeric answer where canBeNumber is false',
      details: [
        { question: '9161083', answer: '123456' },
        { question: '6688721', answer: 'bravo' },
        { question: '9161123', answer: 'charlie' },
      ],
      expected: /does not meet the question's requirements \(canBeNumber\)/,
    },
  ];

  for (const [index, errorCase] of errorCases.entries()) {
    test(`ERROR for ${errorCase.name}`, async () => {
      const userName = `error.case${index}`;
      const outcome = await setup.client().update(fileOf('error.xml', securityQuestionsXml(userName, errorCase.details)));

      assert.equal(outcome.outcome, 'error');
      assert.equal(outcome.status, 'ERROR');
      assert.match(outcome.requestId ?? '', /^\d+$/);
      assert.ok(outcome.errors.some((error) => errorCase.expected.test(error)), `errors were: ${JSON.stringify(outcome.errors)}`);
    });
  }

  test('ERROR request does not use up the user', async () => {
    const userName = 'retry.after.error';
    const bad = await setup.client().update(fileOf('bad.xml', securityQuestionsXml(userName, [{ question: '9161083', answer: 'alpha' }])));
    const good = await setup.client().update(fileOf('good.xml', securityQuestionsXml(userName)));

    assert.equal(bad.outcome, 'error');
    assert.equal(good.outcome, 'processed');
  });

  test('malformed XML is not processed', async () => {
    const truncated = IBKR_SAMPLE_REQUEST.slice(0, IBKR_SAMPLE_REQUEST.indexOf('</SecurityQuestions>'));
    const outcome = await setup.client().update(fileOf('broken.xml', truncated));

    assert.equal(outcome.outcome, 'not-processed');
    assert.ok(outcome.message.startsWith(NOT_PROCESSED_MESSAGE), outcome.message);
    assert.ok(outcome.message.includes(`the service at ${setup.client().host} was down`), outcome.message);
    assert.match(outcome.detail ?? '', /emulator gives the reason: the XML is invalid \(xml-wellformed\)/);
    assert.equal(outcome.requestId, null);
  });

  test('wrong namespace is not processed', async () => {
    const xml = IBKR_SAMPLE_REQUEST.replace('http://www.interactivebrokers.com/schemas/IBCust_import', 'urn:example:wrong');
    const outcome = await setup.client().update(fileOf('namespace.xml', xml));

    assert.equal(outcome.outcome, 'not-processed');
    assert.match(outcome.detail ?? '', /namespace/);
  });

  test('PENDING then status then PROCESSED', async () => {
    const userName = 'pending.user';
    await setup.emulator.addPendingUser(userName);

    const outcome = await setup.client().update(fileOf('pending.xml', securityQuestionsXml(userName)));
    assert.equal(outcome.outcome, 'pending');
    assert.equal(outcome.status, 'PENDING');
    assert.equal(outcome.pendingTasks.length, 1);
    const [task] = outcome.pendingTasks;
    assert.equal(task?.formNumber, '9001');
    assert.equal(task?.formName, 'Identity Verification');
    assert.equal(task?.action, 'Upload');
    assert.equal(task?.requiredForApproval, true);
    assert.equal(task?.requiredForTrading, true);
    assert.equal(task?.onlineTask, false);
    const requestId = outcome.requestId ?? assert.fail('no request id');

    const pendingStatus = await setup.client().getAmRequestStatus(requestId);
    assert.equal(pendingStatus.format, 'encrypted-xml');
    assert.equal(pendingStatus.requests.length, 1);
    assert.equal(pendingStatus.requests[0]?.requestId, requestId);
    assert.equal(pendingStatus.requests[0]?.status, 'PENDING');
    assert.equal(pendingStatus.requests[0]?.pendingTasks[0]?.formNumber, '9001');
    assert.equal(pendingStatus.signature?.status, 'valid');

    await setup.emulator.completePendingRequest(requestId);
    const doneStatus = await setup.client().getAmRequestStatus([requestId]);
    assert.equal(doneStatus.requests[0]?.status, 'PROCESSED');
    assert.equal(doneStatus.requests[0]?.outcome, 'processed');
    assert.equal(doneStatus.requests[0]?.message, PROCESSED_MESSAGE);

    const again = await setup.client().update(fileOf('again.xml', securityQuestionsXml(userName)));
    assert.equal(again.outcome, 'error');
    assert.match(again.errors[0] ?? '', /already answered/);
  });

  test('emulator rejects missing User-Agent', async () => {
    const { request } = await import('node:http');
    const reply = await new Promise<{ status: number; reason: string | undefined; body: string }>((resolve, reject) => {
      const outgoing = request(`${setup.emulator.url}/ws/eca/update`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const reason = incoming.headers['x-ibkr-am-emulator-reason'];
          resolve({ status: incoming.statusCode ?? 0, reason: typeof reason === 'string' ? reason : undefined, body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      outgoing.on('error', reject);
      outgoing.end(JSON.stringify({ CSID: setup.local.csid, payload: 'AAAA' }));
    });

    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body) as { isProcessed: boolean }).isProcessed, false);
    assert.match(reply.reason ?? '', /no User-Agent header/);
  });

  test('healthcheck replies 2xx', async () => {
    const result = await setup.client().healthcheck();

    assert.equal(result.httpStatus, 200);
    assert.match(result.raw, /OK/);
  });

  test('status of an unknown request id is empty', async () => {
    const status = await setup.client().getAmRequestStatus('999999999');

    assert.deepEqual(status.requests, []);
  });

  test('file with several requests reports the worst', async () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">',
      securityQuestionsElement('multi.one', [
        { question: '9161083', answer: 'alpha' },
        { question: '6688721', answer: 'bravo' },
        { question: '9161123', answer: 'charlie' },
      ]),
      securityQuestionsElement('multi.two', [{ question: '9161083', answer: 'alpha' }]),
      '</AcctMgmtRequests>',
    ].join('\n');
    const outcome = await setup.client().update(fileOf('multi.xml', xml));

    assert.equal(outcome.requests.length, 2);
    assert.equal(outcome.requests[0]?.outcome, 'processed');
    assert.equal(outcome.requests[1]?.outcome, 'error');
    assert.equal(outcome.outcome, 'error');
    assert.equal(outcome.requestId, outcome.requests[1]?.requestId);
    assert.match(outcome.detail ?? '', /contains 2 requests/);
  });

  test('create takes the same payload as update', async () => {
    const outcome = await setup.client().create(fileOf('create.xml', securityQuestionsXml('created.user')));

    assert.equal(outcome.outcome, 'processed');
    assert.equal(setup.emulator.requestCounts()['create'], 1);
  });

  test('file read from a path is zipped under its base name', async () => {
    const { writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const file = path.join(setup.stateDir, 'request-from-disk.ibkr');
    await writeFile(file, securityQuestionsXml('path.user'));
    const outcome = await setup.client().update({ path: file });

    assert.equal(outcome.outcome, 'processed');
    assert.equal(outcome.fileName, 'request-from-disk.ibkr.xml');
    assert.equal(outcome.execution?.processFile, 'request-from-disk.ibkr.xml');
  });
});
