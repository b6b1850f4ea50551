import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { EcaError, loadPrivateKeyFile, type CredentialFiles, type EnvironmentName } from '../../eca/src/index';
import type { PathSetting, Settings } from './config';
import type { Logger } from './log';
import { errorMessage } from './log';
import { resolveSettingPath } from './logic/paths';

/**
 * The CSID and the private key's passphrase of each remote environment, in VS Code's secret
 * storage (the OS keychain where there is one). Key files are paths in user settings. The
 * `local` environment needs none of this: it uses the emulator's test firm.
 */
export class CredentialStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {}

  async csid(environment: EnvironmentName): Promise<string | undefined> {
    return this.secrets.get(csidKey(environment));
  }

  /** Returns the stored passphrase. An empty string records that the key has none. */
  async passphrase(environment: EnvironmentName): Promise<string | undefined> {
    return this.secrets.get(passphraseKey(environment));
  }

  async forget(environment: EnvironmentName): Promise<void> {
    await this.secrets.delete(csidKey(environment));
    await this.secrets.delete(passphraseKey(environment));
    this.logger.info(`Deleted the stored CSID and passphrase of ${environment}.`);
  }

  /**
   * Collects the credential files of a remote environment. With `interactive`, the user is prompted
   * for whatever is missing: secrets in password boxes, key paths saved to user settings.
   * Without it, a missing part is an error. Returns undefined when the user cancels.
   */
  async remoteCredentials(environment: EnvironmentName, interactive: boolean): Promise<CredentialFiles | undefined> {
    let csid = await this.csid(environment);
    if (csid === undefined || csid === '') {
      if (!interactive) {
        throw new Error(`No CSID is stored for ${environment}. Run "IBKR: Set Credentials".`);
      }
      csid = await this.promptCsid(environment);
      if (csid === undefined) {
        return undefined;
      }
    }

    const privateKeyFile = await this.keyPath(this.settings.privateKeyFile(), 'keys.privateKeyFile', interactive);
    if (privateKeyFile === undefined) {
      return undefined;
    }
    const ibkrPublicKeyFile = await this.keyPath(this.settings.ibkrPublicKeyFile(), 'keys.ibkrPublicKeyFile', interactive);
    if (ibkrPublicKeyFile === undefined) {
      return undefined;
    }

    let passphrase = await this.passphrase(environment);
    if (passphrase === undefined && (await needsPassphrase(privateKeyFile))) {
      if (!interactive) {
        throw new Error(`The private key ${privateKeyFile} is protected by a passphrase, and none is stored for ${environment}. Run "IBKR: Set Credentials".`);
      }
      passphrase = await this.promptPassphrase(environment, privateKeyFile);
      if (passphrase === undefined) {
        return undefined;
      }
    }
    return { csid, ibkrPublicKeyFile, privateKeyFile, passphrase: passphrase === '' ? undefined : passphrase };
  }

  async promptCsid(environment: EnvironmentName): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: `IBKR: CSID for ${environment}`,
      prompt: `The client service id (CSID) that IBKR issued to your firm for ${environment}. It is kept in VS Code's secret storage.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim() === '' ? 'Enter the CSID, or press Escape to cancel.' : undefined),
    });
    if (value === undefined) {
      return undefined;
    }
    await this.secrets.store(csidKey(environment), value.trim());
    this.logger.info(`Stored a CSID for ${environment}.`);
    return value.trim();
  }

  async promptPassphrase(environment: EnvironmentName, privateKeyFile: string | undefined): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: `IBKR: Private Key Passphrase for ${environment}`,
      prompt: `The passphrase of ${privateKeyFile ?? 'your private key'}. It is kept in VS Code's secret storage. Leave it empty if the key has none.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) {
      return undefined;
    }
    if (value !== '' && privateKeyFile !== undefined) {
      try {
        await loadPrivateKeyFile(privateKeyFile, value);
      } catch (error) {
        // The key loader's messages name the file and never contain the passphrase.
        void vscode.window.showErrorMessage(errorMessage(error));
        return undefined;
      }
    }
    await this.secrets.store(passphraseKey(environment), value);
    this.logger.info(value === '' ? `Recorded that the private key of ${environment} has no passphrase.` : `Stored the private key passphrase of ${environment}.`);
    return value;
  }

  /** Asks for a key file path and saves it to the user settings. */
  async promptKeyPath(name: 'keys.privateKeyFile' | 'keys.ibkrPublicKeyFile'): Promise<string | undefined> {
    const current = name === 'keys.privateKeyFile' ? this.settings.privateKeyFile() : this.settings.ibkrPublicKeyFile();
    const what = name === 'keys.privateKeyFile' ? "your firm's OpenPGP private key" : "IBKR's OpenPGP public key";
    const value = await vscode.window.showInputBox({
      title: `IBKR: ${name === 'keys.privateKeyFile' ? 'Private Key File' : 'IBKR Public Key File'}`,
      prompt: `Absolute path of ${what} file (armored or binary). Saved as ibkr.${name} in your user settings.`,
      value: 'path' in current ? current.path : '',
      ignoreFocusOut: true,
      validateInput: (text) => {
        const resolved = resolveSettingPath(`ibkr.${name}`, text, os.homedir());
        if ('error' in resolved) {
          return resolved.error;
        }
        return existsSync(resolved.path) ? undefined : `File not found: ${resolved.path}`;
      },
    });
    if (value === undefined) {
      return undefined;
    }
    await this.settings.updateUserSetting(name, value.trim());
    const resolved = resolveSettingPath(`ibkr.${name}`, value, os.homedir());
    return 'path' in resolved ? resolved.path : undefined;
  }

  private async keyPath(setting: PathSetting, name: 'keys.privateKeyFile' | 'keys.ibkrPublicKeyFile', interactive: boolean): Promise<string | undefined> {
    if ('path' in setting) {
      return setting.path;
    }
    if ('error' in setting) {
      throw new Error(setting.error);
    }
    if (!interactive) {
      throw new Error(`ibkr.${name} is not set in your user settings. Run "IBKR: Set Credentials".`);
    }
    return this.promptKeyPath(name);
  }
}

function csidKey(environment: EnvironmentName): string {
  return `ibkr.${environment}.csid`;
}

function passphraseKey(environment: EnvironmentName): string {
  return `ibkr.${environment}.passphrase`;
}

/**
 * True when the key file contains a passphrase-protected key. The key loader raises a `key`
 * error that states this when no passphrase is given. Any other problem with the file is left
 * for the real load to report.
 */
async function needsPassphrase(privateKeyFile: string): Promise<boolean> {
  try {
    await loadPrivateKeyFile(privateKeyFile);
    return false;
  } catch (error) {
    return error instanceof EcaError && error.code === 'key' && /protected by a passphrase/.test(error.message);
  }
}
