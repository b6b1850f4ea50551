import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_EMULATOR_PORT } from '../../eca/src/environments';
import type { Logger } from './log';
import { resolveEnvironment, type EnvironmentResolution } from './logic/environments';
import { resolveSettingPath } from './logic/paths';
import { userScopedValue, type InspectedSetting } from './logic/settingsScope';

/** Settings honoured only from user or remote machine settings (see `logic/settingsScope.ts`). */
export const USER_ONLY_SETTINGS = ['keys.ibkrPublicKeyFile', 'keys.privateKeyFile', 'submissionRecordFile'] as const;
type UserOnlySetting = (typeof USER_ONLY_SETTINGS)[number];

export const DEFAULT_TIMEOUT_SECONDS = 60;

export type ResolvedPath = { path: string } | { error: string };
export type PathSetting = ResolvedPath | { unset: true };

/** Reads the extension's settings. Paths are resolved; workspace values of user-only settings are ignored. */
export class Settings {
  private readonly warnedSettings = new Set<string>();

  constructor(private readonly logger: Logger) {}

  private get configuration(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('ibkr');
  }

  environmentName(): string {
    return this.configuration.get<string>('environment', 'local');
  }

  environment(): EnvironmentResolution {
    const configuration = this.configuration;
    return resolveEnvironment({
      environment: configuration.get<string>('environment', 'local'),
      customUrl: configuration.get<string>('customUrl', ''),
      emulatorPort: configuration.get<number>('emulator.port', DEFAULT_EMULATOR_PORT),
    });
  }

  emulatorPort(): number {
    return this.configuration.get<number>('emulator.port', DEFAULT_EMULATOR_PORT);
  }

  /** Resolves the emulator's state folder. An empty setting means `~/.ibkr-am/emulator`. */
  emulatorStateDir(): ResolvedPath {
    const value = this.configuration.get<string>('emulator.stateDir', '');
    if (value.trim() === '') {
      return { path: path.join(os.homedir(), '.ibkr-am', 'emulator') };
    }
    return resolveSettingPath('ibkr.emulator.stateDir', value, os.homedir());
  }

  timeoutSeconds(): number {
    const value = this.configuration.get<number>('submit.timeoutSeconds', DEFAULT_TIMEOUT_SECONDS);
    if (!Number.isFinite(value) || value < 5 || value > 600) {
      this.warnOnce('submit.timeoutSeconds', `Invalid ibkr.submit.timeoutSeconds ${String(value)}: using ${DEFAULT_TIMEOUT_SECONDS}. Use a number of seconds from 5 to 600.`);
      return DEFAULT_TIMEOUT_SECONDS;
    }
    return value;
  }

  /** Resolves the submission record file. An empty setting means `~/.ibkr-am/submissions.jsonl`. */
  submissionRecordFile(): ResolvedPath {
    const value = this.userOnlyString('submissionRecordFile');
    if (value === '') {
      return { path: path.join(os.homedir(), '.ibkr-am', 'submissions.jsonl') };
    }
    return resolveSettingPath('ibkr.submissionRecordFile', value, os.homedir());
  }

  ibkrPublicKeyFile(): PathSetting {
    return this.keyFile('keys.ibkrPublicKeyFile');
  }

  privateKeyFile(): PathSetting {
    return this.keyFile('keys.privateKeyFile');
  }

  /** Writes a user-only setting to the user settings. */
  async updateUserSetting(name: UserOnlySetting, value: string): Promise<void> {
    await this.configuration.update(name, value, vscode.ConfigurationTarget.Global);
  }

  /** Warns once per session about user-only settings that a workspace sets. */
  checkWorkspaceOverrides(): void {
    for (const name of USER_ONLY_SETTINGS) {
      this.userOnlyString(name);
    }
  }

  private keyFile(name: 'keys.ibkrPublicKeyFile' | 'keys.privateKeyFile'): PathSetting {
    const value = this.userOnlyString(name);
    if (value === '') {
      return { unset: true };
    }
    return resolveSettingPath(`ibkr.${name}`, value, os.homedir());
  }

  private userOnlyString(name: UserOnlySetting): string {
    const inspected = this.configuration.inspect<string>(name) as InspectedSetting<string> | undefined;
    const { value, workspaceValueIgnored } = userScopedValue(inspected);
    if (workspaceValueIgnored) {
      this.warnOnce(
        name,
        `Ignoring ibkr.${name} in the workspace settings: key files and the submission record are read from user settings only. Set it in your user settings if you meant to.`,
      );
    }
    return typeof value === 'string' ? value.trim() : '';
  }

  private warnOnce(key: string, message: string): void {
    if (this.warnedSettings.has(key)) {
      return;
    }
    this.warnedSettings.add(key);
    this.logger.warn(message);
    void vscode.window.showWarningMessage(message);
  }
}
