import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EcaError, addPendingUser, completePendingRequest, loadLocalCredentials, startEmulator } from '../../eca/src/index';
import { fileOf, makeTempDir, removeDir, securityQuestionsXml, startTestEmulator } from './helpers/emulator';

describe('emulator state', () => {
  let stateDir: string;

  before(async () => {
    stateDir = await makeTempDir('state');
  });
  after(async () => {
    await removeDir(stateDir);
  });

  test('restart keeps firms, users and requests', async () => {
    const first = await startTestEmulator({ stateDir, keepStateDir: true });
    const processed = await first.client().update(fileOf('one.xml', securityQuestionsXml('restart.user')));
    await first.emulator.addPendingUser('restart.pending');
    const pending = await first.client().update(fileOf('two.xml', securityQuestionsXml('restart.pending')));
    const testFirm = first.emulator.testFirm;
    await first.close();

    assert.equal(processed.outcome, 'processed');
    assert.equal(pending.outcome, 'pending');
    assert.equal((await loadLocalCredentials(stateDir)).url, null, 'server.json is removed on close');

    const second = await startTestEmulator({ stateDir, keepStateDir: true });
    try {
      assert.deepEqual(second.emulator.testFirm, testFirm);
      assert.equal(second.local.url, second.emulator.url);

      const again = await second.client().update(fileOf('again.xml', securityQuestionsXml('restart.user')));
      assert.equal(again.outcome, 'error');
      assert.match(again.errors[0] ?? '', new RegExp(`already answered \\(request ${processed.requestId ?? 'missing'}\\)`));

      const status = await second.client().getAmRequestStatus([processed.requestId ?? '', pending.requestId ?? '']);
      assert.deepEqual(
        status.requests.map((request) => [request.requestId, request.status]),
        [
          [processed.requestId, 'PROCESSED'],
          [pending.requestId, 'PENDING'],
        ],
      );
      assert.ok(Number(again.requestId) > Number(pending.requestId), 'request ids keep increasing after a restart');
    } finally {
      await second.close();
    }
  });

  test('concurrent submissions lose no update', async () => {
    const setup = await startTestEmulator();
    try {
      const users = Array.from({ length: 12 }, (_, index) => `concurrent.user${index}`);
      const outcomes = await Promise.all(users.map((user) => setup.client().update(fileOf(`${user}.xml`, securityQuestionsXml(user)))));

      assert.deepEqual(
        outcomes.map((outcome) => outcome.outcome),
        users.map(() => 'processed'),
      );
      const ids = outcomes.map((outcome) => outcome.requestId);
      assert.equal(new Set(ids).size, users.length, 'every request id is distinct');

      const state = JSON.parse(await readFile(path.join(setup.stateDir, 'state.json'), 'utf8')) as {
        answeredUsers: Record<string, unknown>;
        requests: Record<string, unknown>;
      };
      for (const user of users) assert.ok(state.answeredUsers[user] !== undefined, `${user} missing from state`);
      for (const id of ids) assert.ok(state.requests[id ?? ''] !== undefined, `request ${id ?? ''} missing from state`);
      const leftovers = (await readdir(setup.stateDir)).filter((name) => name.endsWith('.tmp'));
      assert.deepEqual(leftovers, []);
    } finally {
      await setup.close();
    }
  });

  test('state folder functions work without a server', async () => {
    const dir = await makeTempDir('offline');
    try {
      const emulator = await startEmulator({ stateDir: dir, port: 0 });
      await emulator.close();
      await addPendingUser(dir, 'offline.pending');

      const setup = await startTestEmulator({ stateDir: dir, keepStateDir: true });
      try {
        const outcome = await setup.client().update(fileOf('offline.xml', securityQuestionsXml('offline.pending')));
        assert.equal(outcome.outcome, 'pending');
        const completed = await completePendingRequest(dir, outcome.requestId ?? '');
        assert.equal(completed.status, 'PROCESSED');
        await assert.rejects(completePendingRequest(dir, outcome.requestId ?? ''), /is PROCESSED, not PENDING/);
        await assert.rejects(completePendingRequest(dir, '1'), /Request 1 is not known to the emulator/);
      } finally {
        await setup.close();
      }
    } finally {
      await removeDir(dir);
    }
  });

  test('corrupt state file is reported', async () => {
    const dir = await makeTempDir('corrupt');
    try {
      const emulator = await startEmulator({ stateDir: dir, port: 0 });
      await emulator.close();
      await writeFile(path.join(dir, 'state.json'), '{"version": 1, "firms": [');

      await assert.rejects(
        addPendingUser(dir, 'someone'),
        (error: unknown) => error instanceof EcaError && error.code === 'state' && /state\.json is not valid JSON/.test(error.message) && /Move it away/.test(error.message),
      );
      assert.equal(await readFile(path.join(dir, 'state.json'), 'utf8'), '{"version": 1, "firms": [', 'the corrupt file is left as it was');
    } finally {
      await removeDir(dir);
    }
  });

  test('corrupt or empty state file stops the start', async () => {
    for (const text of ['{"version": 1, "firms": [', '']) {
      const dir = await makeTempDir('corrupt-start');
      try {
        await writeFile(path.join(dir, 'state.json'), text);
        await assert.rejects(
          startEmulator({ stateDir: dir, port: 0 }),
          (error: unknown) => error instanceof EcaError && error.code === 'state' && /state\.json is not valid JSON/.test(error.message) && /Move it away/.test(error.message),
        );
        assert.equal(await readFile(path.join(dir, 'state.json'), 'utf8'), text, 'the file is left as it was');
      } finally {
        await removeDir(dir);
      }
    }
  });

  test('second emulator on a state folder is refused', async () => {
    const setup = await startTestEmulator();
    try {
      await assert.rejects(
        startEmulator({ stateDir: setup.stateDir, port: 0 }),
        (error: unknown) =>
          error instanceof EcaError && error.code === 'config' && error.message.includes(`Another emulator (pid ${process.pid}, ${setup.emulator.url}) is running`),
      );
      const info = JSON.parse(await readFile(path.join(setup.stateDir, 'server.json'), 'utf8')) as { url: string };
      assert.equal(info.url, setup.emulator.url, "the first emulator's server.json is kept");
    } finally {
      await setup.close();
    }
  });

  test('stale server.json of a dead process is ignored', async () => {
    const dir = await makeTempDir('stale-server');
    try {
      // A pid above Linux's pid_max (2^22) never names a running process.
      await writeFile(path.join(dir, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:1', pid: 4_194_305 }));
      const warnings: string[] = [];
      const logger = { info: () => undefined, debug: () => undefined, error: () => undefined, warn: (message: string) => warnings.push(message) };
      const emulator = await startEmulator({ stateDir: dir, port: 0, logger });
      const info = JSON.parse(await readFile(path.join(dir, 'server.json'), 'utf8')) as { url: string; pid: number };
      assert.deepEqual(info, { url: emulator.url, pid: process.pid });
      await emulator.close();
      assert.ok(warnings.some((message) => message.includes('left by process 4194305, which no longer runs')), warnings.join('\n'));
    } finally {
      await removeDir(dir);
    }
  });

  test('state path that is a file is a clear error', async () => {
    const dir = await makeTempDir('state-file');
    try {
      const file = path.join(dir, 'not-a-folder');
      await writeFile(file, 'x');
      await assert.rejects(
        startEmulator({ stateDir: file, port: 0 }),
        (error: unknown) => error instanceof EcaError && error.message.includes(`${file} is a file, not a folder`),
      );
    } finally {
      await removeDir(dir);
    }
  });

  test('port in use is a clear error', async () => {
    const setup = await startTestEmulator();
    const otherDir = await makeTempDir('port-in-use');
    try {
      await assert.rejects(
        startEmulator({ stateDir: otherDir, port: setup.emulator.port }),
        (error: unknown) => error instanceof EcaError && error.code === 'config' && new RegExp(`Port ${setup.emulator.port} on 127\\.0\\.0\\.1 is in use`).test(error.message),
      );
    } finally {
      await setup.close();
      await removeDir(otherDir);
    }
  });

  test('emulator listens on loopback only', async () => {
    const setup = await startTestEmulator();
    try {
      assert.match(setup.emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const keyFiles = (await readdir(setup.stateDir)).filter((name) => name.endsWith('.asc')).sort();
      assert.deepEqual(keyFiles, ['emulator-private.asc', 'emulator-public.asc', 'test-firm-private.asc', 'test-firm-public.asc']);
    } finally {
      await setup.close();
    }
  });
});
