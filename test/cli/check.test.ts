import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { ALL_CODES, CODE_INFO } from '../../server/src/check/codes';
import { allOutput, assertCliBuilt, ROOT, runCli } from './cliHarness';

interface JsonDiagnostic {
  code: string;
  severity: number;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  source: string;
  relatedInformation: unknown[];
}

interface JsonFileReport {
  file: string;
  diagnostics: JsonDiagnostic[];
}

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: SarifRegion } }[];
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; shortDescription: { text: string } }[] } };
    columnKind: string;
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }[];
}

const fixture = (name: string): string => path.join('test', 'fixtures', 'cli', name);
const SECRET_ANSWERS = ['first-secret-answer', 'second-secret-answer', 'answer1', 'demo2', 'text3', 'alpha reply', 'charlie reply'];

/** Returns the zero-based index of the first line of `file` that contains `needle`. */
function lineOf(file: string, needle: string): number {
  const index = readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(needle));
  assert.notEqual(index, -1, `${needle} not in ${file}`);
  return index;
}

/** Returns the text that an LSP range covers, with characters counted in UTF-16 code units. */
function rangeText(file: string, range: JsonDiagnostic['range']): string {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  assert.equal(range.start.line, range.end.line, 'single-line range expected');
  return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
}

before(() => {
  assertCliBuilt();
});

describe('ibkr-am check', () => {
  test('valid file passes in text format', async () => {
    const run = await runCli(['check', fixture('sample-request.xml')]);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /: error /);
    assert.match(run.stdout, /^Checked 1 file: 0 errors, 0 warnings\.$/m);
  });

  test('invalid file fails in text format', async () => {
    const file = fixture('invalid-request.xml');
    const run = await runCli(['check', file]);
    assert.equal(run.code, 1, run.stderr);

    const lines = run.stdout.trimEnd().split('\n');
    const details = lines.find((line) => line.includes(' error details-count: '));
    assert.ok(details, run.stdout);
    assert.ok(details.startsWith(`${file}:`), details);

    const format = lines.find((line) => line.includes(' error question-format: '));
    assert.ok(format, run.stdout);
    const match = /^(.+):(\d+):(\d+): error question-format: .+$/.exec(format);
    assert.ok(match, format);
    assert.equal(match[1], file);
    assert.equal(Number(match[2]), lineOf(file, 'question="12ab"') + 1);

    assert.match(lines.at(-1) ?? '', /^Checked 1 file: [1-9]\d* errors?, \d+ warnings?/);
  });

  test('json report uses 0-based ranges', async () => {
    const file = fixture('invalid-request.xml');
    const text = await runCli(['check', file]);
    const json = await runCli(['check', '--format', 'json', file]);
    assert.equal(json.code, 1, json.stderr);

    const report = JSON.parse(json.stdout) as JsonFileReport[];
    assert.equal(report.length, 1);
    assert.equal(report[0]?.file, file);
    const diagnostics = report[0]?.diagnostics ?? [];
    const codes = diagnostics.map((diagnostic) => diagnostic.code);
    assert.ok(codes.includes('details-count'), codes.join());
    assert.ok(codes.includes('question-format'), codes.join());

    const format = diagnostics.find((diagnostic) => diagnostic.code === 'question-format');
    assert.ok(format);
    assert.equal(format.severity, 1);
    assert.equal(format.source, 'ibkr');
    assert.ok(Array.isArray(format.relatedInformation));
    assert.equal(format.range.start.line, lineOf(file, 'question="12ab"'));
    assert.match(rangeText(file, format.range), /12ab/);

    // The text report shows the same positions, 1-based.
    const severityNames = ['', 'error', 'warning', 'information', 'hint'];
    for (const diagnostic of diagnostics) {
      const { line, character } = diagnostic.range.start;
      const expected = `${file}:${line + 1}:${character + 1}: ${severityNames[diagnostic.severity]} ${diagnostic.code}: `;
      assert.ok(text.stdout.includes(expected), `"${expected}" missing in:\n${text.stdout}`);
    }
  });

  test('json report of valid file is empty', async () => {
    const run = await runCli(['check', '--format=json', fixture('sample-request.xml')]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as JsonFileReport[];
    assert.deepEqual(report, [{ file: fixture('sample-request.xml'), diagnostics: [] }]);
  });

  test('columns count UTF-16 code units', async () => {
    const file = fixture('wide characters.xml');
    const json = await runCli(['check', '--format', 'json', file]);
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout) as JsonFileReport[];
    const format = report[0]?.diagnostics.find((diagnostic) => diagnostic.code === 'question-format');
    assert.ok(format, json.stdout);
    assert.equal(format.range.start.line, lineOf(file, 'question="x1"'));
    // Three emoji precede the attribute on that line; each is two UTF-16 code units.
    assert.match(rangeText(file, format.range), /x1/);

    const sarif = await runCli(['check', '--format', 'sarif', file]);
    const log = JSON.parse(sarif.stdout) as SarifLog;
    const result = log.runs[0]?.results.find((candidate) => candidate.ruleId === 'question-format');
    assert.ok(result);
    const region = result.locations[0]?.physicalLocation.region;
    assert.deepEqual(region, {
      startLine: format.range.start.line + 1,
      startColumn: format.range.start.character + 1,
      endLine: format.range.end.line + 1,
      endColumn: format.range.end.character + 1,
    });
    assert.equal(result.locations[0]?.physicalLocation.artifactLocation.uri, 'test/fixtures/cli/wide%20characters.xml');
  });

  test('sarif report is a valid 2.1.0 log', async () => {
    const invalid = fixture('invalid-request.xml');
    const valid = fixture('sample-request.xml');
    const run = await runCli(['check', '--format', 'sarif', valid, invalid]);
    assert.equal(run.code, 1, run.stderr);

    const log = JSON.parse(run.stdout) as SarifLog;
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const sarifRun = log.runs[0];
    assert.ok(sarifRun);
    assert.equal(sarifRun.columnKind, 'utf16CodeUnits');
    assert.equal(sarifRun.tool.driver.name, 'ibkr-am');
    assert.equal(sarifRun.originalUriBaseIds['%SRCROOT%']?.uri, `${new URL(`file://${ROOT}/`).href}`);

    const ruleIds = sarifRun.tool.driver.rules.map((rule) => rule.id);
    assert.deepEqual(ruleIds, ALL_CODES);
    for (const rule of sarifRun.tool.driver.rules) {
      assert.equal(rule.shortDescription.text, CODE_INFO[rule.id as keyof typeof CODE_INFO].summary);
    }

    assert.ok(sarifRun.results.length > 0);
    for (const result of sarifRun.results) {
      assert.ok((ALL_CODES as readonly string[]).includes(result.ruleId), result.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(result.level), result.level);
      const location = result.locations[0]?.physicalLocation;
      assert.equal(location?.artifactLocation.uri, invalid);
      assert.equal(location?.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.ok((location?.region.startLine ?? 0) >= 1);
      assert.ok((location?.region.startColumn ?? 0) >= 1);
    }
    const format = sarifRun.results.find((result) => result.ruleId === 'question-format');
    assert.equal(format?.level, 'error');
    assert.equal(format?.locations[0]?.physicalLocation.region.startLine, lineOf(invalid, 'question="12ab"') + 1);
  });

  test('any root is checked as a request file', async () => {
    const run = await runCli(['check', '--format', 'json', fixture('other-root.xml')]);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as JsonFileReport[];
    const codes = report[0]?.diagnostics.map((diagnostic) => diagnostic.code) ?? [];
    assert.ok(codes.includes('root-element'), codes.join());
  });

  test('question list flags unknown ids', async () => {
    const file = fixture('unknown-question.xml');
    const without = await runCli(['check', '--format', 'json', file]);
    assert.equal(without.code, 0, without.stdout);

    const run = await runCli(['check', '--format', 'json', '--questions', fixture('questions.json'), file]);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as JsonFileReport[];
    const unknown = report[0]?.diagnostics.filter((diagnostic) => diagnostic.code === 'question-unknown') ?? [];
    assert.equal(unknown.length, 1, run.stdout);
    assert.equal(unknown[0]?.range.start.line, lineOf(file, 'question="5550001"'));
  });

  test('malformed question list exits 4', async () => {
    const list = fixture('questions-malformed.json');
    const run = await runCli(['check', '--questions', list, fixture('sample-request.xml')]);
    assert.equal(run.code, 4);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, new RegExp(`${list.replace(/[.]/g, '\\.')}, line 4: `));
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  });

  test('missing file exits 4 naming it', async () => {
    const run = await runCli(['check', fixture('sample-request.xml'), 'no/such/file.xml']);
    assert.equal(run.code, 4);
    assert.match(run.stderr, /no\/such\/file\.xml: no such file or directory/);
    assert.match(run.stdout, /^Checked 1 file: 0 errors/m);
  });

  test('directory and non-UTF-8 files exit 4', async () => {
    const directory = await runCli(['check', fixture('')]);
    assert.equal(directory.code, 4);
    assert.match(directory.stderr, /request file test\/fixtures\/cli\/? is a directory; give the path of a file/);

    const workDir = mkdtempSync(path.join(os.tmpdir(), 'ibkr-am-check-'));
    try {
      const latin1 = path.join(workDir, 'latin1.xml');
      writeFileSync(latin1, Buffer.from('<?xml version="1.0"?>\n<AcctMgmtRequests>caf\xe9</AcctMgmtRequests>\n', 'latin1'));
      const utf16 = path.join(workDir, 'utf16.xml');
      writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<AcctMgmtRequests/>', 'utf16le')]));

      const run = await runCli(['check', latin1, utf16]);
      assert.equal(run.code, 4);
      assert.ok(run.stderr.includes(`request file ${latin1} is not valid UTF-8; save it as UTF-8`), run.stderr);
      assert.ok(run.stderr.includes(`request file ${utf16} is UTF-16 encoded; save it as UTF-8`), run.stderr);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  test('usage errors exit 4 with one line', async () => {
    const cases: [string[], RegExp][] = [
      [['check'], /missing FILE\.\.\./],
      [['check', '--format', 'xml', 'a.xml'], /invalid value "xml" for --format; use one of text, json, sarif/],
      [['check', 'a.xml', '--format'], /option --format needs a value/],
      [['check', '--formatt', 'json', 'a.xml'], /unknown option --formatt/],
      [['check', '--questions', '--format', 'json', 'a.xml'], /option --questions needs a value/],
      [['check', '--verbose=yes', 'a.xml'], /option --verbose takes no value/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['--frobnicate'], /unknown option "--frobnicate"/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 4, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
      assert.equal(run.stdout, '');
    }
  });

  test('help and version exit 0', async () => {
    const main = await runCli(['--help']);
    assert.equal(main.code, 0);
    assert.match(main.stdout, /^Usage: ibkr-am COMMAND/);
    assert.match(main.stdout, /check FILE\.\.\./);

    const help = await runCli(['check', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--format FORMAT/);
    assert.match(help.stdout, /--questions FILE/);

    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout, `${packageJson.version}\n`);
  });

  test('bin launcher runs the CLI', async () => {
    const run = await runCli(['check', fixture('invalid-request.xml')], { script: path.join(ROOT, 'bin', 'ibkr-am.js') });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /error details-count/);
  });

  test('misplaced or unquoted answers never printed', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'ibkr-check-unquoted-'));
    try {
      const head = '<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">\n<SecurityQuestions reference_user_name="tester1234" input_language="zh-Hans">\n<Details question="9161083" answer="answer1" />\n';
      const tail = '<Details question="9161123" answer="text3" />\n</SecurityQuestions>\n</AcctMgmtRequests>\n';
      const seconds = ['<Details question="6688721" answer=Rexy Fluffy Spot />', '<Details question="6688721" answer=\u201cRexy Fluffy\u201d />', '<Details question="6688721" answer=Rexy Fluffy" />', '<Details question="Rexy Fluffy" answer="6688721"/>'];
      const files = seconds.map((second, index) => {
        const file = path.join(folder, `request${index}.xml`);
        writeFileSync(file, head + second + '\n' + tail);
        return file;
      });
      for (const format of ['text', 'json', 'sarif']) {
        const run = await runCli(['check', '--format', format, ...files]);
        assert.equal(run.code, 1, run.stderr);
        for (const word of ['Rexy', 'Fluffy', 'Spot']) {
          assert.ok(!run.stdout.includes(word), `${format} output names "${word}"`);
          assert.ok(!run.stderr.includes(word), `${format} error output names "${word}"`);
        }
      }
      const json = JSON.parse((await runCli(['check', '--format', 'json', ...files.slice(0, 3)])).stdout) as JsonFileReport[];
      for (const report of json) {
        assert.deepEqual(
          report.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.message.startsWith('The value of answer is not in quotes')]),
          [['xml-wellformed', true]],
          report.file,
        );
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('no answer appears in any output', () => {
    const output = allOutput.join('\n');
    assert.ok(output.length > 0);
    for (const [index, answer] of SECRET_ANSWERS.entries()) {
      assert.ok(!output.includes(answer), `secret answer ${index + 1} was printed`);
    }
  });
});
