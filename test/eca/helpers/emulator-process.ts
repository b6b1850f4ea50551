/**
 * Runs the emulator in a process of its own, so that a test can kill it with SIGKILL.
 * Usage: emulator-process.ts STATE_DIR. Prints `ready <url>` once it listens on 127.0.0.1 (any
 * free port), then one line per log message (`info ...`, `warn ...`); stops on SIGTERM.
 */

import { startEmulator, type Logger } from '../../../eca/src/index';

async function main(): Promise<void> {
  const stateDir = process.argv[2];
  if (stateDir === undefined) throw new Error('usage: emulator-process.ts STATE_DIR');

  const line = (level: string) => (message: string) => {
    process.stdout.write(`${level} ${message}\n`);
  };
  const logger: Logger = { info: line('info'), warn: line('warn'), error: line('error'), debug: () => undefined };
  const emulator = await startEmulator({ stateDir, port: 0, logger });
  process.stdout.write(`ready ${emulator.url}\n`);
  process.once('SIGTERM', () => {
    void emulator.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
