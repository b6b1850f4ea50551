import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { CompletionItem, TextEdit } from 'vscode-languageserver/node';

import { LSP_FIXTURES, temporaryFolder } from './helpers/fixtures';
import { applyEdits, FULL_CAPABILITIES, fileUri, LspTestClient, positionAt, withCursor } from './helpers/lspClient';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';
const HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="${NAMESPACE}">\n`;
const ALL_IDS = ['9161083', '6688721', '9161123', '9161124', '7000001'];

function sorted(items: readonly CompletionItem[]): CompletionItem[] {
  return [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
}

function editOf(item: CompletionItem | undefined): TextEdit {
  const edit = item?.textEdit;
  assert.ok(edit !== undefined, `item ${item?.label} has a textEdit`);
  assert.ok('range' in edit, `the textEdit of ${item?.label} has a range`);
  return edit;
}

describe('completion', () => {
  const workspace = temporaryFolder('completion');
  let client: LspTestClient;
  let count = 0;

  before(async () => {
    copyFileSync(path.join(LSP_FIXTURES, 'questions.json'), path.join(workspace.path, 'questions.json'));
    client = await LspTestClient.start({ workspaceFolders: [workspace.path], settings: { securityQuestions: { catalogFile: 'questions.json' } } });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  /** Opens a new document with the marked text and returns the completion items at the cursor. */
  async function completeAt(marked: string, triggerCharacter?: string, name = `doc${count++}.ibkr.xml`): Promise<{ text: string; items: CompletionItem[] }> {
    const { text, offset } = withCursor(marked);
    const uri = fileUri(path.join(workspace.path, name));
    await client.open(uri, text);
    const list = await client.completion(uri, positionAt(text, offset), triggerCharacter);
    return { text, items: list?.items ?? [] };
  }

  it('question ids with texts', async () => {
    const { text, items } = await completeAt(`${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Details question="|" answer="x" />\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`, '"');
    assert.deepEqual(items.map((item) => item.label).sort(), [...ALL_IDS].sort());

    const first = items.find((item) => item.label === '9161083');
    assert.equal(first?.labelDetails?.description, 'Sample question 9161083: first pet');
    assert.equal(first?.detail, 'Sample question 9161083: first pet');
    const documentation = first?.documentation;
    assert.ok(typeof documentation === 'object', 'documentation is Markdown');
    assert.match(documentation.value, /Minimum answer length: 3/);

    const applied = applyEdits(text, [editOf(first)]);
    assert.ok(applied.includes('<Details question="9161083" answer="x" />'), applied);
  });

  it('used ids ranked last', async () => {
    const { items } = await completeAt(
      `${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Details question="9161083" answer="a" />\n    <Details question="6688721" answer="b" />\n    <Details question="|" answer="c" />\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`,
    );
    const order = sorted(items).map((item) => item.label);
    assert.deepEqual(order, ['9161123', '9161124', '7000001', '9161083', '6688721']);
    assert.match(items.find((item) => item.label === '9161083')?.detail ?? '', /already used/);
  });

  it('ids of another request stay unused', async () => {
    const { items } = await completeAt(
      `${HEAD}  <SecurityQuestions reference_user_name="u1">\n    <Details question="9161083" answer="a" />\n  </SecurityQuestions>\n  <SecurityQuestions reference_user_name="u2">\n    <Details question="|" answer="c" />\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`,
    );
    assert.deepEqual(sorted(items).map((item) => item.label), ALL_IDS);
  });

  it('unfinished value at end of text', async () => {
    const { text, items } = await completeAt(`${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Details question="9161083" answer="a" />\n    <Details question="|`, '"');
    assert.equal(sorted(items)[0]?.label, '6688721');
    const applied = applyEdits(text, [editOf(items.find((item) => item.label === '9161123'))]);
    assert.ok(applied.endsWith('<Details question="9161123"'), applied);
  });

  it('partial id before next attribute', async () => {
    const { text, items } = await completeAt(`${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Details question="91|  answer="a" />\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`);
    const applied = applyEdits(text, [editOf(items.find((item) => item.label === '9161124'))]);
    assert.ok(applied.includes('<Details question="9161124"  answer="a" />'), applied);
  });

  it('element names where they fit', async () => {
    const inRequest = await completeAt(`${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Details question="9161083" answer="a" />\n    <|\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`, '<');
    assert.deepEqual([...new Set(inRequest.items.map((item) => item.label))], ['Details']);
    const snippet = inRequest.items.find((item) => item.kind === 15);
    const snippetText = editOf(snippet).newText;
    assert.match(snippetText, /^Details question="\$\{1\|6688721,9161123,9161124,7000001\|\}" answer="\$2" \/>/);

    const inWrapper = await completeAt(`${HEAD}  <|\n</AcctMgmtRequests>\n`, '<');
    assert.deepEqual([...new Set(inWrapper.items.map((item) => item.label))], ['SecurityQuestions']);

    const emptyFile = await completeAt('|');
    assert.deepEqual([...new Set(emptyFile.items.map((item) => item.label))], ['AcctMgmtRequests']);
    assert.equal(applyEdits(emptyFile.text, [editOf(emptyFile.items.find((item) => item.kind !== 15))]), '<AcctMgmtRequests');
  });

  it('partial element name', async () => {
    const { text, items } = await completeAt(`${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Det|\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`);
    const plain = items.find((item) => item.label === 'Details' && item.kind !== 15);
    assert.ok(applyEdits(text, [editOf(plain)]).includes('\n    <Details\n'));
  });

  it('attribute names not yet present', async () => {
    const details = await completeAt(`${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Details question="9161083" |\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`, ' ');
    assert.deepEqual(details.items.map((item) => item.label), ['answer']);
    assert.ok(applyEdits(details.text, [editOf(details.items[0])]).includes('<Details question="9161083" answer="$1"'));

    const request = await completeAt(`${HEAD}  <SecurityQuestions |>\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`);
    assert.deepEqual(request.items.map((item) => item.label), ['reference_user_name', 'input_language']);

    const partial = await completeAt(`${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Details qu| answer="a" />\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`);
    assert.deepEqual(partial.items.map((item) => item.label), ['question']);
    assert.ok(applyEdits(partial.text, [editOf(partial.items[0])]).includes('<Details question="$1" answer="a" />'));
  });

  it('input_language values', async () => {
    const { text, items } = await completeAt(`${HEAD}  <SecurityQuestions reference_user_name="u" input_language="zh|">\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`);
    assert.ok(items.some((item) => item.label === 'zh-Hans'));
    assert.ok(applyEdits(text, [editOf(items.find((item) => item.label === 'zh-Hans'))]).includes('input_language="zh-Hans">'));
  });

  it('nothing in comments or other XML', async () => {
    const comment = await completeAt(`${HEAD}  <!-- <Details question="| -->\n</AcctMgmtRequests>\n`);
    assert.deepEqual(comment.items, []);
    const other = await completeAt('<project>\n  <|\n</project>\n', '<', 'pom.xml');
    assert.deepEqual(other.items, []);
  });
});

describe('completion without snippet support', () => {
  const workspace = temporaryFolder('completion-plain');
  let client: LspTestClient;

  before(async () => {
    const capabilities = structuredClone(FULL_CAPABILITIES);
    if (capabilities.textDocument?.completion?.completionItem !== undefined) capabilities.textDocument.completion.completionItem.snippetSupport = false;
    client = await LspTestClient.start({ workspaceFolders: [workspace.path], capabilities });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('inserts plain text', async () => {
    const { text, offset } = withCursor(`${HEAD}  <SecurityQuestions reference_user_name="u">\n    <Details |\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`);
    const uri = fileUri(path.join(workspace.path, 'plain.ibkr.xml'));
    await client.open(uri, text);
    const list = await client.completion(uri, positionAt(text, offset));
    const items = list?.items ?? [];
    assert.deepEqual(items.map((item) => item.label), ['question', 'answer']);
    for (const item of items) {
      assert.notEqual(item.insertTextFormat, 2);
      assert.doesNotMatch(editOf(item).newText, /\$/);
    }
  });
});
