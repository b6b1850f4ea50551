import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EcaError, loadPrivateKeyFile, recordSubmission, type SubmitOutcome } from '../../eca/src/index';
import { fileOf, securityQuestionsXml, startTestEmulator, type TestEmulator } from './helpers/emulator';

/** Answers distinctive enough that any leak shows up in a plain substring search. */
const ANSWERS = ['Quokka-Leak-Probe-1', 'Wombat-Leak-Probe-2', 'Numbat-Leak-Probe-3'];

describe('secrets stay out of logs and records', () => {
  let setup: TestEmulator;

  before(async () => {
    setup = await startTestEmulator();
  });
  after(async () => {
    await setup.close();
  });

  test('full flow leaks no answer, CSID or passphrase', async () => {
    const details = [
      { question: '9161083', answer: ANSWERS[0] ?? '' },
      { question: '6688721', answer: ANSWERS[1] ?? '' },
      { question: '9161123', answer: ANSWERS[2] ?? '' },
    ];
    const recordFile = path.join(setup.stateDir, 'submissions.jsonl');
    const outcomes: SubmitOutcome[] = [];
    const errors: string[] = [];
    const client = setup.client({ retry: { attempts: 2, initialDelayMs: 5, maxDelayMs: 5 } });

    const submit = async (name: string, xml: string, emulatorSetup?: () => void | Promise<void>, submitter = client): Promise<void> => {
      await emulatorSetup?.();
      const file = fileOf(name, xml);
      const outcome = await submitter.update(file);
      outcomes.push(outcome);
      await recordSubmission({ recordFile, filePath: name, data: file.data, outcome });
      setup.emulator.clearFaults();
    };

    await submit('processed.xml', securityQuestionsXml('leak.processed', details));
    await submit('answered.xml', securityQuestionsXml('leak.processed', details));
    await submit('duplicate.xml', securityQuestionsXml('leak.duplicate', [details[0]!, { question: '6688721', answer: ANSWERS[0] ?? '' }, details[2]!]));
    await submit('pending.xml', securityQuestionsXml('leak.pending', details), () => setup.emulator.addPendingUser('leak.pending'));
    await submit('malformed.xml', securityQuestionsXml('leak.malformed', details).replace('</AcctMgmtRequests>', ''));
    await submit('truncated.xml', securityQuestionsXml('leak.truncated', details), () => setup.emulator.setFaults([{ kind: 'truncated-json', endpoint: 'update' }]));
    await submit('dropped.xml', securityQuestionsXml('leak.dropped', details), () => setup.emulator.setFaults([{ kind: 'drop-connection', endpoint: 'update' }]));
    const wrongCsid = setup.client({ credentials: { ...setup.credentials, csid: 'EMWRONGCSID000' } });
    await submit('wrong-csid.xml', securityQuestionsXml('leak.csid', details), undefined, wrongCsid);

    await client.getEnumerations();
    await client.getAmRequestStatus(outcomes[0]?.requestId ?? '');
    await client.getAccountDetail('U1234567');
    setup.emulator.setFaults([{ kind: 'html', endpoint: 'getEnumerations' }]);
    await client.getEnumerations().catch((error: unknown) => errors.push(error instanceof Error ? error.message : String(error)));
    setup.emulator.clearFaults();
    await loadPrivateKeyFile(setup.local.privateKeyFile, 'not-the-passphrase').catch((error: unknown) => errors.push((error as EcaError).message));

    assert.deepEqual(
      outcomes.map((outcome) => outcome.outcome),
      ['processed', 'error', 'error', 'pending', 'not-processed', 'invalid-response', 'unknown', 'not-processed'],
    );
    assert.equal(errors.length, 2);

    const secrets = [...ANSWERS, setup.local.csid, setup.local.passphrase];
    const logText = setup.logger.lines.join('\n');
    assert.ok(setup.logger.lines.some((line) => line.startsWith('debug ')), 'the logger captured debug lines too');
    assert.ok(logText.includes(`csid=${setup.local.csid.slice(0, 2)}****`), 'the emulator logs the masked CSID');
    const recordText = await readFile(recordFile, 'utf8');
    const outcomeText = JSON.stringify(outcomes);
    for (const secret of secrets) {
      assert.ok(!logText.includes(secret), 'a secret reached the log');
      assert.ok(!recordText.includes(secret), 'a secret reached the record file');
      assert.ok(!outcomeText.includes(secret), 'a secret reached an outcome');
      assert.ok(!errors.join('\n').includes(secret), 'a secret reached an error message');
    }
  });
});
