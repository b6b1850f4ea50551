import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileChangeType, type FileEvent } from 'vscode-languageclient/node';
import type { ServerConnection } from './languageClient';

/**
 * Watches the file named by `ibkr.securityQuestions.catalogFile` and forwards its changes to the
 * server as `workspace/didChangeWatchedFiles`. The server also watches the file itself, so
 * these events are a second source for a change that its own watcher misses.
 */
export class CatalogFileWatcher implements vscode.Disposable {
  private watchers: vscode.FileSystemWatcher[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly server: ServerConnection) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('ibkr.securityQuestions.catalogFile')) {
          this.rewatch();
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rewatch()),
    );
    this.rewatch();
  }

  private rewatch(): void {
    this.disposeWatchers();
    for (const pattern of this.patterns()) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      watcher.onDidCreate((uri) => this.forward(uri, FileChangeType.Created));
      watcher.onDidChange((uri) => this.forward(uri, FileChangeType.Changed));
      watcher.onDidDelete((uri) => this.forward(uri, FileChangeType.Deleted));
      this.watchers.push(watcher);
    }
  }

  /** Builds one pattern per workspace folder that sets a relative path, and one for an absolute path. */
  private patterns(): vscode.RelativePattern[] {
    const patterns: vscode.RelativePattern[] = [];
    const folders = vscode.workspace.workspaceFolders ?? [];
    const seen = new Set<string>();
    const scopes: (vscode.WorkspaceFolder | undefined)[] = folders.length > 0 ? [...folders] : [undefined];
    for (const folder of scopes) {
      const value = vscode.workspace.getConfiguration('ibkr', folder).get<string>('securityQuestions.catalogFile', '').trim();
      if (value === '') {
        continue;
      }
      let pattern: vscode.RelativePattern | undefined;
      if (path.isAbsolute(value)) {
        pattern = new vscode.RelativePattern(vscode.Uri.file(path.dirname(value)), path.basename(value));
      } else if (folder !== undefined) {
        pattern = new vscode.RelativePattern(folder, value.replace(/\\/g, '/'));
      }
      if (pattern !== undefined) {
        const key = `${pattern.baseUri.toString()}|${pattern.pattern}`;
        if (!seen.has(key)) {
          seen.add(key);
          patterns.push(pattern);
        }
      }
    }
    return patterns;
  }

  private forward(uri: vscode.Uri, type: FileChangeType): void {
    if (!this.server.isRunning()) {
      return;
    }
    const event: FileEvent = { uri: this.server.client.code2ProtocolConverter.asUri(uri), type };
    void this.server.sendFileEvents([event]);
  }

  private disposeWatchers(): void {
    for (const watcher of this.watchers) {
      watcher.dispose();
    }
    this.watchers = [];
  }

  dispose(): void {
    this.disposeWatchers();
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }
}
