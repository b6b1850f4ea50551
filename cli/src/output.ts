/** Writing to stdout and stderr (the lint rules forbid `console` outside the VS Code client). */

let verboseEnabled = false;

export function setVerbose(enabled: boolean): void {
  verboseEnabled = enabled;
}

export function writeOut(text: string): void {
  process.stdout.write(text);
}

export function writeError(text: string): void {
  process.stderr.write(text);
}

export function printWarning(message: string): void {
  process.stderr.write(`ibkr-am: warning: ${message}\n`);
}

/** Prints a `--verbose` line: timings and request names only, never request content or credentials. */
export function printVerbose(message: string): void {
  if (verboseEnabled) {
    process.stderr.write(`ibkr-am: ${message}\n`);
  }
}

/** Runs `action` and prints its duration in milliseconds with `--verbose`. */
export async function timed<T>(label: string, action: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await action();
  } finally {
    printVerbose(`${label} took ${Math.round(performance.now() - started)} ms`);
  }
}
