/**
 * Runs the scenarios of test/electron/suite in desktop VS Code with `@vscode/test-electron`,
 * against a local ECA emulator and a copy of examples/, all under one temporary folder.
 *
 * `@vscode/test-electron` downloads VS Code from Microsoft's update servers. Where that package
 * is not installed or the download fails, as on machines that reach only the npm and Debian
 * registries, this prints one line and exits 0. The browser suite in test/e2e runs the same
 * scenarios in code-server and is the check that counts there.
 *
 * Usage: node --import tsx test/electron/run.ts
 * Environment: IBKR_VSCODE_VERSION (default 1.100.3, the version engines.vscode targets).
 */

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

import { CACHE_DIR, ROOT } from '../e2e/prerequisites';
import { isolatedEnv, prepareWorkspace, startEmulator, writeUserSettings } from '../e2e/workspace';
import { NEW_FILE } from './suite/files';

/** The part of `@vscode/test-electron` used here (the package is optional, so it is not imported statically). */
interface TestElectron {
  downloadAndUnzipVSCode(options: { version: string; cachePath: string }): Promise<string>;
  runTests(options: {
    vscodeExecutablePath: string;
    extensionDevelopmentPath: string;
    extensionTestsPath: string;
    launchArgs: string[];
    extensionTestsEnv: Record<string, string | undefined>;
  }): Promise<number>;
}

const PACKAGE = '@vscode/test-electron';
const version = process.env.IBKR_VSCODE_VERSION ?? '1.100.3';

async function main(): Promise<number> {
  let testElectron: TestElectron;
  try {
    testElectron = (await import(PACKAGE)) as TestElectron;
  } catch {
    process.stdout.write(`Electron suite skipped: ${PACKAGE} is not installed (the browser suite in test/e2e runs the same scenarios).\n`);
    return 0;
  }

  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await testElectron.downloadAndUnzipVSCode({ version, cachePath: path.join(CACHE_DIR, 'vscode-test') });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stdout.write(`Electron suite skipped: VS Code ${version} could not be downloaded (${reason}); the browser suite in test/e2e runs the same scenarios.\n`);
    return 0;
  }

  const suite = path.join(CACHE_DIR, 'electron-suite', 'index.js');
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

  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'ibkr-electron-'));
  const home = path.join(tempDir, 'home');
  const userDataDir = path.join(tempDir, 'user-data');
  const workspace = path.join(tempDir, 'workspace');
  mkdirSync(home, { recursive: true });
  const env = isolatedEnv(home);
  const emulator = await startEmulator(path.join(ROOT, 'dist', 'cli.js'), path.join(tempDir, 'emulator-state'), env);
  try {
    prepareWorkspace(workspace, emulator, { [NEW_FILE]: '' });
    writeUserSettings(userDataDir, tempDir);
    const exitCode = await testElectron.runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: suite,
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--extensions-dir', path.join(tempDir, 'extensions'), '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { HOME: home, IBKR_TEST_LOGS_DIR: path.join(userDataDir, 'logs') },
    });
    if (exitCode === 0) {
      rmSync(tempDir, { recursive: true, force: true });
    } else {
      process.stdout.write(`Electron suite failed; its folder is kept: ${tempDir}\n`);
    }
    return exitCode;
  } finally {
    await emulator.process.stop();
  }
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    process.stderr.write(`Electron suite failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
