/**
 * Set-up that the end-to-end suites share beyond the browser. It keeps a run away from the
 * user's own HOME, starts a local ECA emulator through the CLI, copies examples/ pointed at it,
 * and writes VS Code user settings for predictable UI tests.
 */

import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT } from './prerequisites';
import { startAndWaitFor, type StartedProcess } from './processes';

export interface Emulator {
  url: string;
  port: number;
  stateDir: string;
  process: StartedProcess;
}

/** Copies the test's environment, moving HOME and the XDG folders into the session folder. */
export function isolatedEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // Credentials or settings of the developer's own shell must not leak into the session.
    if (!name.startsWith('IBKR_') && !name.startsWith('VSCODE_') && name !== 'NODE_OPTIONS') {
      env[name] = value;
    }
  }
  return {
    ...env,
    // An empty gallery keeps code-server from querying the extension marketplace.
    EXTENSIONS_GALLERY: '{}',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
}

/** Starts `ibkr-am emulator` from dist/ on a free loopback port with its state in `stateDir`. */
export async function startEmulator(cli: string, stateDir: string, env: NodeJS.ProcessEnv): Promise<Emulator> {
  const { process: started, match } = await startAndWaitFor(
    'ibkr-am emulator',
    process.execPath,
    [cli, 'emulator', '--port', '0', '--state', stateDir],
    /http:\/\/127\.0\.0\.1:(\d+)/,
    { cwd: ROOT, env, timeoutMs: 30_000 },
  );
  return { url: match[0], port: Number(match[1]), stateDir, process: started };
}

/**
 * Copies examples/ and points its workspace settings at the session's emulator, keeping the
 * example's own settings (the question list).
 */
export function prepareWorkspace(workspace: string, emulator: Emulator | undefined, files: Record<string, string>): void {
  cpSync(path.join(ROOT, 'examples'), workspace, { recursive: true });
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(workspace, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  let settings: Record<string, unknown> = {};
  if (existsSync(settingsFile)) {
    try {
      settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`examples/.vscode/settings.json is not plain JSON (${String(error)}); the tests merge their settings into it.`, { cause: error });
    }
  }
  settings['ibkr.environment'] = 'local';
  if (emulator !== undefined) {
    settings['ibkr.emulator.port'] = emulator.port;
    settings['ibkr.emulator.stateDir'] = emulator.stateDir;
  }
  mkdirSync(path.dirname(settingsFile), { recursive: true });
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
}

/** User settings that keep the workbench quiet and predictable, and the user-only IBKR paths inside the session folder. */
export function writeUserSettings(userDataDir: string, tempDir: string): void {
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.colorTheme': 'Default Light Modern',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'editor.accessibilitySupport': 'off',
    'editor.minimap.enabled': false,
    // Typed text must land as typed: no closing quotes or tags added, no suggestion list that
    // opens while typing (the tests open it with Ctrl+Space) and no word-based suggestions.
    'editor.autoClosingQuotes': 'never',
    'editor.autoClosingBrackets': 'never',
    'editor.autoSurround': 'never',
    'editor.acceptSuggestionOnCommitCharacter': false,
    'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
    'editor.suggestOnTriggerCharacters': false,
    'editor.parameterHints.enabled': false,
    'editor.wordBasedSuggestions': 'off',
    'editor.hover.enabled': false,
    'xml.autoClosingTags': false,
    // Emmet offers its own "ibkr-request" abbreviation beside the extension's snippet.
    'emmet.showExpandedAbbreviation': 'never',
    'emmet.showAbbreviationSuggestions': false,
    'html.autoClosingTags': false,
    'chat.commandCenter.enabled': false,
    'window.commandCenter': false,
    'ibkr.submissionRecordFile': path.join(tempDir, 'submissions.jsonl'),
  };
  const userDir = path.join(userDataDir, 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}
