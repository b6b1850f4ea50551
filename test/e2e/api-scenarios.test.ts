/**
 * End-to-end: the scenarios of the Electron suite (test/electron/suite), which drive the
 * extension through the `vscode` API, run here inside code-server's extension host. This is how
 * that suite is checked on machines that cannot download desktop VS Code.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';

import { NEW_FILE } from '../electron/suite/files';
import { ROOT, skipReason } from './prerequisites';
import { startSession, type Session } from './session';

const SUITE_TIMEOUT_MS = 180_000;

void describe('VS Code extension host scenarios', { skip: skipReason, timeout: SUITE_TIMEOUT_MS + 60_000 }, () => {
  let session: Session;
  let bundleDir = '';

  before(async () => {
    bundleDir = mkdtempSync(path.join(os.tmpdir(), 'ibkr-e2e-api-suite-'));
    const suite = path.join(bundleDir, 'index.js');
    await build({
      entryPoints: [path.join(ROOT, 'test', 'electron', 'suite', 'index.ts')],
      outfile: suite,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      logLevel: 'warning',
    });
    session = await startSession({ name: 'api', files: { [NEW_FILE]: '' }, extensionTests: suite });
  });

  after(async () => {
    await session?.close();
    if (bundleDir !== '') {
      rmSync(bundleDir, { recursive: true, force: true });
    }
  });

  void it('passes every scenario', async () => {
    const exit = session.extensionTestsExit;
    assert.ok(exit, 'the session runs extension tests');
    const timeout = new Promise<never>((_, reject) => {
      setTimeout(() => reject(new Error(`The extension host scenarios did not finish within ${SUITE_TIMEOUT_MS} ms.`)), SUITE_TIMEOUT_MS).unref();
    });
    const result = await session.step('extension-tests', () => Promise.race([exit, timeout]));
    const report = result.log.filter((line) => /\b(not )?ok /.test(line) || /scenarios failed/.test(line)).join('\n');
    assert.equal(result.exitCode, 0, `scenarios failed:\n${report || result.log.join('\n')}`);
    assert.match(report, /ok mistakes file lists the expected diagnostics/);
  });
});
