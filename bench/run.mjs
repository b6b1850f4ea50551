// The benchmark behind BENCHMARKS.md. Run it with `npm run bench` (scripts/bench.mjs builds
// first and runs this file under tsx, because it drives the TypeScript sources of the checker
// and the ECA transport in process). It starts the built server over stdio as an editor does,
// runs the anchors (xmllint, zip | gpg | base64) on the same inputs in the same run, and
// writes the table with the ratios to BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { pathToFileURL } from 'node:url';

import { BenchClient } from './lspClient.mjs';
import { checkDocument } from '../server/src/check/check.ts';
import { catalogFromEntries } from '../server/src/check/catalog.ts';
import { toLspDiagnostic } from '../server/src/check/diagnostics.ts';
import { SERVER_NODE_OPTIONS } from '../server/src/nodeOptions.ts';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { loadOpenpgp } from '../eca/src/pgp.ts';
import { buildPayload } from '../eca/src/transport.ts';
import { createRandom, QUESTION_LIST, writeInputs } from './inputs.mjs';

const root = path.resolve(import.meta.dirname, '..');
const cacheFolder = path.join(root, '.cache', 'bench');
const startedAt = new Date();

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function log(message) {
  process.stdout.write(`${message}\n`);
}

/** Peak resident set size of a process in KiB, from the kernel's VmHWM. */
function peakRssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match === null ? Number.NaN : Number(match[1]);
}

/** Runs a command under /usr/bin/time; returns wall seconds (measured here) and peak RSS in KiB. */
function timed(command, args, options = {}) {
  const start = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const milliseconds = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  return { milliseconds, peakKiB: Number(lines[lines.length - 1]) };
}

function xmllint(file, runs) {
  const samples = [];
  let peakKiB = 0;
  for (let run = 0; run < runs; run++) {
    const measured = timed('xmllint', ['--noout', file]);
    samples.push(measured.milliseconds);
    peakKiB = Math.max(peakKiB, measured.peakKiB);
  }
  return { milliseconds: median(samples), peakKiB };
}

/** Settings that the bench client returns for every document: the question list and a size limit above 50 MB. */
function benchSettings(questionList) {
  return { securityQuestions: { catalogFile: questionList }, validate: { maxFileSize: 64 } };
}

async function startServer(questionList) {
  const start = performance.now();
  const client = await BenchClient.start(benchSettings(questionList));
  return { client, startMilliseconds: performance.now() - start, pid: client.pid };
}

function fileUri(file) {
  return pathToFileURL(file).href;
}

/** Opens `text` and returns the milliseconds to the first publishDiagnostics of that version. */
async function openAndWait(client, uri, text, timeoutMs) {
  const start = performance.now();
  await client.open(uri, text);
  await client.waitForVersion(uri, 1, timeoutMs);
  return performance.now() - start;
}

/** Types one character at `offset` and returns the milliseconds to the publish of the new version. */
async function keystroke(client, uri, offset, character) {
  const start = performance.now();
  const version = await client.edit(uri, offset, offset, character);
  await client.waitForVersion(uri, version, 60_000);
  return performance.now() - start;
}

/** Returns the offsets just inside the answer values of the text, in document order. */
function answerOffsets(text) {
  const offsets = [];
  for (let at = text.indexOf('answer="'); at !== -1; at = text.indexOf('answer="', at + 8)) offsets.push(at + 8);
  if (offsets.length === 0) throw new Error('The benchmark input has no answer attribute to type into.');
  return offsets;
}

/** Returns the diagnostics of a full check of `text`, as the server would publish them. */
function fullDiagnostics(uri, text, catalog) {
  const document = TextDocument.create(uri, 'xml', 0, text);
  const result = checkDocument(text, { catalog });
  return result.applies ? result.problems.map((problem) => toLspDiagnostic(problem, document, uri)) : [];
}

function sameDiagnostics(client, uri, catalog) {
  const published = client.lastPublish(uri)?.diagnostics ?? [];
  const expected = fullDiagnostics(uri, client.text(uri), catalog);
  return JSON.stringify(published) === JSON.stringify(expected);
}

async function measureServer(inputs) {
  const catalog = catalogFromEntries(inputs.questionList, QUESTION_LIST);
  const results = {};

  // Server start to the initialize result, and the small file's keystrokes.
  const starts = [];
  for (let run = 0; run < 5; run++) {
    const { client, startMilliseconds } = await startServer(inputs.questionList);
    starts.push(startMilliseconds);
    await client.stop();
  }
  results.startMilliseconds = median(starts);
  log(`server start to initialize result: ${results.startMilliseconds.toFixed(1)} ms`);

  {
    const { client } = await startServer(inputs.questionList);
    const uri = fileUri(path.join(cacheFolder, 'small.ibkr.xml'));
    await openAndWait(client, uri, inputs.files.small, 30_000);
    const random = createRandom(23);
    const samples = [];
    for (let edit = 0; edit < 1000; edit++) {
      const offsets = answerOffsets(client.text(uri));
      const offset = offsets[random(offsets.length)];
      // Alternate typing and deleting, so the file stays the same size.
      if (edit % 2 === 0) samples.push(await keystroke(client, uri, offset, 'k'));
      else {
        const start = performance.now();
        const version = await client.edit(uri, offset, offset + 1, '');
        await client.waitForVersion(uri, version, 60_000);
        samples.push(performance.now() - start);
      }
    }
    results.smallKeystroke = { median: median(samples), p99: percentile(samples, 0.99), same: sameDiagnostics(client, uri, catalog) };
    log(`3-question keystroke: median ${results.smallKeystroke.median.toFixed(2)} ms, p99 ${results.smallKeystroke.p99.toFixed(2)} ms`);
    await client.stop();
  }

  // Open times of the three sizes, each in a fresh server.
  results.open = {};
  for (const [name, runs] of [['half', 3], ['five', 3], ['fifty', 1]]) {
    const samples = [];
    for (let run = 0; run < runs; run++) {
      const { client } = await startServer(inputs.questionList);
      const uri = fileUri(inputs.paths[name]);
      samples.push(await openAndWait(client, uri, inputs.files[name], 300_000));
      await client.stop();
    }
    results.open[name] = median(samples);
    log(`open ${name}: ${results.open[name].toFixed(0)} ms`);
  }

  // The same 5 MB without markup: the server parses it in one search for "<" and finds no request
  // file, so the time is what sending and reading the didOpen message costs.
  {
    const samples = [];
    const text = inputs.files.five.replaceAll('<', '[');
    for (let run = 0; run < 3; run++) {
      const { client } = await startServer(inputs.questionList);
      samples.push(await openAndWait(client, fileUri(path.join(cacheFolder, 'five-without-markup.txt')), text, 120_000));
      await client.stop();
    }
    results.openWithoutMarkup = median(samples);
    log(`open 5 MB without markup: ${results.openWithoutMarkup.toFixed(0)} ms`);
  }

  // Keystrokes and completion inside the 5 MB file, and the server's peak memory with it open.
  {
    const { client, pid } = await startServer(inputs.questionList);
    const uri = fileUri(inputs.paths.five);
    await openAndWait(client, uri, inputs.files.five, 120_000);
    const random = createRandom(29);
    const offsets = answerOffsets(inputs.files.five);
    const samples = [];
    for (let edit = 0; edit < 40; edit++) {
      // The offsets before the edited one are unchanged; later ones move by one per edit.
      const index = random(offsets.length);
      const offset = offsets[index] + (edit > 0 ? countBefore(typed, offsets[index]) : 0);
      typed.push(offsets[index]);
      samples.push(await keystroke(client, uri, offset, 'z'));
    }
    typed.length = 0;
    results.fiveKeystroke = { median: median(samples), same: sameDiagnostics(client, uri, catalog) };
    log(`5 MB keystroke: median ${results.fiveKeystroke.median.toFixed(1)} ms`);

    const completions = [];
    const text = client.text(uri);
    for (let request = 0; request < 20; request++) {
      const at = text.indexOf('question="', Math.floor((text.length * (request + 0.5)) / 20)) + 'question="'.length;
      const start = performance.now();
      const list = await client.completion(uri, client.document(uri).positionAt(at), '"');
      completions.push(performance.now() - start);
      if (list === null || list.items.length === 0) throw new Error(`Completion inside a question value returned no items at offset ${at}.`);
    }
    results.fiveCompletion = median(completions);
    log(`5 MB completion: median ${results.fiveCompletion.toFixed(1)} ms`);
    results.fivePeakKiB = peakRssKiB(pid);
    log(`server peak RSS with 5 MB open: ${(results.fivePeakKiB / 1024).toFixed(0)} MiB`);
    await client.stop();
  }
  return results;
}

const typed = [];
function countBefore(list, offset) {
  let count = 0;
  for (const value of list) if (value < offset) count++;
  return count;
}

/** The product's transport of the 5 MB file against IBKR's documented shell pipeline. */
async function measureTransport(inputs) {
  // The product's own openpgp build: keys made by another copy of the module do not work with it.
  const openpgp = await loadOpenpgp();
  const generate = (name) => openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'object' });
  const ibkr = await generate('bench IBKR');
  const firm = await generate('bench firm');
  const data = new Uint8Array(readFileSync(inputs.paths.five));
  const product = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    await buildPayload({ name: 'five.ibkr.xml', data }, { ibkrPublicKey: ibkr.publicKey, privateKey: firm.privateKey });
    product.push(performance.now() - start);
  }

  const home = mkdtempSync(path.join(os.tmpdir(), 'ibkr-bench-gnupg-'));
  try {
    const gpg = (args, input) => execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] });
    // ed25519 signing key with a cv25519 encryption subkey: the kind of key the product generates.
    gpg(['--quick-generate-key', 'bench-ibkr@bench.invalid', 'future-default', 'default', 'never']);
    gpg(['--quick-generate-key', 'bench-firm@bench.invalid', 'future-default', 'default', 'never']);
    const pipeline = [
      `cd ${JSON.stringify(path.dirname(inputs.paths.five))}`,
      `zip -q - five.ibkr.xml | gpg --homedir ${JSON.stringify(home)} --batch --quiet --pinentry-mode loopback --passphrase '' --trust-model always --encrypt --sign -r bench-ibkr@bench.invalid -u bench-firm@bench.invalid | base64 -w0 > /dev/null`,
    ].join(' && ');
    const shell = [];
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      execFileSync('bash', ['-o', 'pipefail', '-c', pipeline], { stdio: 'ignore' });
      shell.push(performance.now() - start);
    }
    return { product: median(product), shell: median(shell) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function vsixSize() {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (manifest.scripts?.package === undefined) return { bytes: undefined, note: 'not measured: package.json has no "package" script' };
  const out = path.join(cacheFolder, 'bench.vsix');
  rmSync(out, { force: true });
  // scripts/bench.mjs made the production build that the measures ran on; package that one.
  const result = spawnSync(process.execPath, ['scripts/package.mjs', '--skip-build', '--out', out], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0 || !existsSync(out)) return { bytes: undefined, note: `not measured: npm run package failed (${(result.stderr || result.stdout).trim().split('\n').pop()})` };
  return { bytes: statSync(out).size, note: '' };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    xmllint: spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).stderr.split('\n')[0],
    gpg: spawnSync('gpg', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0],
    load: os.loadavg().map((value) => value.toFixed(2)).join(' '),
  };
}

function row(measure, value, anchor, ratio, target, holds) {
  let verdict = 'no target';
  if (holds !== undefined) verdict = holds ? 'holds' : '**does not hold**';
  return `| ${measure} | ${value} | ${anchor} | ${ratio} | ${target} | ${verdict} |`;
}

async function main() {
  rmSync(cacheFolder, { recursive: true, force: true });
  log('Generating inputs...');
  const inputs = writeInputs(cacheFolder);
  const sizes = Object.fromEntries(Object.entries(inputs.paths).map(([name, file]) => [name, statSync(file).size]));

  log('Running xmllint...');
  const lint = { half: xmllint(inputs.paths.half, 5), five: xmllint(inputs.paths.five, 5), fifty: xmllint(inputs.paths.fifty, 3) };
  log(`xmllint 5 MB: ${lint.five.milliseconds.toFixed(0)} ms, ${(lint.five.peakKiB / 1024).toFixed(0)} MiB`);

  log('Measuring the language server...');
  const server = await measureServer(inputs);
  log('Measuring the transport...');
  const transport = await measureTransport(inputs);
  log(`transport: product ${transport.product.toFixed(0)} ms, shell ${transport.shell.toFixed(0)} ms`);

  const vsix = vsixSize();

  const ms = (value) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
  const ratio = (a, b) => `${(a / b).toFixed(2)} x`;
  const growthSmall = server.open.five / server.open.half;
  const growthLarge = server.open.fifty / server.open.five;
  const rows = [
    ['open 5 MB: first publishDiagnostics (median of 3 fresh servers)', ms(server.open.five), `xmllint ${ms(lint.five.milliseconds)}`, ratio(server.open.five, lint.five.milliseconds), '<= 2 x xmllint', server.open.five <= 2 * lint.five.milliseconds],
    ['open 5 MB without markup (no check: sending and reading the message)', ms(server.openWithoutMarkup), `xmllint ${ms(lint.five.milliseconds)}`, ratio(server.openWithoutMarkup, lint.five.milliseconds), '', undefined],
    ['keystroke in 5 MB: updated diagnostics (median of 40)', ms(server.fiveKeystroke.median), `xmllint ${ms(lint.five.milliseconds)}`, ratio(server.fiveKeystroke.median, lint.five.milliseconds), '<= 0.5 x xmllint', server.fiveKeystroke.median <= 0.5 * lint.five.milliseconds],
    ['keystroke in 3-question file: median of 1000', ms(server.smallKeystroke.median), '', '', '<= 2 ms', server.smallKeystroke.median <= 2],
    ['keystroke in 3-question file: p99 of 1000', ms(server.smallKeystroke.p99), '', '', '<= 10 ms', server.smallKeystroke.p99 <= 10],
    ['completion inside a question value in 5 MB (median of 20)', ms(server.fiveCompletion), '', '', '<= 10 ms', server.fiveCompletion <= 10],
    ['server peak RSS, 5 MB open', `${(server.fivePeakKiB / 1024).toFixed(0)} MiB`, `xmllint ${(lint.five.peakKiB / 1024).toFixed(0)} MiB`, ratio(server.fivePeakKiB, lint.five.peakKiB), '<= 3 x xmllint', server.fivePeakKiB <= 3 * lint.five.peakKiB],
    ['growth of open time, 0.5 MB to 5 MB', `${ms(server.open.half)} to ${ms(server.open.five)}`, `xmllint ${ratio(lint.five.milliseconds, lint.half.milliseconds)}`, ratio(server.open.five, server.open.half), '<= 11 x', growthSmall <= 11],
    ['growth of open time, 5 MB to 50 MB (one 50 MB open)', `${ms(server.open.five)} to ${ms(server.open.fifty)}`, `xmllint ${ratio(lint.fifty.milliseconds, lint.five.milliseconds)}`, ratio(server.open.fifty, server.open.five), '<= 11 x', growthLarge <= 11],
    ['zip + encrypt and sign + base64, 5 MB', ms(transport.product), `shell ${ms(transport.shell)}`, ratio(transport.product, transport.shell), '<= 1.5 x shell', transport.product <= 1.5 * transport.shell],
    ['server start to initialize result (median of 5)', ms(server.startMilliseconds), '', '', '<= 150 ms', server.startMilliseconds <= 150],
  ];
  const vsixRow =
    vsix.bytes === undefined
      ? `| .vsix size | ${vsix.note} | | | <= 1.5 MB | not measured |`
      : row('.vsix size', `${(vsix.bytes / 2 ** 20).toFixed(2)} MiB`, '', '', '<= 1.5 MB', vsix.bytes <= 1.5 * 2 ** 20);
  const equal = server.smallKeystroke.same && server.fiveKeystroke.same;
  const info = machine();
  const holding = rows.filter((entry) => entry[5] === true).map((entry) => entry[0]);
  const failing = rows.filter((entry) => entry[5] === false).map((entry) => entry[0]);
  if (vsix.bytes !== undefined) (vsix.bytes <= 1.5 * 2 ** 20 ? holding : failing).push('.vsix size');
  const summary = `Targets: ${holding.length} hold (${holding.join('; ')}); ${failing.length} do not (${failing.join('; ') || 'none'})${vsix.bytes === undefined ? '; .vsix size not measured' : ''}; incremental equals full: ${equal ? 'yes' : 'no'}.`;

  const table = [
    '| measure | result | anchor | ratio | target | verdict |',
    '|---|---|---|---|---|---|',
    ...rows.map((entry) => row(...entry)),
    vsixRow,
  ];
  const document = [
    '# Benchmarks',
    '',
    'Measured by `npm run bench` (`scripts/bench.mjs`, `bench/run.mjs`). The server is the production bundle',
    `\`dist/server.js --stdio\` with the Node.js options the extension starts it with (\`${SERVER_NODE_OPTIONS.join(' ')}\`),`,
    'started fresh for each open and driven over stdio by a JSON-RPC client (`bench/lspClient.mjs`); the anchors',
    'run on the same files in the same run. Times are wall-clock medians, and the ratio column divides the result by the anchor.',
    '',
    `- Date: ${startedAt.toISOString()}`,
    `- Command: \`npm run bench\``,
    `- Machine: ${info.cpu}, ${info.cores} cores, ${info.memory} memory, load average at the end ${info.load}`,
    `- Node ${info.node}; ${info.xmllint}; ${info.gpg}`,
    `- Inputs (seeded, in \`.cache/bench\`): batch files of ${Object.entries(sizes).map(([name, size]) => `${name} ${size < 2 ** 20 ? `${(size / 1024).toFixed(1)} KiB` : `${(size / 2 ** 20).toFixed(2)} MiB`}`).join(', ')}; every 500th request has a mistake and every 100th a character reference; a question list is loaded.`,
    `- Incremental diagnostics equal a full check after the keystroke series: ${equal ? 'yes' : '**no**'} (3-question file ${server.smallKeystroke.same ? 'yes' : 'no'}, 5 MB file ${server.fiveKeystroke.same ? 'yes' : 'no'}).`,
    '',
    summary,
    '',
    ...table,
    '',
    'Notes:',
    '',
    '- A keystroke is one `didChange` of one character inside an answer value, timed from sending it to the',
    '  `publishDiagnostics` of the new version. Completion is requested inside a `question` value.',
    '- Peak RSS is the server\'s VmHWM after opening the 5 MB file, the 40 keystrokes and the completions;',
    '  xmllint\'s is `/usr/bin/time` maximum resident set size.',
    '- The transport row runs the product\'s `buildPayload` (yazl zip with Node\'s zlib, openpgp.js encrypt and sign, base64) with',
    '  curve25519 keys, against `zip - | gpg --encrypt --sign | base64 -w0` with ed25519/cv25519 keys in a throwaway GNUPGHOME.',
    '- The open without markup sends the same 5 MB with every `<` replaced, which the server reads without',
    '  checking anything: it is the part of an open that JSON-RPC over stdio costs, on the client and the server.',
    '- The server keeps a compact model between versions: per request only its offsets, problems and user name.',
    '  The nodes of a request are parsed again from the text when a feature needs them.',
    '- Plain requests are read by a fast reader of sticky regular expressions. The general reader, which reports',
    '  problems and recovers from broken markup, reads the others: here every 100th, for its character reference.',
    '- The machine is shared: a high load average makes every number noisier, the anchors included.',
    '',
  ].join('\n');
  writeFileSync(path.join(root, 'BENCHMARKS.md'), document);

  log('');
  log(table.join('\n'));
  log('');
  log(summary);
}

await main();
