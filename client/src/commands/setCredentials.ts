import * as vscode from 'vscode';
import type { EnvironmentName } from '../../../eca/src/index';
import type { PathSetting } from '../config';
import type { Services } from '../services';

type Action = 'csid' | 'passphrase' | 'privateKeyFile' | 'ibkrPublicKeyFile' | 'forget';

interface ActionItem extends vscode.QuickPickItem {
  action: Action;
}

const REMOTE_ENVIRONMENTS: readonly EnvironmentName[] = ['qa', 'production', 'custom'];

/**
 * `ibkr.setCredentials`: sets or deletes the CSID and passphrase of an environment (kept in
 * secret storage) and the key file paths (user settings, shared by the remote environments).
 */
export async function setCredentials(services: Services): Promise<void> {
  const active = services.settings.environmentName();
  const environments = [...REMOTE_ENVIRONMENTS].sort((a, b) => Number(b === active) - Number(a === active));
  const picked = await vscode.window.showQuickPick(
    environments.map((name): vscode.QuickPickItem & { label: EnvironmentName } => ({ label: name, description: name === active ? 'active' : undefined })),
    { title: 'IBKR: Set Credentials', placeHolder: 'Environment whose credentials to set (local needs none: it uses the emulator’s test firm)' },
  );
  if (picked === undefined) {
    return;
  }
  const environment = picked.label;

  const { credentials, settings } = services;
  const csid = await credentials.csid(environment);
  const passphrase = await credentials.passphrase(environment);
  const items: ActionItem[] = [
    { label: 'CSID', description: csid === undefined ? 'not set' : 'set', detail: 'The client service id that IBKR issued to your firm (secret storage).', action: 'csid' },
    {
      label: 'Private key passphrase',
      description: passphrase === undefined ? 'not set' : passphrase === '' ? 'none: the key has no passphrase' : 'set',
      detail: 'The passphrase of your private key (secret storage).',
      action: 'passphrase',
    },
    { label: 'Private key file', description: describePath(settings.privateKeyFile()), detail: 'ibkr.keys.privateKeyFile in your user settings, for every remote environment.', action: 'privateKeyFile' },
    { label: 'IBKR public key file', description: describePath(settings.ibkrPublicKeyFile()), detail: 'ibkr.keys.ibkrPublicKeyFile in your user settings, for every remote environment.', action: 'ibkrPublicKeyFile' },
    { label: `Forget the CSID and passphrase of ${environment}`, action: 'forget' },
  ];
  const action = await vscode.window.showQuickPick(items, { title: `IBKR: Set Credentials for ${environment}` });
  if (action === undefined) {
    return;
  }

  switch (action.action) {
    case 'csid':
      if ((await credentials.promptCsid(environment)) !== undefined) {
        void vscode.window.showInformationMessage(`Stored the CSID of ${environment}.`);
      }
      return;
    case 'passphrase': {
      const file = settings.privateKeyFile();
      if ((await credentials.promptPassphrase(environment, 'path' in file ? file.path : undefined)) !== undefined) {
        void vscode.window.showInformationMessage(`Stored the private key passphrase of ${environment}.`);
      }
      return;
    }
    case 'privateKeyFile':
    case 'ibkrPublicKeyFile': {
      const saved = await credentials.promptKeyPath(action.action === 'privateKeyFile' ? 'keys.privateKeyFile' : 'keys.ibkrPublicKeyFile');
      if (saved !== undefined) {
        void vscode.window.showInformationMessage(`Saved ${saved} as ibkr.keys.${action.action} in your user settings.`);
      }
      return;
    }
    case 'forget':
      await credentials.forget(environment);
      void vscode.window.showInformationMessage(`Forgot the CSID and passphrase of ${environment}.`);
      return;
  }
}

function describePath(setting: PathSetting): string {
  if ('path' in setting) {
    return setting.path;
  }
  if ('error' in setting) {
    return 'invalid';
  }
  return 'not set';
}
