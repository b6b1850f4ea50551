/**
 * Secret audit of a whole session: the language server with verbose tracing, then every CLI
 * command against the emulator. Afterwards every log, trace, output and file the tools wrote is
 * searched for the answers, the CSID and the passphrase.
 *
 * Searched: the emulator's output, the language server's stderr, the trace as the extension's
 * trace channel would print it (after `redactTrace`), every CLI output, and every file under the
 * temporary HOME, TMPDIR and emulator state folder. Not searched: the request file itself, the
 * emulator's `test-firm.json`, which stores the CSID and the passphrase by design, and the two
 * private key files, which are key material. The emulator's `state.json` is searched in full for
 * answers and the passphrase, but for the CSID only with its `firms[].csid` fields removed: that
 * registry is how the emulator, playing IBKR, recognises the firm. Failures name the secret and
 * the place, never the secret's value.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  Trace,
  TraceFormat,
  type CodeAction,
  type Diagnostic,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

import { redactTrace } from '../../client/src/logic/redact';
import { EMULATOR_PRIVATE_KEY_FILE, TEST_FIRM_FILE, TEST_FIRM_PRIVATE_KEY_FILE } from '../../eca/src/emulator/setup';
import { STATE_FILE_NAME } from '../../eca/src/emulator/state';
import { FULL_CAPABILITIES, SERVER_PATH, fileUri } from '../lsp/helpers/lspClient';
import { allOutput, assertCliBuilt, runCli, startCli, type BackgroundProcess, type CliRun } from './cliHarness';

const TIMEOUT_MS = 15_000;
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Distinct random letters: unlikely to occur anywhere by chance, and no letter repeats, so the
 * emulator's rule on repeated characters accepts them.
 */
function randomLetters(count: number): string {
  const pool = [...LETTERS];
  let result = '';
  for (let index = 0; index < count; index += 1) {
    result += pool.splice(randomInt(pool.length), 1)[0] ?? '';
  }
  return result;
}

const typedAnswer = randomLetters(12);
const secondAnswer = randomLetters(12);
const entityLeft = randomLetters(6);
const entityRight = randomLetters(6);
/** The third answer as IBKR receives it, and as written in the file with XML entities. */
const entityAnswer = `${entityLeft}&<${entityRight}`;
const entityAnswerRaw = `${entityLeft}&amp;&lt;${entityRight}`;
const userName = `audit${randomLetters(6).toLowerCase()}`;

/** Each secret with a name for failure messages. The halves of the entity answer catch escaped forms such as `\u0026`. */
const ANSWER_NEEDLES: readonly { name: string; value: string }[] = [
  { name: 'answer 1 (typed)', value: typedAnswer },
  { name: 'answer 2', value: secondAnswer },
  { name: 'answer 3 decoded', value: entityAnswer },
  { name: 'answer 3 as written', value: entityAnswerRaw },
  { name: 'answer 3 first half', value: entityLeft },
  { name: 'answer 3 second half', value: entityRight },
];

function requestText(firstAnswer: string, thirdAnswer = entityAnswerRaw): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">',
    `  <SecurityQuestions reference_user_name="${userName}" input_language="en">`,
    `    <Details question="9161083" answer="${firstAnswer}"/>`,
    `    <Details question="6688721" answer="${secondAnswer}"/>`,
    `    <Details question="9161123" answer="${thirdAnswer}"/>`,
    '  </SecurityQuestions>',
    '</AcctMgmtRequests>',
    '',
  ].join('\n');
}

let root = '';
let home = '';
let temp = '';
let stateDir = '';
let work = '';
let emulator: BackgroundProcess | undefined;

before(() => {
  assertCliBuilt();
  root = mkdtempSync(path.join(os.tmpdir(), 'ibkr-secret-audit-'));
  home = path.join(root, 'home');
  temp = path.join(root, 'tmp');
  stateDir = path.join(root, 'state');
  work = path.join(root, 'work');
  for (const folder of [home, temp, work]) {
    mkdirSync(folder);
  }
});

after(async () => {
  await emulator?.stop('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** Returns the environment of every process the test starts, so that the files they write land in the temporary folders. */
function toolEnv(): Record<string, string> {
  return { HOME: home, USERPROFILE: home, TMPDIR: temp, TMP: temp, TEMP: temp };
}

/**
 * An LSP client over the real server that records the raw bytes both ways, and the trace lines
 * that vscode-languageclient would print at `verbose` (`[Trace - time] message`, then the data),
 * each passed through `redactTrace` as the extension's trace channel does.
 */
class TracedServer {
  readonly rawTraffic: Buffer[] = [];
  readonly unredactedTrace: string[] = [];
  readonly redactedTrace: string[] = [];
  readonly publishes: PublishDiagnosticsParams[] = [];
  private stderr = '';
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
  ) {}

  static async start(): Promise<TracedServer> {
    const child = spawn(process.execPath, [SERVER_PATH, '--stdio'], { stdio: 'pipe', env: { ...process.env, ...toolEnv() } });
    const toServer = new PassThrough();
    toServer.pipe(child.stdin);
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(toServer));
    const server = new TracedServer(child, connection);
    toServer.on('data', (chunk: Buffer) => server.rawTraffic.push(chunk));
    child.stdout.on('data', (chunk: Buffer) => server.rawTraffic.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (server.stderr += chunk));

    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      server.publishes.push(params);
      for (const waiter of [...server.waiters]) waiter();
    });
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('client/unregisterCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();

    const tracer = {
      log: (message: unknown, data?: string): void => {
        server.appendLine(`[Trace - ${new Date().toLocaleTimeString()}] ${typeof message === 'string' ? message : JSON.stringify(message)}`);
        if (data !== undefined && data !== '') {
          server.appendLine(data);
        }
      },
    };
    // Tracing starts before `initialize`, so that every message is in the trace.
    await connection.trace(Trace.Verbose, tracer, { sendNotification: false, traceFormat: TraceFormat.Text });
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: fileUri(work),
      workspaceFolders: [{ uri: fileUri(work), name: 'work' }],
      capabilities: FULL_CAPABILITIES,
      trace: 'verbose',
    });
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('$/setTrace', { value: 'verbose' });
    return server;
  }

  private appendLine(line: string): void {
    this.unredactedTrace.push(line);
    this.redactedTrace.push(redactTrace(line));
  }

  stderrText(): string {
    return this.stderr;
  }

  waitForVersion(uri: string, version: number): Promise<PublishDiagnosticsParams> {
    const find = (): PublishDiagnosticsParams | undefined => this.publishes.find((publish) => publish.uri === uri && publish.version === version);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find();
        if (found !== undefined) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no diagnostics for version ${version} of ${uri} within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}

/** Returns each offset of the text, from 0 to its length, as an LSP position. */
function everyPosition(document: TextDocument): ReturnType<TextDocument['positionAt']>[] {
  const positions = [];
  for (let offset = 0; offset <= document.getText().length; offset += 1) {
    positions.push(document.positionAt(offset));
  }
  return positions;
}

/** Opens, edits and queries the request file, then returns the final text for the CLI to submit. */
async function exerciseLanguageServer(server: TracedServer, file: string): Promise<string> {
  const uri = fileUri(file);
  const connection = server.connection;
  const document = TextDocument.create(uri, 'xml', 1, requestText(''));
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version: 1, text: document.getText() } });

  // Types the first answer one character at a time, as a user would.
  const answerStart = document.getText().indexOf('answer=""') + 'answer="'.length;
  for (const [index, character] of [...typedAnswer].entries()) {
    const position = document.positionAt(answerStart + index);
    const change = { range: { start: position, end: position }, text: character };
    TextDocument.update(document, [change], document.version + 1);
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: document.version }, contentChanges: [change] });
  }
  const typed = await server.waitForVersion(uri, document.version);
  assert.equal(document.getText(), requestText(typedAnswer));
  assert.deepEqual(typed.diagnostics, [], 'the typed file is valid');

  // A duplicate answer for a while, so that diagnostics and quick fixes concern answers too.
  const duplicate = requestText(typedAnswer, typedAnswer);
  const whole = { range: { start: document.positionAt(0), end: document.positionAt(document.getText().length) }, text: duplicate };
  TextDocument.update(document, [whole], document.version + 1);
  await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: document.version }, contentChanges: [whole] });
  const mistaken = await server.waitForVersion(uri, document.version);
  assert.ok(mistaken.diagnostics.length > 0, 'the duplicate answer gets a diagnostic');
  await requestCodeActionsEverywhere(connection, uri, document, mistaken.diagnostics);

  const restored = { range: { start: document.positionAt(0), end: document.positionAt(document.getText().length) }, text: requestText(typedAnswer) };
  TextDocument.update(document, [restored], document.version + 1);
  await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: document.version }, contentChanges: [restored] });
  const final = await server.waitForVersion(uri, document.version);
  await connection.sendNotification('textDocument/didSave', { textDocument: { uri }, text: document.getText() });

  let hovers = 0;
  for (const position of everyPosition(document)) {
    if ((await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position })) !== null) {
      hovers += 1;
    }
  }
  assert.ok(hovers > 0, 'some offsets have a hover');

  const symbols = await connection.sendRequest<unknown[] | null>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.ok((symbols ?? []).length > 0, 'the file has symbols');

  const text = document.getText();
  const completionOffsets = [
    text.indexOf(typedAnswer) + 3,
    text.indexOf('question="6688721"') + 'question="'.length,
    text.indexOf('<Details question="9161123"') + 1,
    text.indexOf(' answer=', text.indexOf('6688721')),
    text.indexOf('</SecurityQuestions>'),
  ];
  for (const offset of completionOffsets) {
    await connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: document.positionAt(offset), context: { triggerKind: 1 } });
  }
  await requestCodeActionsEverywhere(connection, uri, document, final.diagnostics);
  return text;
}

async function requestCodeActionsEverywhere(connection: MessageConnection, uri: string, document: TextDocument, diagnostics: Diagnostic[]): Promise<void> {
  for (const position of everyPosition(document)) {
    const actions = await connection.sendRequest<CodeAction[] | null>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: position, end: position },
      context: { diagnostics },
    });
    for (const action of actions ?? []) {
      if (action.edit === undefined && action.data !== undefined) {
        await connection.sendRequest('codeAction/resolve', action);
      }
    }
  }
}

/** Runs a CLI command with the temporary HOME and TMPDIR, and checks its exit code. */
async function cli(expectedCode: number, ...args: string[]): Promise<CliRun> {
  const run = await runCli(args, { env: toolEnv(), cwd: home });
  // The output is searched for secrets below; a failure here prints only the exit code and the command.
  assert.equal(run.code, expectedCode, `ibkr-am ${args[0] ?? ''} exited with ${String(run.code)}`);
  return run;
}

/** Returns the emulator's state file without the CSIDs of its registered firms. */
function withoutFirmCsids(content: Buffer): Buffer {
  const state = JSON.parse(content.toString('utf8')) as { firms?: { csid?: string }[] };
  for (const firm of state.firms ?? []) {
    delete firm.csid;
  }
  return Buffer.from(JSON.stringify(state));
}

/** Lists the files under `folder`, skipping `excluded` (absolute paths). */
function listFiles(folder: string, excluded: ReadonlySet<string>): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      files.push(...listFiles(full, excluded));
    } else if (entry.isFile() && !excluded.has(full)) {
      files.push(full);
    }
  }
  return files;
}

test('no secret in any log, trace, output or file', { timeout: 300_000 }, async () => {
  emulator = startCli(['emulator', '--port', '0', '--state', stateDir, '--verbose'], { env: toolEnv(), cwd: home });
  await emulator.waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+/);
  await emulator.waitForOutput(/Press Ctrl\+C to stop\./);
  const firm = JSON.parse(readFileSync(path.join(stateDir, TEST_FIRM_FILE), 'utf8')) as { csid: string; passphrase: string };
  assert.ok(firm.csid.length >= 8, 'the test firm has a CSID');
  assert.ok(firm.passphrase.length >= 8, 'the test firm has a passphrase');

  // Language server
  const file = path.join(work, 'audit.ibkr.xml');
  const server = await TracedServer.start();
  let finalText: string;
  try {
    finalText = await exerciseLanguageServer(server, file);
  } finally {
    await server.stop();
  }
  writeFileSync(file, finalText);

  // CLI
  await cli(0, 'check', file, '--verbose');
  const processed = await cli(0, 'submit', file, '--state', stateDir, '--verbose', '--show-raw');
  assert.match(processed.stdout, /^Outcome: +processed/m);
  const requestId = /^Request id: +(\d+)$/m.exec(processed.stdout)?.[1];
  assert.ok(requestId !== undefined, 'the processed submission printed its request id');
  const second = await cli(2, 'submit', file, '--state', stateDir, '--verbose', '--show-raw');
  assert.match(second.stdout, /^Outcome: +error/m);
  await cli(0, 'status', requestId, '--state', stateDir, '--verbose');
  await cli(0, 'questions', '--state', stateDir, '--verbose');
  await cli(0, 'lookup', 'U1234567', '--state', stateDir, '--verbose');

  // SIGINT lets the emulator finish its log and state before the search.
  await emulator.stop('SIGINT');

  // The answers do pass through the LSP connection, so a search that finds nothing means something.
  const raw = Buffer.concat(server.rawTraffic).toString('utf8');
  const unredacted = server.unredactedTrace.join('\n');
  for (const needle of [typedAnswer, secondAnswer, entityAnswerRaw]) {
    assert.ok(raw.includes(needle), 'the raw LSP traffic contains every answer');
    assert.ok(unredacted.includes(needle), 'the unredacted trace contains every answer');
  }
  const redacted = server.redactedTrace.join('\n');
  assert.ok(server.redactedTrace.filter((line) => line.includes("'textDocument/hover")).length > 100, 'the trace has the hover requests');
  assert.ok(redacted.includes("'textDocument/didChange'"), 'the trace has the typed changes');

  const excluded = new Set([TEST_FIRM_FILE, EMULATOR_PRIVATE_KEY_FILE, TEST_FIRM_PRIVATE_KEY_FILE].map((name) => path.join(stateDir, name)));
  const files = [home, temp, stateDir].flatMap((folder) => listFiles(folder, excluded));
  const recordFile = path.join(home, '.ibkr-am', 'submissions.jsonl');
  assert.ok(files.includes(recordFile), 'the submission record is under the temporary HOME');
  assert.equal(readFileSync(recordFile, 'utf8').trim().split('\n').length, 2, 'both submissions are recorded');

  /** `csidContent`, when set, is what the CSID is searched in instead of `content`. */
  const sources: { name: string; content: Buffer; csidContent?: Buffer }[] = [
    { name: 'emulator stdout', content: Buffer.from(emulator.stdout()) },
    { name: 'emulator stderr', content: Buffer.from(emulator.stderr()) },
    { name: 'language server stderr', content: Buffer.from(server.stderrText()) },
    { name: 'redacted LSP trace', content: Buffer.from(redacted) },
    ...allOutput.map((output, index) => ({ name: `CLI output ${index}`, content: Buffer.from(output) })),
    ...files.map((name) => {
      const content = readFileSync(name);
      const isState = name === path.join(stateDir, STATE_FILE_NAME);
      return { name: path.relative(root, name), content, ...(isState ? { csidContent: withoutFirmCsids(content) } : {}) };
    }),
  ];
  assert.ok(files.includes(path.join(stateDir, STATE_FILE_NAME)), "the emulator's state file is searched");
  assert.ok(emulator.stderr().length > 0, 'the emulator logged its requests');
  assert.match(emulator.stdout(), new RegExp(`CSID ${firm.csid.slice(0, 2)}\\*\\*\\*\\*`), 'the emulator printed the masked CSID');

  const needles = [...ANSWER_NEEDLES, { name: 'passphrase', value: firm.passphrase }];
  const hits: string[] = [];
  for (const source of sources) {
    for (const needle of needles) {
      if (source.content.includes(needle.value)) {
        hits.push(`${needle.name} in ${source.name}`);
      }
    }
    if ((source.csidContent ?? source.content).includes(firm.csid)) {
      hits.push(`CSID in ${source.name}`);
    }
  }
  assert.deepEqual(hits, [], `secrets found (${sources.length} sources, ${files.length} files searched)`);
});
