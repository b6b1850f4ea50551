import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TextDocument } from 'vscode-languageserver-textdocument';

import { checkDocument } from '../../server/src/check/check';
import { toLspDiagnostic } from '../../server/src/check/diagnostics';
import { codesAndRanges, codesOf, rangeOf, readFixture, temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient } from './helpers/lspClient';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

describe('diagnostics', () => {
  const workspace = temporaryFolder('diagnostics');
  let client: LspTestClient;
  const uri = (name: string): string => fileUri(path.join(workspace.path, name));

  before(async () => {
    client = await LspTestClient.start({ workspaceFolders: [workspace.path] });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('valid file has none', async () => {
    const document = uri('valid.ibkr.xml');
    await client.open(document, readFixture('valid.ibkr.xml'));
    const publish = await client.waitForCurrentVersion(document);
    assert.deepEqual(publish.diagnostics, []);
  });

  it('mistakes give codes and ranges', async () => {
    const document = uri('mistakes.ibkr.xml');
    const text = readFixture('mistakes.ibkr.xml');
    await client.open(document, text);
    const publish = await client.waitForCurrentVersion(document);

    assert.deepEqual(codesAndRanges(publish.diagnostics), [
      { code: 'details-count', range: rangeOf(text, 'SecurityQuestions') },
      { code: 'unknown-attribute', range: rangeOf(text, 'colour') },
      { code: 'question-duplicate', range: rangeOf(text, '9161083', 1) },
    ]);
    for (const diagnostic of publish.diagnostics) {
      assert.equal(diagnostic.source, 'ibkr');
      assert.equal(typeof diagnostic.message, 'string');
    }
  });

  it('incremental edits end on final text', async () => {
    const document = uri('typing.ibkr.xml');
    const initial = readFixture('valid.ibkr.xml');
    await client.open(document, initial);
    await client.waitForCurrentVersion(document);

    // Type a fourth Details character by character, then delete the first question id key by key.
    const insertAt = client.text(document).indexOf('  </SecurityQuestions>');
    const typed = `    <Details question="7000001" answer="typed-answer" />\n`;
    for (let index = 0; index < typed.length; index += 1) {
      await client.edit(document, insertAt + index, insertAt + index, typed[index] ?? '');
    }
    const idStart = client.text(document).indexOf('9161083');
    for (let index = 0; index < '9161083'.length; index += 1) {
      await client.edit(document, idStart, idStart + 1, '');
    }

    const finalText = client.text(document);
    const publish = await client.waitForCurrentVersion(document);
    const expected = checkDocument(finalText, { matchedByGlob: true }).problems.map((problem) =>
      toLspDiagnostic(problem, TextDocument.create(document, 'xml', 0, finalText), document),
    );
    assert.deepEqual(codesAndRanges(publish.diagnostics), codesAndRanges(expected));
    assert.deepEqual(codesOf(publish.diagnostics), ['details-count', 'empty-value']);

    const versions = client.publishes.filter((candidate) => candidate.uri === document).map((candidate) => candidate.version ?? -1);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `publishes went back to an older version: ${versions.join(', ')}`);
  });

  it('CRLF, BOM and astral positions', async () => {
    const document = uri('positions.ibkr.xml');
    const lines = [
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>',
      `<AcctMgmtRequests xmlns="${NAMESPACE}">`,
      '  <SecurityQuestions reference_user_name="tester1234">',
      '    <Details question="9161083" answer="\u{1F600}\u{1F600}-astral" extra="1" />',
      '    <Details question="6688721" answer="second \u{1D11E}" />',
      '    <Details question="6688721" answer="third" />',
      '  </SecurityQuestions>',
      '</AcctMgmtRequests>',
      '',
    ];
    const text = lines.join('\r\n');
    await client.open(document, text);
    const publish = await client.waitForCurrentVersion(document);

    assert.deepEqual(codesAndRanges(publish.diagnostics), [
      { code: 'unknown-attribute', range: rangeOf(text, 'extra') },
      { code: 'question-duplicate', range: rangeOf(text, '6688721', 1) },
    ]);
    // Two astral characters are four UTF-16 code units before the attribute on line 3.
    assert.deepEqual(rangeOf(text, 'extra').start, { line: 3, character: lines[3]?.indexOf('extra') ?? -1 });
  });

  it('closing clears diagnostics', async () => {
    const document = uri('closing.ibkr.xml');
    await client.open(document, readFixture('mistakes.ibkr.xml'));
    await client.waitForDiagnostics(document, (publish) => publish.diagnostics.length > 0);
    await client.close(document);
    const publish = await client.waitForDiagnostics(document, (candidate) => candidate.diagnostics.length === 0);
    assert.equal(publish.version, undefined);
  });
});

describe('request file matching', () => {
  const workspace = temporaryFolder('globs');
  let client: LspTestClient;
  const uri = (name: string): string => fileUri(path.join(workspace.path, name));

  before(async () => {
    client = await LspTestClient.start({ workspaceFolders: [workspace.path] });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('glob match with other root', async () => {
    const document = uri('nested/other-root.ibkr.xml');
    await client.open(document, '<project><name>x</name></project>\n');
    const publish = await client.waitForCurrentVersion(document);
    assert.deepEqual(codesOf(publish.diagnostics), ['root-element']);
  });

  it('plain .xml with request root', async () => {
    const document = uri('plain.xml');
    await client.open(document, readFixture('mistakes.ibkr.xml'));
    const publish = await client.waitForCurrentVersion(document);
    assert.deepEqual(codesOf(publish.diagnostics), ['details-count', 'question-duplicate', 'unknown-attribute']);
  });

  it('other XML gets an empty publish', async () => {
    const document = uri('pom.xml');
    await client.open(document, '<project><broken attr="1"></project>\n');
    const publish = await client.waitForCurrentVersion(document);
    assert.deepEqual(publish.diagnostics, []);
  });

  it('untitled documents', async () => {
    await client.open('untitled:Untitled-1', readFixture('mistakes.ibkr.xml'));
    await client.open('untitled:Untitled-2', '<project/>');
    const checked = await client.waitForCurrentVersion('untitled:Untitled-1');
    const ignored = await client.waitForCurrentVersion('untitled:Untitled-2');
    assert.deepEqual(codesOf(checked.diagnostics), ['details-count', 'question-duplicate', 'unknown-attribute']);
    assert.deepEqual(ignored.diagnostics, []);
  });

  it('requestFiles setting change', async () => {
    const custom = uri('requests/first.xml');
    const byDefault = uri('default.ibkr.xml');
    await client.open(custom, '<project/>');
    await client.open(byDefault, '<project/>');
    await client.waitForCurrentVersion(custom);
    assert.deepEqual(codesOf((await client.waitForCurrentVersion(byDefault)).diagnostics), ['root-element']);

    await client.changeSettings({ requestFiles: ['requests/*.xml'] });
    await client.waitForDiagnostics(custom, (publish) => codesOf(publish.diagnostics).join() === 'root-element');
    await client.waitForDiagnostics(byDefault, (publish) => publish.diagnostics.length === 0);
    await client.changeSettings({});
    await client.waitForDiagnostics(byDefault, (publish) => publish.diagnostics.length === 1);
  });
});

describe('validate.run onSave', () => {
  const workspace = temporaryFolder('on-save');
  let client: LspTestClient;
  const onSaveUri = fileUri(path.join(workspace.path, 'on-save.ibkr.xml'));
  const onTypeUri = fileUri(path.join(workspace.path, 'on-type.ibkr.xml'));

  before(async () => {
    client = await LspTestClient.start({
      workspaceFolders: [workspace.path],
      settingsFor: (scopeUri) => (scopeUri === onSaveUri ? { validate: { run: 'onSave' } } : {}),
    });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('checks on open and save only', async () => {
    const text = readFixture('valid.ibkr.xml');
    await client.open(onSaveUri, text);
    await client.open(onTypeUri, text);
    assert.deepEqual((await client.waitForCurrentVersion(onSaveUri)).diagnostics, []);
    await client.waitForCurrentVersion(onTypeUri);

    const attributeEnd = text.indexOf('input_language="zh-Hans"') + 'input_language="zh-Hans"'.length;
    const changedVersion = await client.edit(onSaveUri, attributeEnd, attributeEnd, ' extra="1"');
    // The onType document is edited after the onSave one, so once its check is published
    // an onType check of the onSave document would have been published too.
    await client.edit(onTypeUri, attributeEnd, attributeEnd, ' extra="1"');
    await client.waitForDiagnostics(onTypeUri, (publish) => publish.version === 2 && publish.diagnostics.length === 1);
    assert.equal(client.publishes.some((publish) => publish.uri === onSaveUri && publish.version === changedVersion), false);

    await client.save(onSaveUri);
    const saved = await client.waitForDiagnostics(onSaveUri, (publish) => publish.version === changedVersion);
    assert.deepEqual(codesOf(saved.diagnostics), ['unknown-attribute']);
  });
});

describe('problems limit', () => {
  const workspace = temporaryFolder('problems-limit');
  let client: LspTestClient;
  const uri = (name: string): string => fileUri(path.join(workspace.path, name));

  before(async () => {
    client = await LspTestClient.start({ workspaceFolders: [workspace.path], settings: { validate: { maxProblems: 5 } } });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  /** Builds a request whose input_language is a warning and whose start tag has `extra` unknown attributes (errors) after it. */
  function withUnknownAttributes(extra: number): string {
    const attributes = Array.from({ length: extra }, (_, index) => ` a${index}="x"`).join('');
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<AcctMgmtRequests xmlns="${NAMESPACE}">`,
      `  <SecurityQuestions reference_user_name="u1" input_language="ko"${attributes}>`,
      '    <Details question="9161083" answer="alpha one"/>',
      '    <Details question="6688721" answer="beta two"/>',
      '    <Details question="9161123" answer="gamma three"/>',
      '  </SecurityQuestions>',
      '</AcctMgmtRequests>',
      '',
    ].join('\n');
  }

  it('errors first, then a note', async () => {
    const text = withUnknownAttributes(8);
    const all = checkDocument(text).problems;
    assert.deepEqual(
      all.map((problem) => problem.code).sort(),
      ['input-language', ...Array<string>(8).fill('unknown-attribute')],
      'the full check finds the warning and 8 errors',
    );

    const document = uri('many.ibkr.xml');
    await client.open(document, text);
    const publish = await client.waitForCurrentVersion(document);
    assert.deepEqual(
      publish.diagnostics.map((diagnostic) => diagnostic.code),
      ['unknown-attribute', 'unknown-attribute', 'unknown-attribute', 'unknown-attribute', 'problems-limit'],
      'the note comes last',
    );
    const listed = publish.diagnostics.slice(0, 4).map((diagnostic) => text.slice(...offsetsOf(text, diagnostic.range)));
    assert.deepEqual(listed, ['a0', 'a1', 'a2', 'a3'], 'the first errors in the text are listed');
    const note = publish.diagnostics[4]!;
    assert.equal(note.severity, 3);
    assert.equal(note.source, 'ibkr');
    assert.equal(note.message, '5 more problems are not listed (4 errors, 1 warning); the first starts at line 3. Fix the problems listed, or raise ibkr.validate.maxProblems (5) to list more.');
    const warningStart = text.indexOf('ko"');
    assert.deepEqual(offsetsOf(text, note.range), [warningStart, warningStart], 'the note sits where the first hidden problem starts: the warning');
  });

  it('no note up to the limit', async () => {
    const document = uri('five.ibkr.xml');
    await client.open(document, withUnknownAttributes(4));
    const publish = await client.waitForCurrentVersion(document);
    assert.deepEqual(codesOf(publish.diagnostics).sort(), ['input-language', 'unknown-attribute', 'unknown-attribute', 'unknown-attribute', 'unknown-attribute']);
  });

  it('listed problem keeps quick fix', async () => {
    const document = uri('fix.ibkr.xml');
    await client.open(document, withUnknownAttributes(8));
    const publish = await client.waitForCurrentVersion(document);
    const first = publish.diagnostics[0]!;
    const actions = (await client.codeActions(document, first.range, publish.diagnostics)) ?? [];
    assert.deepEqual(
      actions.map((action) => action.title),
      ['Remove attribute a0', 'Remove attribute a1', 'Remove attribute a2', 'Remove attribute a3'],
      'the note has no fix',
    );
  });
});

/** Offsets of a range's start and end in a text with LF line ends. */
function offsetsOf(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): [number, number] {
  const document = TextDocument.create('file:///offsets', 'xml', 0, text);
  return [document.offsetAt(range.start), document.offsetAt(range.end)];
}
