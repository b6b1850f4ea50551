// Runs the grammar tests of syntaxes/ibkr-requests.injection.tmLanguage.json with
// vscode-tmgrammar-test, on top of the XML grammar from the tm-grammars package (scope text.xml,
// a copy of VS Code's extensions/xml/syntaxes/xml.tmLanguage.json according to tm-grammars):
//   1. scope assertions: every test/grammar/*.xml file (header `<!-- SYNTAX TEST "text.xml"`);
//   2. no change outside requests: each test/grammar/unaffected/*.xml file must tokenize exactly
//      as with the XML grammar alone. A snapshot made with the XML grammar alone is compared with
//      the tokens of the XML grammar plus the injection, both in a temporary folder.
// Exits non-zero when any test fails. Usage: node scripts/grammar-test.mjs
//
// vscode-tmgrammar-test 0.1.3 reads injection grammars only from a package.json-like file
// (`--config`), whose `contributes.grammars` entries may carry `injectTo`. Grammars given with
// `-g` are never injected. So this script writes such files into the temporary folder. It takes
// the injection's entry from our package.json once that contributes the grammar, so that the
// tests also cover the real entry.
//
// In test files, the header and the assertion lines (`<!--   ^^^ scope`) must not end with `-->`,
// because the tool then rejects them. It removes those lines before tokenizing, so the comments
// they open do not affect the tokens under test.
//
// The tool prints `grammar not found for "source.java"`: the XML grammar embeds Java for JSP
// blocks (`<% ... %>`), which no test uses.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const xmlGrammarPath = path.join(root, 'node_modules', 'tm-grammars', 'grammars', 'xml.json');
const injectionGrammarPath = path.join(root, 'syntaxes', 'ibkr-requests.injection.tmLanguage.json');
const assertionTestsDir = path.join(root, 'test', 'grammar');
const unaffectedTestsDir = path.join(assertionTestsDir, 'unaffected');

/** The entry proposed for package.json `contributes.grammars`, used until package.json has one. */
const proposedInjectionEntry = {
  scopeName: 'text.xml.ibkr.injection',
  path: './syntaxes/ibkr-requests.injection.tmLanguage.json',
  injectTo: ['text.xml'],
};

function fail(message) {
  process.stderr.write(`grammar tests: ${message}\n`);
  process.exit(1);
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail(`cannot read ${path.relative(root, file)}: ${error.message}`);
  }
}

/**
 * Finds the injection's entry in package.json's `contributes.grammars` and checks it against the
 * grammar file. Returns the proposed entry when package.json has none.
 */
function findInjectionEntry(injectionScopeName) {
  const manifest = readJson(path.join(root, 'package.json'));
  const entries = manifest.contributes?.grammars ?? [];
  const entry = entries.find((candidate) => typeof candidate.path === 'string' && path.resolve(root, candidate.path) === injectionGrammarPath);
  if (entry === undefined) {
    process.stdout.write(`package.json does not contribute ${path.relative(root, injectionGrammarPath)} yet; testing with the proposed entry ${JSON.stringify(proposedInjectionEntry)}.\n`);
    return proposedInjectionEntry;
  }
  if (entry.scopeName !== injectionScopeName) {
    fail(`package.json contributes the grammar with scopeName "${entry.scopeName}", but the grammar file declares "${injectionScopeName}". Make the two equal.`);
  }
  if (!Array.isArray(entry.injectTo) || !entry.injectTo.includes('text.xml')) {
    fail(`package.json contributes the grammar with injectTo ${JSON.stringify(entry.injectTo)}, which lacks "text.xml". Add "text.xml" so that the grammar applies to XML files.`);
  }
  return entry;
}

/** Writes a package.json-like file for the tool's --config option, with paths relative to that file as the tool expects. */
function writeToolConfig(file, grammars) {
  const directory = path.dirname(file);
  const entries = grammars.map(({ absolutePath, ...entry }) => ({ ...entry, path: path.relative(directory, absolutePath) }));
  writeFileSync(file, JSON.stringify({ contributes: { grammars: entries } }, null, 2));
}

/** Joins a folder and a glob pattern with forward slashes, which glob patterns need on every platform. */
function toGlob(directory, pattern) {
  return `${directory.split(path.sep).join('/')}/${pattern}`;
}

function runTool(binName, args) {
  const toolDir = path.join(root, 'node_modules', 'vscode-tmgrammar-test');
  const bin = readJson(path.join(toolDir, 'package.json')).bin?.[binName];
  if (typeof bin !== 'string') {
    fail(`node_modules/vscode-tmgrammar-test has no "${binName}" command. Check the installed version (expected 0.1.3).`);
  }
  const result = spawnSync(process.execPath, [path.join(toolDir, bin), ...args], { cwd: root, stdio: 'inherit' });
  if (result.error !== undefined) {
    fail(`cannot start ${binName}: ${result.error.message}`);
  }
  return result.status === 0;
}

function countFiles(names) {
  return names.length === 1 ? '1 file' : `${names.length} files`;
}

function listXmlFiles(directory) {
  return existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.xml')).sort() : [];
}

const injectionGrammar = readJson(injectionGrammarPath);
if (typeof injectionGrammar.scopeName !== 'string' || typeof injectionGrammar.injectionSelector !== 'string') {
  fail(`${path.relative(root, injectionGrammarPath)} needs a scopeName and an injectionSelector.`);
}
if (!existsSync(xmlGrammarPath)) {
  fail(`the XML grammar ${path.relative(root, xmlGrammarPath)} is missing. It comes from the tm-grammars dev dependency: run npm install.`);
}
const assertionTests = listXmlFiles(assertionTestsDir);
if (assertionTests.length === 0) {
  fail(`no test files found in ${path.relative(root, assertionTestsDir)}.`);
}
const unaffectedTests = listXmlFiles(unaffectedTestsDir);
if (unaffectedTests.length === 0) {
  fail(`no test files found in ${path.relative(root, unaffectedTestsDir)}.`);
}

const injectionEntry = findInjectionEntry(injectionGrammar.scopeName);
const xmlGrammar = { scopeName: 'text.xml', absolutePath: xmlGrammarPath };
const injection = { scopeName: injectionEntry.scopeName, injectTo: injectionEntry.injectTo, absolutePath: injectionGrammarPath };

const workDir = mkdtempSync(path.join(tmpdir(), 'ibkr-grammar-test-'));
const failures = [];
try {
  const xmlOnlyConfig = path.join(workDir, 'xml-only.json');
  const withInjectionConfig = path.join(workDir, 'with-injection.json');
  writeToolConfig(xmlOnlyConfig, [xmlGrammar]);
  writeToolConfig(withInjectionConfig, [xmlGrammar, injection]);

  process.stdout.write(`\nScope assertions (${countFiles(assertionTests)})\n`);
  if (!runTool('vscode-tmgrammar-test', ['--config', withInjectionConfig, toGlob(assertionTestsDir, '*.xml')])) {
    failures.push('scope assertions in test/grammar/*.xml');
  }

  process.stdout.write(`\nXML without request elements is unchanged (${countFiles(unaffectedTests)})\n`);
  const snapshotDir = path.join(workDir, 'unaffected');
  mkdirSync(snapshotDir);
  for (const name of unaffectedTests) {
    copyFileSync(path.join(unaffectedTestsDir, name), path.join(snapshotDir, name));
  }
  const snapshotArgs = ['--scope', 'text.xml', toGlob(snapshotDir, '*.xml')];
  const baselineWritten = runTool('vscode-tmgrammar-snap', ['--config', xmlOnlyConfig, '--updateSnapshot', ...snapshotArgs]);
  const missingSnapshots = unaffectedTests.filter((name) => !existsSync(path.join(snapshotDir, `${name}.snap`)));
  if (!baselineWritten || missingSnapshots.length > 0) {
    failures.push(`baseline snapshots with the XML grammar alone (missing: ${missingSnapshots.join(', ') || 'none'})`);
  } else if (!runTool('vscode-tmgrammar-snap', ['--config', withInjectionConfig, ...snapshotArgs])) {
    failures.push('tokens of test/grammar/unaffected/*.xml differ from the XML grammar alone (lines marked ++ are added by the injection)');
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

if (failures.length > 0) {
  fail(`failed:\n  ${failures.join('\n  ')}`);
}
process.stdout.write('\nGrammar tests passed.\n');
