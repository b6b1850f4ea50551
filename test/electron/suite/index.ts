/**
 * Entry point that VS Code loads as `--extensionTestsPath` (after test/electron/run.ts bundles
 * it): runs every scenario in order and rejects when any failed, which makes VS Code exit with
 * a non-zero code. No test framework is needed for one short list.
 */

import { scenarios } from './scenarios';

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const scenario of scenarios) {
    const started = Date.now();
    try {
      await scenario.run();
      console.log(`ok ${scenario.name} (${Date.now() - started} ms)`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${scenario.name}: ${message}`);
      console.log(`not ok ${scenario.name} (${Date.now() - started} ms)\n${message}`);
    }
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${scenarios.length} scenarios failed:\n${failures.join('\n')}`);
  }
}
