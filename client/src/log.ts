import * as vscode from 'vscode';

/**
 * The logger handed to the ECA client and used by every command. It writes to the one "IBKR"
 * output channel. Callers must not pass it a payload, an answer, a CSID or a passphrase.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export function createLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    info: (message) => channel.info(message),
    warn: (message) => channel.warn(message),
    error: (message) => channel.error(message),
    debug: (message) => channel.debug(message),
  };
}

/** Returns the message of a caught value, for logs and notifications. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
