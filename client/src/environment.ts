import * as vscode from 'vscode';
import type { Settings } from './config';
import type { Logger } from './log';
import { checkCustomUrl, ENVIRONMENT_NAMES, resolveEnvironment } from './logic/environments';

const DESCRIPTIONS: Record<string, string> = {
  local: 'The local ECA emulator on 127.0.0.1; needs no IBKR account',
  qa: "IBKR's test host",
  production: "IBKR's production host: changes take effect at once",
  custom: 'The URL in ibkr.customUrl',
};

/** The status bar item that shows the active environment; clicking it runs Select Environment. */
export class EnvironmentStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ibkr.environment', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly settings: Settings) {
    this.item.name = 'IBKR Environment';
    this.item.command = 'ibkr.selectEnvironment';
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('ibkr.environment') || event.affectsConfiguration('ibkr.customUrl') || event.affectsConfiguration('ibkr.emulator.port')) {
        this.update();
      }
    });
    this.update();
    this.item.show();
  }

  update(): void {
    const resolution = this.settings.environment();
    const name = this.settings.environmentName();
    this.item.text = `IBKR: ${name}`;
    if ('error' in resolution) {
      this.item.tooltip = `${resolution.error}\nClick to select an environment.`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    const environment = resolution.environment;
    this.item.tooltip = `IBKR environment: ${environment.name} (${environment.host}). Click to select another.`;
    this.item.backgroundColor = environment.name === 'production' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

interface EnvironmentItem extends vscode.QuickPickItem {
  environment: string;
}

/** `ibkr.selectEnvironment`: picks an environment and writes it where the current value comes from. */
export async function selectEnvironment(settings: Settings, logger: Logger): Promise<void> {
  const current = settings.environmentName();
  const configuration = vscode.workspace.getConfiguration('ibkr');
  const items: EnvironmentItem[] = ENVIRONMENT_NAMES.map((name) => {
    const resolution = resolveEnvironment({
      environment: name,
      customUrl: configuration.get<string>('customUrl', ''),
      emulatorPort: configuration.get<number>('emulator.port', 8765),
    });
    const host = 'environment' in resolution ? resolution.environment.host : 'no URL set';
    return {
      label: name,
      description: `${host}${name === current ? ' (active)' : ''}`,
      detail: DESCRIPTIONS[name],
      environment: name,
    };
  });
  const picked = await vscode.window.showQuickPick(items, { title: 'IBKR: Select Environment', placeHolder: `Where IBKR commands send requests (now ${current})` });
  if (picked === undefined) {
    return;
  }

  if (picked.environment === 'custom') {
    const url = await vscode.window.showInputBox({
      title: 'IBKR: Custom Environment URL',
      prompt: 'Base URL of the ECA service, without /ws/eca/. Saved as ibkr.customUrl in your user settings.',
      value: configuration.get<string>('customUrl', ''),
      ignoreFocusOut: true,
      validateInput: (value) => {
        const checked = checkCustomUrl(value);
        return 'error' in checked ? checked.error : undefined;
      },
    });
    if (url === undefined) {
      return;
    }
    await configuration.update('customUrl', url.trim(), vscode.ConfigurationTarget.Global);
  }

  // Write to the workspace only when the workspace already sets the environment, since a user
  // value would not take effect there.
  const inspected = configuration.inspect<string>('environment');
  const target =
    inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await configuration.update('environment', picked.environment, target);
  logger.info(`Environment set to ${picked.environment} (${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} settings).`);
}
