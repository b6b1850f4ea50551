import * as vscode from 'vscode';
import { redactTrace } from './logic/redact';

/**
 * The trace output channel handed to the language client: it forwards to the "IBKR" channel
 * after removing document text and answers (see `redactTrace`).
 */
export function createRedactingChannel(target: vscode.LogOutputChannel): vscode.OutputChannel {
  return {
    name: target.name,
    append: (value: string) => target.append(redactTrace(value)),
    appendLine: (value: string) => target.appendLine(redactTrace(value)),
    replace: (value: string) => target.replace(redactTrace(value)),
    clear: () => target.clear(),
    show: (columnOrPreserve?: vscode.ViewColumn | boolean, preserveFocus?: boolean) => {
      if (typeof columnOrPreserve === 'boolean') {
        target.show(columnOrPreserve);
      } else {
        target.show(preserveFocus);
      }
    },
    hide: () => target.hide(),
    // The "IBKR" channel belongs to the extension and outlives the language client.
    dispose: () => undefined,
  };
}
