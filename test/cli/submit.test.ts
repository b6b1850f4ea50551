/**
 * `ibkr-am emulator`, `submit`, `status`, `lookup` and `questions`, each run as a child process
 * against an emulator that this test starts on 127.0.0.1 with a temporary state folder.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { allOutput, assertCliBuilt, FIXTURES, runCli, startCli, type BackgroundProcess } from './cliHarness';

interface OutcomeJson {
  outcome: string;
  status: string | null;
  requestId: string | null;
  message: string;
  errors: string[];
  pendingTasks: Record<string, unknown>[];
  execution: Record<string, unknown> | null;
  detail: string | null;
}

interface TestFirmFile {
  csid: string;
  passphrase: string;
  privateKeyFile: string;
  ibkrPublicKeyFile: string;
}

const OUTCOME_KEYS = ['outcome', 'status', 'requestId', 'message', 'errors', 'pendingTasks', 'execution', 'detail', 'requests'];
const TASK_KEYS = ['formNumber', 'formName', 'action', 'requiredForApproval', 'requiredForTrading', 'onlineTask'];
const EXECUTION_KEYS = ['date', 'processFile', 'client', 'masterAcct'];
const SAMPLE_ANSWERS = ['answer1', 'demo2', 'text3'];
const PENDING_USER = 'pending-user1';

let workDir = '';
let stateDir = '';
let recordFile = '';
let emulator: BackgroundProcess | undefined;
let emulatorUrl = '';

/** Writes IBKR's sample request with another reference_user_name and returns its path. */
function requestFor(userName: string): string {
  const sample = readFileSync(path.join(FIXTURES, 'sample-request.xml'), 'utf8');
  const file = path.join(workDir, `${userName}.xml`);
  writeFileSync(file, sample.replace('reference_user_name="tester1234"', `reference_user_name="${userName}"`));
  return file;
}

function localArgs(...args: string[]): string[] {
  return [...args, '--state', stateDir, '--record', recordFile];
}

async function updateCount(): Promise<number> {
  const response = await fetch(`${emulatorUrl}/_emulator/stats`);
  const stats = (await response.json()) as { requestCounts: Record<string, number> };
  return stats.requestCounts['update'] ?? 0;
}

/** Returns every line of a record file that parses as JSON, skipping corrupt ones. */
function readRecord(file: string): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      entries.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A corrupt or empty line.
    }
  }
  return entries.filter((entry) => typeof entry['outcome'] === 'string');
}

async function setFaults(faults: Record<string, unknown>[]): Promise<void> {
  const response = await fetch(`${emulatorUrl}/_emulator/faults`, {
    method: faults.length === 0 ? 'DELETE' : 'PUT',
    headers: { 'Content-Type': 'application/json' },
    ...(faults.length === 0 ? {} : { body: JSON.stringify({ faults }) }),
  });
  assert.equal(response.status, 200, await response.text());
}

function testFirm(): TestFirmFile {
  return JSON.parse(readFileSync(path.join(stateDir, 'test-firm.json'), 'utf8')) as TestFirmFile;
}

/** Returns a loopback port with nothing listening: the OS picks it, and the test releases it at once. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  assertCliBuilt();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'ibkr-am-cli-'));
  stateDir = path.join(workDir, 'state');
  recordFile = path.join(workDir, 'submissions.jsonl');
  emulator = startCli(['emulator', '--port', '0', '--state', stateDir, '--pending-user', PENDING_USER, '--account', 'U7654321=lookup-user']);
  const match = await emulator.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  emulatorUrl = match[1] ?? '';
  await emulator.waitForOutput(/Press Ctrl\+C to stop\./);
});

after(async () => {
  await emulator?.stop('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

describe('ibkr-am against the emulator', () => {
  test('emulator prints paths and masked CSID', () => {
    const stdout = emulator?.stdout() ?? '';
    const firm = testFirm();
    assert.ok(stdout.includes(`Emulator public key:     ${path.resolve(stateDir, firm.ibkrPublicKeyFile)}`), stdout);
    assert.ok(stdout.includes(`Test firm private key:   ${path.resolve(stateDir, firm.privateKeyFile)}`), stdout);
    assert.match(stdout, /CSID [A-Z0-9]{2}\*\*\*\*/);
    assert.ok(!stdout.includes(firm.csid));
    assert.ok(!stdout.includes(firm.passphrase));
  });

  test('submit of IBKR sample is processed', async () => {
    const run = await runCli(localArgs('submit', path.join(FIXTURES, 'sample-request.xml'), '--format', 'json'));
    assert.equal(run.code, 0, run.stderr);
    const outcome = JSON.parse(run.stdout) as OutcomeJson;
    assert.deepEqual(Object.keys(outcome), OUTCOME_KEYS);
    assert.equal(outcome.outcome, 'processed');
    assert.equal(outcome.status, 'PROCESSED');
    assert.match(outcome.requestId ?? '', /^\d+$/);
    assert.deepEqual(outcome.errors, []);
    assert.deepEqual(outcome.pendingTasks, []);
    assert.deepEqual(Object.keys(outcome.execution ?? {}), EXECUTION_KEYS);
    assert.equal(outcome.execution?.['processFile'], 'sample-request.xml');
    assert.equal(outcome.detail, null);

    const record = readFileSync(recordFile, 'utf8').trim().split('\n');
    assert.equal(record.length, 1);
    const entry = JSON.parse(record[0] ?? '') as Record<string, unknown>;
    assert.equal(entry['userName'], 'tester1234');
    assert.equal(entry['outcome'], 'processed');
    assert.equal(entry['requestId'], outcome.requestId);
  });

  test('second submit warns and gets ERROR', async () => {
    const run = await runCli(localArgs('submit', path.join(FIXTURES, 'sample-request.xml'), '--format', 'json'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /warning: the submission record .* has 1 earlier submission\(s\) of SecurityQuestions for user tester1234 in the local environment/);
    assert.match(run.stderr, /most likely end with ERROR/);
    const outcome = JSON.parse(run.stdout) as OutcomeJson;
    assert.equal(outcome.outcome, 'error');
    assert.equal(outcome.status, 'ERROR');
    assert.ok(outcome.errors.length > 0);
  });

  test('pending user exits 3, then status', async () => {
    const run = await runCli(localArgs('submit', requestFor(PENDING_USER)));
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /^Outcome: +pending \(request_status PENDING\)$/m);
    assert.match(run.stdout, /^Pending tasks:$/m);
    assert.match(run.stdout, /^ {2}- form 9001 Identity Verification, action: Upload, required for approval: yes/m);
    const requestId = /^Request id: +(\d+)$/m.exec(run.stdout)?.[1];
    assert.ok(requestId, run.stdout);

    const status = await runCli(['status', requestId, '--state', stateDir]);
    assert.equal(status.code, 3, status.stderr);
    assert.match(status.stdout, new RegExp(`SecurityQuestions reference_user_name=${PENDING_USER}: PENDING, request id ${requestId}`));
    assert.match(status.stdout, /^Raw reply:$/m);

    const json = await runCli(['status', requestId, '--state', stateDir, '--format', 'json']);
    assert.equal(json.code, 3, json.stderr);
    const result = JSON.parse(json.stdout) as { requests: { requestId: string; status: string }[]; raw: string };
    assert.equal(result.requests[0]?.requestId, requestId);
    assert.equal(result.requests[0]?.status, 'PENDING');
    assert.ok(result.raw.length > 0);
  });

  test('pending task JSON has documented keys', async () => {
    // A pending user gets PENDING only once, so this test adds another through the emulator's control endpoint.
    const response = await fetch(`${emulatorUrl}/_emulator/pending-users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userName: 'pending-user2' }),
    });
    assert.equal(response.status, 200);
    const run = await runCli(localArgs('submit', requestFor('pending-user2'), '--format', 'json'));
    assert.equal(run.code, 3, run.stderr);
    const outcome = JSON.parse(run.stdout) as OutcomeJson;
    assert.equal(outcome.outcome, 'pending');
    assert.equal(outcome.pendingTasks.length, 1);
    assert.deepEqual(Object.keys(outcome.pendingTasks[0] ?? {}), TASK_KEYS);
    assert.equal(outcome.pendingTasks[0]?.['requiredForApproval'], true);
  });

  test('production without confirmation sends nothing', async () => {
    const file = requestFor('production-user');
    const before = await updateCount();

    const missing = await runCli(localArgs('submit', file, '--env', 'production', '--url', emulatorUrl));
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /--env production changes live accounts at once, so confirm the file's user name\(s\) with --confirm-user production-user\. Nothing was sent\./);

    const wrong = await runCli(localArgs('submit', file, '--env', 'production', '--url', emulatorUrl, '--confirm-user', 'production-usr'));
    assert.equal(wrong.code, 4);
    assert.match(wrong.stderr, /--confirm-user does not match the file: "production-usr" is not a user name/);

    assert.equal(await updateCount(), before);
    // The same file is still new to the emulator, so neither refused run reached it.
    const local = await runCli(localArgs('submit', file, '--url', emulatorUrl, '--format', 'json'));
    assert.equal(local.code, 0, local.stderr);
    assert.equal((JSON.parse(local.stdout) as OutcomeJson).outcome, 'processed');
  });

  test('production with confirmation needs credentials', async () => {
    const before = await updateCount();
    const run = await runCli(localArgs('submit', requestFor('production-user2'), '--env', 'production', '--confirm-user', 'production-user2'));
    assert.equal(run.code, 4);
    assert.match(run.stderr, /missing the CSID \(IBKR_CSID or --csid\).* for the production environment/);
    assert.equal(await updateCount(), before);
  });

  test('file with errors is rejected', async () => {
    const before = await updateCount();
    const run = await runCli(localArgs('submit', path.join(FIXTURES, 'invalid-request.xml')));
    assert.equal(run.code, 4);
    assert.match(run.stderr, /invalid-request\.xml:\d+:\d+: error details-count: /);
    assert.match(run.stderr, /has 2 errors \(listed above\); fix them and submit again\. Nothing was sent\./);
    assert.equal(run.stdout, '');
    assert.equal(await updateCount(), before);
  });

  test('explicit credentials and passphrase flag', async () => {
    const firm = testFirm();
    const run = await runCli(['submit', requestFor('explicit-user'), '--url', emulatorUrl, '--record', recordFile, '--private-key-passphrase', firm.passphrase], {
      env: {
        IBKR_CSID: firm.csid,
        IBKR_PUBLIC_KEY_FILE: path.resolve(stateDir, firm.ibkrPublicKeyFile),
        IBKR_PRIVATE_KEY_FILE: path.resolve(stateDir, firm.privateKeyFile),
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: --private-key-passphrase puts the passphrase on the command line, where other processes can read it/);
    assert.match(run.stdout, /^Outcome: +processed/m);

    const partial = await runCli(['submit', requestFor('explicit-user2'), '--url', emulatorUrl, '--record', recordFile], { env: { IBKR_CSID: firm.csid } });
    assert.equal(partial.code, 4);
    assert.match(partial.stderr, /missing IBKR's public key file \(IBKR_PUBLIC_KEY_FILE or --public-key-file\)/);
  });

  test('show-raw adds response XML', async () => {
    const run = await runCli(localArgs('submit', requestFor('raw-user'), '--format', 'json', '--show-raw'));
    assert.equal(run.code, 0, run.stderr);
    const outcome = JSON.parse(run.stdout) as OutcomeJson & { responseXml: string };
    assert.match(outcome.responseXml, /<SecurityQuestions reference_user_name="raw-user" request_status="PROCESSED"/);
  });

  test('verbose prints timings', async () => {
    const run = await runCli(localArgs('submit', requestFor('verbose-user'), '--verbose'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^ibkr-am: submitting SecurityQuestions from .*verbose-user\.xml to 127\.0\.0\.1:\d+ \(local\)$/m);
    assert.match(run.stderr, /^ibkr-am: update took \d+ ms$/m);
    // Secrets are searched for in every output at the end.
  });

  test('no emulator listening exits 4', async () => {
    const port = await closedPort();
    const file = requestFor('offline-user');
    const run = await runCli(localArgs('submit', file, '--url', `http://127.0.0.1:${port}`));
    assert.equal(run.code, 4);
    assert.match(run.stderr, /Nothing was sent\. Start the emulator with "ibkr-am emulator"\./);
    assert.equal(run.stdout, '');

    const entries = readRecord(recordFile).filter((entry) => entry['userName'] === 'offline-user');
    assert.equal(entries.length, 1, JSON.stringify(entries));
    assert.equal(entries[0]?.['outcome'], 'not-sent');
    assert.equal(entries[0]?.['host'], `127.0.0.1:${port}`);
    assert.equal(entries[0]?.['requestId'], null);
    assert.equal(entries[0]?.['status'], null);
    assert.equal(entries[0]?.['filePath'], file);
  });

  test('not-sent entry raises no warning', async () => {
    // Follows the test above, which recorded a not-sent attempt for offline-user.
    const run = await runCli(localArgs('submit', requestFor('offline-user'), '--format', 'json'));
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as OutcomeJson).outcome, 'processed');
    assert.doesNotMatch(run.stderr, /earlier submission/);
    assert.doesNotMatch(run.stderr, /warning/);

    const outcomes = readRecord(recordFile)
      .filter((entry) => entry['userName'] === 'offline-user')
      .map((entry) => entry['outcome']);
    assert.deepEqual(outcomes, ['not-sent', 'processed']);
  });

  test('show-raw prints unreadable reply', async () => {
    await setFaults([{ kind: 'html', endpoint: 'update', times: 2 }]);
    try {
      const text = await runCli(localArgs('submit', requestFor('html-user'), '--show-raw'));
      assert.equal(text.code, 4, text.stderr);
      assert.match(text.stdout, /^Outcome: +invalid-response$/m);
      assert.match(text.stdout, /^Response XML: \(none: no response was decrypted\)$/m);
      assert.match(text.stdout, /^Raw reply: HTTP 502, content type text\/html, \d+ bytes read, complete$/m);
      assert.match(text.stdout, /<title>502 Bad Gateway<\/title>/);

      const json = await runCli(localArgs('submit', requestFor('html-user2'), '--show-raw', '--format', 'json'));
      assert.equal(json.code, 4, json.stderr);
      const outcome = JSON.parse(json.stdout) as OutcomeJson & { responseXml: string | null; rawReply: Record<string, unknown> | null };
      assert.equal(outcome.outcome, 'invalid-response');
      assert.equal(outcome.responseXml, null);
      assert.deepEqual(Object.keys(outcome.rawReply ?? {}), ['httpStatus', 'contentType', 'bytes', 'text', 'truncated']);
      assert.equal(outcome.rawReply?.['httpStatus'], 502);
      assert.equal(outcome.rawReply?.['truncated'], false);
      assert.match(String(outcome.rawReply?.['text']), /<h1>Bad Gateway<\/h1>/);
    } finally {
      await setFaults([]);
    }
  });

  test('corrupt record is reported once', async () => {
    const corruptRecord = path.join(workDir, 'corrupt', 'submissions.jsonl');
    mkdirSync(path.dirname(corruptRecord));
    const valid = readFileSync(recordFile, 'utf8').split('\n')[0] ?? '';
    // Line 2 is not JSON, line 3 lacks fields, and line 4 is cut short without a line break.
    writeFileSync(corruptRecord, `${valid}\nnot json\n{"time":"2026-01-01T00:00:00.000Z"}\n{"time":"2026-`);

    const first = await runCli(['submit', requestFor('corrupt-user'), '--state', stateDir, '--record', corruptRecord]);
    assert.equal(first.code, 0, first.stderr);
    const warnings = first.stderr.split('\n').filter((line) => line.includes('unreadable'));
    assert.equal(warnings.length, 1, first.stderr);
    assert.match(warnings[0] ?? '', /has 3 unreadable lines: line 2 \(invalid-json\), line 3 \(invalid-entry\), line 4 \(torn\)\. They were skipped/);
    const copy = /A copy of the file as it was is kept at (\S+)\.$/.exec(warnings[0] ?? '')?.[1];
    assert.ok(copy !== undefined, warnings[0]);
    assert.equal(path.dirname(copy), path.dirname(corruptRecord));
    assert.ok(existsSync(copy), `${copy} is missing`);
    assert.match(readFileSync(copy, 'utf8'), /not json/);

    // The submission was appended after the torn line, and the next run reports the same copy.
    const entries = readRecord(corruptRecord);
    assert.equal(entries.at(-1)?.['userName'], 'corrupt-user');
    const second = await runCli(['submit', requestFor('corrupt-user'), '--state', stateDir, '--record', corruptRecord, '--format', 'json']);
    assert.equal(second.code, 2, second.stderr);
    assert.ok(second.stderr.includes(`kept at ${copy}.`), second.stderr);
    assert.match(second.stderr, /has 1 earlier submission\(s\) of SecurityQuestions for user corrupt-user/);
    assert.equal(readdirSync(path.dirname(corruptRecord)).filter((name) => name.includes('.corrupt-')).length, 1);
  });

  test('questions as json and csv', async () => {
    const json = await runCli(['questions', '--state', stateDir, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const entries = JSON.parse(json.stdout) as { id: string; question: string }[];
    assert.ok(entries.some((entry) => entry.id === '9161083'));
    assert.ok(entries.every((entry) => entry.question.length > 0));

    const csv = await runCli(['questions', '--state', stateDir, '--format', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const [header, ...rows] = csv.stdout.trim().split(/\r?\n/);
    assert.ok(header?.split(',').includes('id'), header);
    assert.ok(header?.split(',').includes('question'), header);
    assert.equal(rows.length, entries.length);

    // Both outputs load as question lists for check.
    for (const [name, text] of [['questions.json', json.stdout], ['questions.csv', csv.stdout]]) {
      const list = path.join(workDir, name ?? '');
      writeFileSync(list, text ?? '');
      const check = await runCli(['check', '--format', 'json', '--questions', list, path.join(FIXTURES, 'unknown-question.xml')]);
      assert.equal(check.code, 1, `${name}: ${check.stderr}`);
      const report = JSON.parse(check.stdout) as { diagnostics: { code: string }[] }[];
      assert.deepEqual(
        report[0]?.diagnostics.map((diagnostic) => diagnostic.code),
        ['question-unknown'],
      );
    }
  });

  test('lookup prints user names', async () => {
    const seeded = await runCli(['lookup', 'U1234567', '--state', stateDir]);
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.equal(seeded.stdout, 'U1234567: tester1234\n');

    const added = await runCli(['lookup', 'U7654321', '--state', stateDir, '--format', 'json']);
    assert.equal(added.code, 0, added.stderr);
    assert.equal((JSON.parse(added.stdout) as { userName: string }).userName, 'lookup-user');

    const unknown = await runCli(['lookup', 'U0000000', '--state', stateDir]);
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /getAccountDetail returned no user name for account U0000000/);
  });

  test('invalid options exit 4', async () => {
    const cases: [string[], RegExp][] = [
      [['submit', 'a.xml', '--env', 'prod'], /invalid value "prod" for --env; use one of local, qa, production, custom/],
      [['submit', 'a.xml', 'b.xml'], /unexpected argument "b\.xml"/],
      [['submit', '--confirm-user'], /option --confirm-user needs a value/],
      [['emulator', '--port', 'http'], /invalid --port "http"/],
      [['emulator', '--account', 'U1'], /invalid --account "U1"; write ACCOUNT_ID=USER_NAME/],
      [['status'], /missing ID/],
      [['submit', 'a.xml', '--env', 'custom'], /--env custom needs --url BASE/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 4, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
  });

  test('emulator stops cleanly on SIGINT', async () => {
    assert.ok(emulator);
    const code = await emulator.stop('SIGINT');
    assert.equal(code, 0, emulator.stderr());
    assert.match(emulator.stderr(), /SIGINT received; stopping the emulator/);
  });

  test('no secret appears in any output', () => {
    const firm = testFirm();
    const output = allOutput.join('\n');
    assert.ok(output.includes('Outcome:'));
    assert.ok(!output.includes(firm.csid), 'the CSID was printed');
    assert.ok(!output.includes(firm.passphrase), 'the passphrase was printed');
    assert.ok(!output.includes('PRIVATE KEY BLOCK'), 'private key material was printed');
    for (const [index, answer] of SAMPLE_ANSWERS.entries()) {
      assert.ok(!output.includes(answer), `sample answer ${index + 1} was printed`);
    }
  });
});
