/**
 * Problems a tester found in `ibkr-am`: options that sent credentials or timers astray, a second
 * emulator on one state folder, a corrupt state file, JSON output, the encoding gate, the record
 * of attempts that sent nothing, and messages. Each runs the bundled CLI against an emulator
 * that this test starts on 127.0.0.1 with a temporary state folder.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertCliBuilt, FIXTURES, runCli, startCli, type BackgroundProcess } from './cliHarness';

let workDir = '';
let stateDir = '';
let recordFile = '';
let emulator: BackgroundProcess | undefined;
let emulatorUrl = '';

const SAMPLE = readFileSync(path.join(FIXTURES, 'sample-request.xml'), 'utf8');

function writeRequest(name: string, text: string): string {
  const file = path.join(workDir, name);
  writeFileSync(file, text);
  return file;
}

function localArgs(...args: string[]): string[] {
  return [...args, '--state', stateDir, '--record', recordFile];
}

function recordEntries(): Record<string, unknown>[] {
  if (!existsSync(recordFile)) return [];
  return readFileSync(recordFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

before(async () => {
  assertCliBuilt();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'ibkr-am-fixes-'));
  stateDir = path.join(workDir, 'state');
  recordFile = path.join(workDir, 'submissions.jsonl');
  emulator = startCli(['emulator', '--port', '0', '--state', stateDir]);
  const match = await emulator.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
  emulatorUrl = match[1] ?? '';
  await emulator.waitForOutput(/Press Ctrl\+C to stop\./);
});

after(async () => {
  await emulator?.stop('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

describe('ibkr-am fixes', () => {
  test('local with a non-loopback URL is refused', async () => {
    const file = writeRequest('local-remote.xml', SAMPLE);
    const run = await runCli(localArgs('submit', file, '--env', 'local', '--url', 'https://example.com'));
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /--env local is the emulator on loopback, but --url "https:\/\/example\.com" names another host; use --env custom/);
  });

  test('second emulator on the state folder is refused and keeps server.json', async () => {
    const second = await runCli(['emulator', '--port', '0', '--state', stateDir]);
    assert.equal(second.code, 4, second.stderr);
    assert.match(second.stderr, new RegExp(`Another emulator \\(pid \\d+, ${emulatorUrl.replace(/\./g, '\\.')}\\) is running`));
    const info = JSON.parse(readFileSync(path.join(stateDir, 'server.json'), 'utf8')) as { url: string };
    assert.equal(info.url, emulatorUrl);
  });

  test('submit help names the emulator URL source', async () => {
    const run = await runCli(['submit', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout.replace(/\s+/g, ' '), /uses the URL of the emulator running on the state folder \(its server\.json\)/);
  });

  test('corrupt or empty state.json stops the emulator at start', async () => {
    for (const text of ['{"version": 1, "firms": [', '']) {
      const dir = mkdtempSync(path.join(workDir, 'corrupt-'));
      writeFileSync(path.join(dir, 'state.json'), text);
      const run = await runCli(['emulator', '--port', '0', '--state', dir]);
      assert.equal(run.code, 4, run.stderr);
      assert.match(run.stderr, /state\.json is not valid JSON .*Move it away/);
      assert.equal(readFileSync(path.join(dir, 'state.json'), 'utf8'), text);
    }
  });

  test('timeout and port values out of range are named', async () => {
    const file = writeRequest('timeout.xml', SAMPLE);
    const cases: [string[], RegExp][] = [
      [localArgs('submit', file, '--timeout', '3000000'), /invalid --timeout "3000000"; give a number of seconds from 1 to 600/],
      [localArgs('submit', file, '--timeout', '-5'), /invalid --timeout "-5"/],
      [['status', '1', '--timeout', '0.5', '--state', stateDir], /invalid --timeout "0\.5"/],
      [['emulator', '--port', '-1', '--state', stateDir], /invalid --port "-1"/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 4, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
  });

  test('JSON lists every request', async () => {
    const second = '<SecurityQuestions reference_user_name="multi-two" input_language="zh-Hans">\n<Details question="9161083" answer="answer1" />\n<Details question="6688721" answer="demo2" />\n<Details question="9161123" answer="text3" />\n</SecurityQuestions>\n</AcctMgmtRequests>';
    const text = SAMPLE.replace('reference_user_name="tester1234"', 'reference_user_name="multi-one"').replace('</AcctMgmtRequests>', second);
    const run = await runCli(localArgs('submit', writeRequest('multi.xml', text), '--format', 'json'));
    const json = JSON.parse(run.stdout) as { requestId: string | null; requests: { requestType: string; userName: string; status: string; requestId: string | null }[] };
    assert.deepEqual(
      json.requests.map((request) => [request.requestType, request.userName, request.status]),
      [
        ['SecurityQuestions', 'multi-one', 'PROCESSED'],
        ['SecurityQuestions', 'multi-two', 'PROCESSED'],
      ],
    );
    assert.equal(json.requestId, json.requests[0]?.requestId);
    assert.notEqual(json.requests[0]?.requestId, json.requests[1]?.requestId);
  });

  test('JSON object when nothing was sent', async () => {
    const rejected = await runCli(localArgs('submit', path.join(FIXTURES, 'invalid-request.xml'), '--format', 'json'));
    assert.equal(rejected.code, 4);
    const rejectedJson = JSON.parse(rejected.stdout) as { outcome: string; detail: string };
    assert.equal(rejectedJson.outcome, 'rejected');
    assert.match(rejectedJson.detail, /Nothing was sent/);

    const noFirm = await runCli(['submit', writeRequest('no-firm.xml', SAMPLE), '--format', 'json', '--state', path.join(workDir, 'empty-state'), '--record', recordFile]);
    assert.equal(noFirm.code, 4);
    assert.equal((JSON.parse(noFirm.stdout) as { outcome: string }).outcome, 'not-sent');
  });

  test('non-ASCII file without UTF-8 declaration is refused', async () => {
    const text = SAMPLE.replace(/^<\?xml[^>]*\?>\n/, '').replace('answer="answer1"', 'answer="réponse1"');
    const run = await runCli(localArgs('submit', writeRequest('no-declaration.xml', text)));
    assert.equal(run.code, 4, run.stderr);
    assert.ok(run.stderr.includes('Add <?xml version="1.0" encoding="UTF-8"?> as the first line'), run.stderr);
    assert.ok(!run.stderr.includes('réponse1'), 'the answer was printed');
  });

  test('key errors are recorded as not-sent and name their setting', async () => {
    const firm = JSON.parse(readFileSync(path.join(stateDir, 'test-firm.json'), 'utf8')) as { csid: string; privateKeyFile: string; ibkrPublicKeyFile: string };
    const file = writeRequest('key-errors.xml', SAMPLE.replace('reference_user_name="tester1234"', 'reference_user_name="key-user"'));
    const before = recordEntries().length;
    const env = {
      IBKR_CSID: firm.csid,
      IBKR_PUBLIC_KEY_FILE: path.resolve(stateDir, firm.ibkrPublicKeyFile),
      IBKR_PRIVATE_KEY_FILE: path.resolve(stateDir, firm.privateKeyFile),
    };
    const noPassphrase = await runCli(['submit', file, '--url', emulatorUrl, '--record', recordFile], { env });
    assert.equal(noPassphrase.code, 4, noPassphrase.stderr);
    assert.match(noPassphrase.stderr, /Set IBKR_PRIVATE_KEY_PASSPHRASE \(or --private-key-passphrase\)/);

    const missingKey = await runCli(['submit', file, '--url', emulatorUrl, '--record', recordFile], {
      env: { ...env, IBKR_PRIVATE_KEY_FILE: path.join(workDir, 'missing.asc') },
    });
    assert.equal(missingKey.code, 4, missingKey.stderr);
    assert.match(missingKey.stderr, /missing\.asc is not found\. The path comes from IBKR_PRIVATE_KEY_FILE\./);

    const added = recordEntries().slice(before);
    assert.deepEqual(
      added.map((entry) => [entry['outcome'], entry['userName']]),
      [
        ['not-sent', 'key-user'],
        ['not-sent', 'key-user'],
      ],
    );
  });

  test('messages name the problem', async () => {
    const missing = await runCli(['check']);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /missing FILE\.\.\. Run "ibkr-am check --help"/);

    const stateFile = writeRequest('state-file', 'x');
    const emulatorOnFile = await runCli(['emulator', '--port', '0', '--state', stateFile]);
    assert.equal(emulatorOnFile.code, 4);
    assert.match(emulatorOnFile.stderr, /is a file, not a folder/);
    assert.ok(!emulatorOnFile.stderr.includes('internal error'), emulatorOnFile.stderr);
  });
});
