import * as net from 'node:net';
import * as vscode from 'vscode';
import { startEmulator, type EmulatorHandle } from '../../eca/src/index';
import type { Settings } from './config';
import type { Logger } from './log';
import { errorMessage } from './log';

/** Time limit of a probe of the emulator's port. A loopback connection is accepted or refused at once. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * The local ECA emulator started inside the extension host by "IBKR: Start Local Emulator".
 * It listens on 127.0.0.1 only and stops with the extension.
 */
export class LocalEmulator implements vscode.Disposable {
  private handle: EmulatorHandle | undefined;
  private starting: Promise<EmulatorHandle | undefined> | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {}

  /** True when something accepts connections on 127.0.0.1 at the emulator port. */
  async isListening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      const finish = (listening: boolean): void => {
        socket.destroy();
        resolve(listening);
      };
      socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(false));
      socket.once('connect', () => finish(true));
      socket.once('error', () => finish(false));
    });
  }

  /**
   * Starts the emulator on `ibkr.emulator.port` with `ibkr.emulator.stateDir`, unless this
   * extension host already runs it. Shows an error and returns undefined when it cannot start.
   */
  async start(): Promise<EmulatorHandle | undefined> {
    if (this.handle !== undefined) {
      return this.handle;
    }
    this.starting ??= this.startOnce().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startOnce(): Promise<EmulatorHandle | undefined> {
    const port = this.settings.emulatorPort();
    const stateDir = this.settings.emulatorStateDir();
    if ('error' in stateDir) {
      void vscode.window.showErrorMessage(stateDir.error);
      return undefined;
    }
    if (await this.isListening(port)) {
      const message = `Port ${port} on 127.0.0.1 is already in use, by another emulator or another program. If it is an emulator, the local environment uses it as it is; otherwise change ibkr.emulator.port.`;
      this.logger.warn(message);
      void vscode.window.showWarningMessage(message);
      return undefined;
    }
    try {
      const handle = await startEmulator({ port, stateDir: stateDir.path, logger: this.logger });
      this.handle = handle;
      this.logger.info(`Started the local ECA emulator at ${handle.url} with state in ${handle.stateDir}.`);
      void vscode.window.showInformationMessage(`Local ECA emulator started at ${handle.url}.`);
      return handle;
    } catch (error) {
      const message = `The local ECA emulator could not start on 127.0.0.1:${port}: ${errorMessage(error)}`;
      this.logger.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  }

  async stop(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) {
      await handle.close();
      this.logger.info('Stopped the local ECA emulator.');
    }
  }

  dispose(): void {
    void this.stop();
  }
}
