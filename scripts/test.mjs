// Runs every test tier: build, type check, lint, grammar tests, then one node:test run over
// the unit, LSP, ECA, CLI and end-to-end suites. It first installs what the tests need beyond
// npm packages (scripts/setup.sh; IBKR_SKIP_SETUP=1 skips that).
// Usage: node scripts/test.mjs [--skip-e2e] [tier...]
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const skipE2e = args.includes('--skip-e2e') || process.env.IBKR_SKIP_E2E === '1';
const tiers = args.filter((a) => !a.startsWith('--'));
const allTiers = ['unit', 'lsp', 'eca', 'cli', 'e2e'];
const selected = tiers.length > 0 ? tiers : allTiers.filter((t) => !(skipE2e && t === 'e2e'));

function run(label, command, commandArgs) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stdout.write(`\n${label} failed (exit ${result.status ?? result.signal}).\n`);
    process.exit(result.status || 1);
  }
}

const npx = (bin) => path.join(root, 'node_modules', '.bin', bin);

if (process.env.IBKR_SKIP_SETUP !== '1') {
  run('set-up (Debian packages, code-server)', 'bash', ['scripts/setup.sh', ...(selected.includes('e2e') ? [] : ['--no-code-server'])]);
}
run('build', process.execPath, ['scripts/build.mjs']);
if (tiers.length === 0) {
  run('type check (tsc -b)', npx('tsc'), ['-b']);
  run('lint (eslint)', npx('eslint'), ['--max-warnings', '0', '.']);
  if (existsSync(path.join(root, 'test/grammar'))) {
    const grammarTests = readdirSync(path.join(root, 'test/grammar')).filter((f) => f.endsWith('.xml'));
    if (grammarTests.length > 0) {
      run('grammar (vscode-tmgrammar-test)', process.execPath, ['scripts/grammar-test.mjs']);
    }
  }
}

if (selected.includes('e2e')) {
  // Desktop VS Code through @vscode/test-electron where it can be downloaded; elsewhere the
  // runner prints one line and the browser suite in test/e2e carries the check.
  run('electron (@vscode/test-electron)', process.execPath, ['--import', 'tsx', 'test/electron/run.ts']);
}

const files = [];
for (const tier of selected) {
  const dir = path.join(root, 'test', tier);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.test.ts')) files.push(path.join('test', tier, name));
  }
}
if (files.length === 0) {
  process.stdout.write('No test files found.\n');
  process.exit(1);
}
run(`tests (${selected.join(', ')})`, process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]);
