/**
 * One end-to-end session: the packaged extension installed into a fresh code-server, a local ECA
 * emulator, a copy of examples/ as the workspace pointed at that emulator, and Chromium on the
 * workbench. Everything lives under one temporary folder, HOME included, so a run reads and
 * writes nothing of the user's own VS Code, IBKR keys or submission record.
 */

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { findTools, ROOT, type Tools } from './prerequisites';
import { runToCompletion, startAndWaitFor, type StartedProcess } from './processes';
import { Workbench } from './workbench';
import { isolatedEnv, prepareWorkspace, startEmulator, writeUserSettings, type Emulator } from './workspace';

/** Flags for Debian's Chromium as root in a container, with no traffic beyond loopback. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = path.join(ROOT, 'images');
export const FAILURE_DIR = path.join(ROOT, 'test-results');
/** IBKR_E2E_SCREENSHOTS=1 refreshes the README screenshots in images/. */
export const WANT_SCREENSHOTS = process.env.IBKR_E2E_SCREENSHOTS === '1';

export interface SessionOptions {
  /** Short name for the temporary folder and failure screenshots. */
  name: string;
  /** Extra workspace files (path relative to the workspace → content), e.g. an empty new file. */
  files?: Record<string, string>;
  /** Whether to start a local ECA emulator and point the workspace at it (default true). */
  emulator?: boolean;
  /**
   * A bundled module exporting `run()` to load as VS Code's `extensionTestsPath`. The extension
   * then runs from the repository (`extensionDevelopmentPath`) instead of the packaged .vsix,
   * and `Session.extensionTestsExit` resolves when `run()` has finished.
   */
  extensionTests?: string;
}

export interface ExtensionTestsResult {
  exitCode: number;
  /** What the workbench and the tests logged, one entry per call. */
  log: string[];
}

export class Session {
  readonly workbench: Workbench;
  private failed = false;

  constructor(
    readonly name: string,
    readonly tempDir: string,
    readonly workspace: string,
    readonly userDataDir: string,
    readonly home: string,
    readonly emulator: Emulator | undefined,
    readonly page: Page,
    private readonly browser: Browser,
    private readonly codeServer: StartedProcess,
    readonly extensionTestsExit: Promise<ExtensionTestsResult> | undefined,
  ) {
    this.workbench = new Workbench(page);
  }

  /** Saves a screenshot for the README into images/ when IBKR_E2E_SCREENSHOTS=1. */
  async readmeScreenshot(fileName: string): Promise<void> {
    if (WANT_SCREENSHOTS) {
      await this.page.screenshot({ path: path.join(SCREENSHOT_DIR, fileName) });
    }
  }

  /**
   * Runs one scenario step; when it throws, saves a screenshot into test-results/ and keeps the
   * temporary folder for inspection.
   */
  async step<T>(label: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      this.failed = true;
      mkdirSync(FAILURE_DIR, { recursive: true });
      const file = path.join(FAILURE_DIR, `${this.name}-${label.replace(/[^\w-]+/g, '-')}.png`);
      await this.page.screenshot({ path: file }).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${label}: ${message}\nScreenshot: ${file}\nSession folder (kept): ${this.tempDir}`, { cause: error });
    }
  }

  /** Reads every log file that code-server and the extension host wrote in this session. */
  logFiles(): { file: string; text: string }[] {
    const logsDir = path.join(this.userDataDir, 'logs');
    if (!existsSync(logsDir)) {
      return [];
    }
    return readdirSync(logsDir, { recursive: true, encoding: 'utf8' })
      .map((relative) => path.join(logsDir, relative))
      .filter((file) => file.endsWith('.log'))
      .map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  }

  /** Stops the browser, code-server and the emulator; removes the folder unless a step failed or IBKR_E2E_KEEP=1. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.codeServer.stop();
    await this.emulator?.process.stop();
    if (!this.failed && process.env.IBKR_E2E_KEEP !== '1') {
      rmSync(this.tempDir, { recursive: true, force: true });
    }
  }
}

/** Starts everything a scenario needs; see the file comment. Throws with install hints when a tool is missing. */
export async function startSession(options: SessionOptions): Promise<Session> {
  const tools = findTools();
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli) || !existsSync(path.join(ROOT, 'dist', 'extension.js'))) {
    throw new Error(`${path.join(ROOT, 'dist')} is missing the bundles: run "npm run build" before the end-to-end tests.`);
  }

  const tempDir = mkdtempSync(path.join(os.tmpdir(), `ibkr-e2e-${options.name}-`));
  const home = path.join(tempDir, 'home');
  const userDataDir = path.join(tempDir, 'user-data');
  const extensionsDir = path.join(tempDir, 'extensions');
  const workspace = path.join(tempDir, 'workspace');
  for (const dir of [home, userDataDir, extensionsDir]) {
    mkdirSync(dir, { recursive: true });
  }
  const env = isolatedEnv(home);

  if (options.extensionTests === undefined) {
    const vsix = process.env.IBKR_E2E_VSIX ?? packageExtension(tempDir, env);
    runToCompletion('code-server --install-extension', tools.codeServer, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], {
      env,
      timeoutMs: 120_000,
    });
  }

  const emulator = options.emulator === false ? undefined : await startEmulator(cli, path.join(tempDir, 'emulator-state'), env);
  try {
    prepareWorkspace(workspace, emulator, options.files ?? {});
    writeUserSettings(userDataDir, tempDir);
    const codeServer = await startCodeServer(tools, { userDataDir, extensionsDir, workspace, tempDir, env: { ...env, IBKR_TEST_LOGS_DIR: path.join(userDataDir, 'logs') } });
    try {
      let url = `${codeServer.url}?folder=${encodeURIComponent(workspace)}`;
      if (options.extensionTests !== undefined) {
        // The web workbench reads development options from a `payload` of name/value pairs.
        // Paths are URIs on the server, whose authority is code-server's host and port.
        const authority = new URL(codeServer.url).host;
        const payload = [
          ['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`],
          ['extensionTestsPath', `vscode-remote://${authority}${options.extensionTests}`],
        ];
        url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      }
      const { browser, page, extensionTestsExit } = await openBrowser(tools, env, url, options.extensionTests !== undefined);
      const session = new Session(options.name, tempDir, workspace, userDataDir, home, emulator, page, browser, codeServer.process, extensionTestsExit);
      await session.step('workbench-ready', () => session.workbench.waitUntilReady());
      return session;
    } catch (error) {
      await codeServer.process.stop();
      throw error;
    }
  } catch (error) {
    await emulator?.process.stop();
    throw error;
  }
}

/** Packages dist/ as it is (the test runner has just built it) into the session folder, with the session's HOME. */
function packageExtension(tempDir: string, env: NodeJS.ProcessEnv): string {
  const vsix = path.join(tempDir, 'ibkr-am-requests.vsix');
  runToCompletion('scripts/package.mjs', process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--skip-build', '--out', vsix], {
    cwd: ROOT,
    env,
    timeoutMs: 120_000,
  });
  return vsix;
}

async function startCodeServer(
  tools: Tools,
  dirs: { userDataDir: string; extensionsDir: string; workspace: string; tempDir: string; env: NodeJS.ProcessEnv },
): Promise<{ url: string; process: StartedProcess }> {
  const config = path.join(dirs.tempDir, 'code-server.yaml');
  writeFileSync(config, 'auth: none\n');
  const { process: started, match } = await startAndWaitFor(
    'code-server',
    tools.codeServer,
    [
      '--config',
      config,
      '--auth',
      'none',
      '--bind-addr',
      '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir',
      dirs.userDataDir,
      '--extensions-dir',
      dirs.extensionsDir,
      dirs.workspace,
    ],
    /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/,
    { cwd: dirs.tempDir, env: dirs.env, timeoutMs: 60_000 },
  );
  return { url: match[1] ?? match[0], process: started };
}

async function openBrowser(
  tools: Tools,
  env: NodeJS.ProcessEnv,
  url: string,
  runsExtensionTests: boolean,
): Promise<{ browser: Browser; page: Page; extensionTestsExit: Promise<ExtensionTestsResult> | undefined }> {
  const browser = await chromium.launch({ executablePath: tools.chromium, args: CHROMIUM_FLAGS, env });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // Reading the Output view and editors copies their text through the clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    const page = await context.newPage();
    let extensionTestsExit: Promise<ExtensionTestsResult> | undefined;
    if (runsExtensionTests) {
      // When these two window functions exist, the web workbench of VS Code 1.100 calls them
      // with the extension tests' log lines and, at the end, their exit code.
      const log: string[] = [];
      await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        log.push(`${type}: ${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}`);
      });
      let finish: (result: ExtensionTestsResult) => void = () => undefined;
      extensionTestsExit = new Promise((resolve) => {
        finish = resolve;
      });
      await page.exposeFunction('codeAutomationExit', (exitCode: number) => finish({ exitCode, log }));
    }
    await page.goto(url);
    return { browser, page, extensionTestsExit };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
