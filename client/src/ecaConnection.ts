import * as vscode from 'vscode';
import { createEcaClient, loadCredentials, loadLocalCredentials, type CredentialFiles, type EcaClient } from '../../eca/src/index';
import type { Settings } from './config';
import type { CredentialStore } from './credentials';
import type { LocalEmulator } from './localEmulator';
import type { Logger } from './log';
import { errorMessage } from './log';
import type { ResolvedEnvironment } from './logic/environments';
import { redactSecrets } from './logic/mask';

export const START_EMULATOR_BUTTON = 'Start Local Emulator';
export const SELECT_ENVIRONMENT_BUTTON = 'Select Environment';
export const SET_CREDENTIALS_BUTTON = 'Set Credentials';

/** An ECA client for the active environment, with the secrets to keep out of any message. */
export interface Connection {
  environment: ResolvedEnvironment;
  client: EcaClient;
  secrets: string[];
}

/**
 * Builds an ECA client for the active environment. For `local` it makes sure that the emulator
 * runs, offering to start it, and reads the test firm's credentials from the emulator's state
 * folder. For the other environments it prompts for any missing credential. Problems are shown
 * to the user, and the result is then undefined, as it is when the user cancels.
 */
export class EcaConnector {
  constructor(
    private readonly settings: Settings,
    private readonly credentials: CredentialStore,
    private readonly emulator: LocalEmulator,
    private readonly logger: Logger,
  ) {}

  async connect(options: { requestTimeoutSeconds?: number } = {}): Promise<Connection | undefined> {
    const resolution = this.settings.environment();
    if ('error' in resolution) {
      this.showError(resolution.error, [], SELECT_ENVIRONMENT_BUTTON);
      return undefined;
    }
    const environment = resolution.environment;

    const files = environment.name === 'local' ? await this.localCredentials() : await this.remoteCredentials(environment);
    if (files === undefined) {
      return undefined;
    }
    const secrets = [files.csid, files.passphrase].filter((secret): secret is string => secret !== undefined && secret !== '');

    try {
      const credentials = await loadCredentials(files);
      const client = createEcaClient({
        environment: environment.name,
        baseUrl: environment.baseUrl,
        credentials,
        logger: this.logger,
        requestTimeoutMs: options.requestTimeoutSeconds === undefined ? undefined : options.requestTimeoutSeconds * 1000,
      });
      return { environment, client, secrets };
    } catch (error) {
      this.showError(`The credentials for ${environment.name} could not be used: ${errorMessage(error)}`, secrets, environment.name === 'local' ? undefined : SET_CREDENTIALS_BUTTON);
      return undefined;
    }
  }

  private async localCredentials(): Promise<CredentialFiles | undefined> {
    const port = this.settings.emulatorPort();
    if (!(await this.emulator.isListening(port))) {
      const choice = await vscode.window.showWarningMessage(
        `The local ECA emulator is not running on 127.0.0.1:${port}. Start it in VS Code?`,
        START_EMULATOR_BUTTON,
      );
      if (choice !== START_EMULATOR_BUTTON || (await this.emulator.start()) === undefined) {
        return undefined;
      }
    }
    const stateDir = this.settings.emulatorStateDir();
    if ('error' in stateDir) {
      this.showError(stateDir.error, []);
      return undefined;
    }
    try {
      return await loadLocalCredentials(stateDir.path);
    } catch (error) {
      this.showError(
        `The test firm of the local emulator could not be read from ${stateDir.path}: ${errorMessage(error)} Set ibkr.emulator.stateDir to the state folder of the emulator that listens on port ${port}.`,
        [],
      );
      return undefined;
    }
  }

  private async remoteCredentials(environment: ResolvedEnvironment): Promise<CredentialFiles | undefined> {
    try {
      return await this.credentials.remoteCredentials(environment.name, true);
    } catch (error) {
      this.showError(errorMessage(error), [], SET_CREDENTIALS_BUTTON);
      return undefined;
    }
  }

  /** Logs and shows an error without waiting for the user, and runs the command of its button. */
  private showError(message: string, secrets: readonly string[], button?: string): void {
    const safe = redactSecrets(message, secrets);
    this.logger.error(safe);
    const buttons = button === undefined ? [] : [button];
    void vscode.window.showErrorMessage(safe, ...buttons).then((choice) => {
      if (choice === SELECT_ENVIRONMENT_BUTTON) {
        void vscode.commands.executeCommand('ibkr.selectEnvironment');
      } else if (choice === SET_CREDENTIALS_BUTTON) {
        void vscode.commands.executeCommand('ibkr.setCredentials');
      }
    });
  }
}
