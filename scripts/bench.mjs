// Runs the benchmark (bench/run.mjs) and writes BENCHMARKS.md. Not part of `npm test`.
// Usage: npm run bench
// Needs the anchors xmllint, zip, gpg, base64 and /usr/bin/time. When one is missing, the
// script installs the Debian packages when run as root, and otherwise names them and stops.
// The measures run on a production build of dist/; the development build is restored after.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const ANCHORS = [
  { command: 'xmllint', debianPackage: 'libxml2-utils' },
  { command: 'zip', debianPackage: 'zip' },
  { command: 'gpg', debianPackage: 'gnupg' },
  { command: 'base64', debianPackage: 'coreutils' },
  { command: 'time', debianPackage: 'time', path: '/usr/bin/time' },
];

function installed(anchor) {
  if (anchor.path !== undefined) return existsSync(anchor.path);
  return spawnSync('sh', ['-c', `command -v ${anchor.command}`], { stdio: 'ignore' }).status === 0;
}

function run(label, command, args) {
  process.stdout.write(`\n== ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

const missing = ANCHORS.filter((anchor) => !installed(anchor));
if (missing.length > 0) {
  const packages = [...new Set(missing.map((anchor) => anchor.debianPackage))];
  if (process.getuid?.() !== 0) {
    process.stderr.write(`The benchmark needs ${missing.map((anchor) => anchor.command).join(', ')}. Install them with: sudo apt-get install -y ${packages.join(' ')}\n`);
    process.exit(1);
  }
  if (run('install anchors', 'apt-get', ['install', '-y', ...packages]) !== 0) {
    process.stderr.write(`apt-get install -y ${packages.join(' ')} failed; install the packages and run npm run bench again.\n`);
    process.exit(1);
  }
}

let status = run('production build', process.execPath, ['scripts/build.mjs', '--production']);
if (status === 0) status = run('benchmark', process.execPath, ['--import', 'tsx', 'bench/run.mjs']);
const restored = run('development build', process.execPath, ['scripts/build.mjs']);
process.exit(status !== 0 ? status : restored);
