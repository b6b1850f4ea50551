// Long fuzz run of the parser, the rules, the incremental checker and the server features.
// Usage: npm run fuzz -- [--seconds N] [--seed S]   (defaults: 300 s, a seed from the clock)
// Prints the inputs tried, the distinct failures with the shortest input for each, and the seed
// to repeat the run with. Exits 1 when any input failed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/fuzz/run.ts', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
