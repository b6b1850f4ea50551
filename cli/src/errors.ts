/** Exit codes of every `ibkr-am` command. */
export const ExitCode = {
  ok: 0,
  /** `check` found at least one Error diagnostic. */
  checkErrors: 1,
  /** IBKR (or the emulator) returned `ERROR` for the request. */
  requestError: 2,
  /** IBKR (or the emulator) returned `PENDING` for the request. */
  requestPending: 3,
  /** Usage errors, unreadable files, rejected submissions and every other failure. */
  failure: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure that the user can act on. The CLI prints `message` as one line on stderr, without a
 * stack trace, and exits with `exitCode`. The message must never contain a secret.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
