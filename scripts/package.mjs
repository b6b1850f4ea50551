// Packages the extension as a .vsix with @vscode/vsce. esbuild bundles every runtime dependency
// into dist/, so the package is made with --no-dependencies and .vscodeignore keeps sources,
// tests, tooling and node_modules out of it.
//
// Usage: node scripts/package.mjs [--out FILE] [--skip-build] [--max-bytes N]
//   --out FILE      where to write the .vsix (default <name>-<version>.vsix in the repository root)
//   --skip-build    package the current dist/ as it is instead of running a production build
//   --max-bytes N   fail when the .vsix is larger than N bytes (default 1572864, i.e. 1.5 MiB)
// Environment: IBKR_PACKAGE_BASE_URL, when set, is passed to vsce as --baseContentUrl and
// --baseImagesUrl so that relative links in README.md point at the published repository.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { unzipSync } from 'fflate';

const root = path.resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      out: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      'max-bytes': { type: 'string', default: String(1.5 * 1024 * 1024) },
    },
  }));
} catch (error) {
  fail(`${error.message}\nUsage: node scripts/package.mjs [--out FILE] [--skip-build] [--max-bytes N]`);
}
const maxBytes = Number(options['max-bytes']);
if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
  fail(`Invalid --max-bytes "${options['max-bytes']}": give a positive whole number of bytes.`);
}
const out = path.resolve(options.out ?? path.join(root, `${manifest.name}-${manifest.version}.vsix`));

if (!options['skip-build']) {
  run(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--production']);
}
for (const file of requiredFiles(manifest)) {
  if (!existsSync(path.join(root, file))) {
    fail(`${file} is missing, and package.json needs it in the package. ${file.startsWith('dist/') ? 'Run "npm run build" first.' : ''}`);
  }
}

const vsceArgs = ['package', '--no-dependencies', '--out', out];
if (manifest.repository === undefined) {
  // Without a repository vsce cannot turn relative README links into absolute ones, and would
  // ask on the terminal whether to continue. Links then stay relative until a URL is known.
  vsceArgs.push('--allow-missing-repository');
  if (process.env.IBKR_PACKAGE_BASE_URL) {
    vsceArgs.push('--baseContentUrl', process.env.IBKR_PACKAGE_BASE_URL, '--baseImagesUrl', process.env.IBKR_PACKAGE_BASE_URL);
  } else {
    vsceArgs.push('--no-rewrite-relative-links');
  }
}
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((name) => existsSync(path.join(root, name)))) {
  process.stderr.write(`warning: no LICENSE file in ${root}; packaging without one (package.json declares "${manifest.license}").\n`);
  vsceArgs.push('--skip-license');
}
run(path.join(root, 'node_modules', '.bin', 'vsce'), vsceArgs);

const entries = listEntries(out);
const missing = requiredFiles(manifest).filter((file) => !entries.includes(`extension/${file}`));
if (missing.length > 0) {
  fail(`${out} lacks files that package.json refers to: ${missing.join(', ')}. Check the patterns in .vscodeignore.`);
}
const size = statSync(out).size;
process.stdout.write(`${path.relative(process.cwd(), out) || out}: ${entries.length} files, ${(size / 1024).toFixed(1)} KiB\n`);
if (size > maxBytes) {
  fail(`${out} is ${size} bytes, over the limit of ${maxBytes} bytes: look for files that .vscodeignore should exclude (unzip -l ${out}).`);
}

/** Lists the files that package.json points at, which must therefore be inside the .vsix. */
function requiredFiles(pkg) {
  const files = [pkg.main, pkg.icon];
  const contributes = pkg.contributes ?? {};
  for (const grammar of contributes.grammars ?? []) files.push(grammar.path);
  for (const snippet of contributes.snippets ?? []) files.push(snippet.path);
  for (const language of contributes.languages ?? []) files.push(language.configuration);
  for (const schema of contributes.jsonValidation ?? []) files.push(schema.url);
  return files
    .filter((file) => typeof file === 'string' && !/^[a-z]+:/i.test(file))
    .map((file) => path.posix.normalize(file.replace(/\\/g, '/')).replace(/^\.\//, ''));
}

/** Lists the entry names of a zip file; the filter collects them without inflating any entry. */
function listEntries(zipFile) {
  const names = [];
  unzipSync(readFileSync(zipFile), {
    filter: (entry) => {
      names.push(entry.name);
      return false;
    },
  });
  return names;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    fail(`${path.basename(command)} ${args.join(' ')} failed (exit ${result.status ?? result.signal}).`);
  }
}

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}
