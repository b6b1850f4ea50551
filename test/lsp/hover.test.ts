import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Hover } from 'vscode-languageserver/node';

import { LSP_FIXTURES, rangeOf, temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient, positionAt } from './helpers/lspClient';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

function markdownOf(hover: Hover | null): string {
  const contents = hover?.contents;
  assert.ok(contents !== undefined, 'hover has contents');
  assert.equal(typeof contents, 'object', 'hover contents are an object');
  assert.ok(typeof contents === 'object' && 'value' in contents, 'hover contents are Markdown');
  return contents.value;
}

/** A request whose answers exercise code points and UTF-8 bytes: 4 astral characters are 8 UTF-16 units and 16 bytes. */
const ASTRAL_ANSWER = '\u{1F600}\u{1F601}\u{1F602}\u{1F603}';
const TEXT = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  `<AcctMgmtRequests xmlns="${NAMESPACE}">`,
  '  <SecurityQuestions reference_user_name="tester1234" input_language="zh-Hans">',
  `    <Details question="9161083" answer="${ASTRAL_ANSWER}" />`,
  '    <Details question="1234567" answer="Caf&#233; secret" />',
  '    <Details question="9161123" answer="x" />',
  '  </SecurityQuestions>',
  '</AcctMgmtRequests>',
  '',
].join('\n');

describe('hover', () => {
  const workspace = temporaryFolder('hover');
  let client: LspTestClient;
  let noList: LspTestClient;
  const uri = fileUri(path.join(workspace.path, 'hover.ibkr.xml'));

  before(async () => {
    copyFileSync(path.join(LSP_FIXTURES, 'questions.json'), path.join(workspace.path, 'questions.json'));
    client = await LspTestClient.start({ workspaceFolders: [workspace.path], settings: { securityQuestions: { catalogFile: 'questions.json' } } });
    noList = await LspTestClient.start({ workspaceFolders: [workspace.path] });
    await client.open(uri, TEXT);
    await noList.open(uri, TEXT);
  });

  after(async () => {
    await client.stop();
    await noList.stop();
    workspace.remove();
  });

  const at = (needle: string, delta = 1) => positionAt(TEXT, TEXT.indexOf(needle) + delta);

  it('question id shows text and rules', async () => {
    const hover = await client.hover(uri, at('9161083'));
    const markdown = markdownOf(hover);
    assert.match(markdown, /first pet/);
    assert.match(markdown, /Answer can be a number: no/);
    assert.match(markdown, /Minimum answer length: 3 characters/);
    assert.match(markdown, /Maximum repeatable characters \(maxRepeatableCharsCount\): 2/);
    assert.deepEqual(hover?.range?.start, rangeOf(TEXT, 'question="9161083"').start);
  });

  it('unknown id says not in list', async () => {
    assert.match(markdownOf(await client.hover(uri, at('1234567'))), /not in the loaded list/);
  });

  it('invalid question id never shown', async () => {
    const wrongUri = fileUri(path.join(workspace.path, 'answer-as-question.ibkr.xml'));
    const text = TEXT.replace('question="1234567" answer="Caf&#233; secret"', 'question="Rexy Fluffy" answer="6688721"');
    await client.open(wrongUri, text);
    const markdown = markdownOf(await client.hover(wrongUri, positionAt(text, text.indexOf('Rexy') + 1)));
    assert.match(markdown, /^The question id is not a decimal integer/);
    assert.doesNotMatch(markdown, /Rexy|Fluffy/);
    const symbols = JSON.stringify(await client.documentSymbols(wrongUri));
    assert.ok(symbols.includes('Details 2 (invalid question id)'), symbols);
    assert.doesNotMatch(symbols, /Rexy|Fluffy/);
  });

  it('no list loaded', async () => {
    const markdown = markdownOf(await noList.hover(uri, at('9161083')));
    assert.match(markdown, /No security question list is loaded/);
    assert.match(markdown, /ibkr\.securityQuestions\.catalogFile/);
  });

  it('answer shows lengths only', async () => {
    const astral = markdownOf(await client.hover(uri, at(ASTRAL_ANSWER, 2)));
    assert.match(astral, /4 characters/);
    assert.match(astral, /16 bytes/);
    assert.match(astral, /256/);
    assert.match(astral, /at least 3 characters/);
    assert.ok(!astral.includes(ASTRAL_ANSWER));

    // The character reference counts as one decoded character: "Café secret" is 11 characters, 12 bytes.
    const decoded = markdownOf(await client.hover(uri, at('Caf&#233;')));
    assert.match(decoded, /11 characters/);
    assert.match(decoded, /12 bytes/);
    assert.ok(!decoded.includes('secret'));
    assert.ok(!decoded.includes('Caf'));
  });

  it('nothing between attributes', async () => {
    assert.equal(await client.hover(uri, positionAt(TEXT, TEXT.indexOf('<Details') + 1)), null);
  });
});
