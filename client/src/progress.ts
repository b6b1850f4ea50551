import * as vscode from 'vscode';

/**
 * Runs `task` under a cancellable progress notification. Cancelling aborts the signal that the
 * task passes to the ECA client, which stops the HTTP call.
 */
export function withCancellableProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      return await task(controller.signal);
    } finally {
      subscription.dispose();
    }
  });
}
