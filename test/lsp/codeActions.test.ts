import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { CodeAction, Diagnostic } from 'vscode-languageserver/node';

import { codesOf, LSP_FIXTURES, temporaryFolder } from './helpers/fixtures';
import { applyEdits, fileUri, LspTestClient } from './helpers/lspClient';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

function request(details: string[], root = `<AcctMgmtRequests xmlns="${NAMESPACE}">`, declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'): string {
  const lines = details.map((line) => `    ${line}`);
  return `${declaration}${root}\n  <SecurityQuestions reference_user_name="tester1234">\n${lines.join('\n')}\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`;
}

const THREE_DETAILS = ['<Details question="9161083" answer="first answer" />', '<Details question="6688721" answer="second answer" />', '<Details question="9161123" answer="third answer" />'];

describe('code actions', () => {
  const workspace = temporaryFolder('code-actions');
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

  /** Opens the text and returns its URI with the diagnostics of the given code. */
  async function openWith(text: string, code: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = fileUri(path.join(workspace.path, `fix${count++}.ibkr.xml`));
    await client.open(uri, text);
    const publish = await client.waitForCurrentVersion(uri);
    const diagnostics = publish.diagnostics.filter((diagnostic) => diagnostic.code === code);
    assert.ok(diagnostics.length > 0, `expected ${code}, got ${codesOf(publish.diagnostics).join(', ')}`);
    return { uri, diagnostics };
  }

  async function actionsFor(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    return (await client.codeActions(uri, diagnostic.range, [diagnostic])) ?? [];
  }

  /** Applies the action's edit (resolving it first when deferred), sends the new text and returns its diagnostics' codes. */
  async function apply(uri: string, action: CodeAction | undefined): Promise<{ text: string; codes: string[] }> {
    assert.ok(action !== undefined, 'the expected code action exists');
    const resolved = action.edit === undefined ? await client.request<CodeAction>('codeAction/resolve', action) : action;
    const edits = resolved.edit?.changes?.[uri];
    assert.ok(edits !== undefined, `action "${action.title}" has an edit for the document`);
    assert.ok(edits.length > 0, `action "${action.title}" changes the document`);
    const before = client.text(uri);
    const text = applyEdits(before, edits);
    const end = client.document(uri).positionAt(before.length);
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end }, text }]);
    const publish = await client.waitForCurrentVersion(uri);
    return { text, codes: codesOf(publish.diagnostics) };
  }

  it('missing namespace', async () => {
    const { uri, diagnostics } = await openWith(request(THREE_DETAILS, '<AcctMgmtRequests>'), 'namespace');
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    const preferred = actions.find((action) => action.isPreferred === true);
    assert.equal(preferred?.kind, 'quickfix');
    const result = await apply(uri, preferred);
    assert.ok(result.text.includes(`<AcctMgmtRequests xmlns="${NAMESPACE}">`));
    assert.deepEqual(result.codes, []);
  });

  it('wrong namespace', async () => {
    const { uri, diagnostics } = await openWith(request(THREE_DETAILS, '<AcctMgmtRequests xmlns="http://example.com/wrong">'), 'namespace');
    const result = await apply(uri, (await actionsFor(uri, diagnostics[0] as Diagnostic))[0]);
    assert.deepEqual(result.codes, []);
  });

  it('missing XML declaration', async () => {
    const text = request(['<Details question="9161083" answer="Z\u00fcrich" />', ...THREE_DETAILS.slice(1)], undefined, '');
    const { uri, diagnostics } = await openWith(text, 'encoding-declaration');
    const result = await apply(uri, (await actionsFor(uri, diagnostics[0] as Diagnostic))[0]);
    assert.ok(result.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests'));
    assert.deepEqual(result.codes, []);
  });

  it('wrong and missing encoding', async () => {
    const details = ['<Details question="9161083" answer="Z\u00fcrich" />', ...THREE_DETAILS.slice(1)];
    for (const declaration of ['<?xml version="1.0" encoding="ISO-8859-1"?>\n', '<?xml version="1.0"?>\n']) {
      const { uri, diagnostics } = await openWith(request(details, undefined, declaration), 'encoding-declaration');
      const result = await apply(uri, (await actionsFor(uri, diagnostics[0] as Diagnostic))[0]);
      assert.ok(result.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>'), result.text);
      assert.deepEqual(result.codes, []);
    }
  });

  it('duplicate question offers unused ids', async () => {
    const { uri, diagnostics } = await openWith(request([THREE_DETAILS[0] ?? '', THREE_DETAILS[1] ?? '', '<Details question="9161083" answer="third answer" />']), 'question-duplicate');
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    assert.deepEqual(
      actions.map((action) => action.title),
      ['Change to question 9161123: Sample question 9161123: first car', 'Change to question 9161124: Sample question 9161124: favourite book', 'Change to question 7000001: Sample question 7000001: childhood nickname'],
    );
    const result = await apply(uri, actions[0]);
    assert.deepEqual(result.codes, []);
  });

  it('unknown question ranks close ids first', async () => {
    const { uri, diagnostics } = await openWith(request([THREE_DETAILS[0] ?? '', THREE_DETAILS[1] ?? '', '<Details question="7000011" answer="third answer" />']), 'question-unknown');
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    assert.match(actions[0]?.title ?? '', /question 7000001/);
    assert.deepEqual((await apply(uri, actions[0])).codes, []);
  });

  it('too few Details', async () => {
    const { uri, diagnostics } = await openWith(request(THREE_DETAILS.slice(0, 2)), 'details-count');
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    const add = actions.find((action) => action.isPreferred === true);
    assert.equal(add?.title, 'Add a Details element with question 9161123');
    const result = await apply(uri, add);
    assert.ok(result.text.includes('answer="second answer" />\n    <Details question="9161123" answer="" />\n  </SecurityQuestions>'), result.text);
    // The new Details has an empty answer for the user to write.
    assert.deepEqual(result.codes, ['empty-value']);
  });

  it('question id white space trimmed', async () => {
    const { uri, diagnostics } = await openWith(request([THREE_DETAILS[0] as string, '<Details question=" 6688721 " answer="second answer" />', THREE_DETAILS[2] as string]), 'question-format');
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    assert.equal(actions[0]?.title, 'Trim to 6688721');
    assert.deepEqual(
      actions.filter((action) => action.isPreferred === true).map((action) => action.title),
      ['Trim to 6688721'],
    );
    const result = await apply(uri, actions[0]);
    assert.ok(result.text.includes('<Details question="6688721" answer="second answer" />'), result.text);
    assert.deepEqual(result.codes, []);
  });

  it('miscased details prefers rename', async () => {
    const text = request([...THREE_DETAILS.slice(0, 2), '<details question="9161123" answer="third answer" ></details>']);
    const uri = fileUri(path.join(workspace.path, `fix${count++}.ibkr.xml`));
    await client.open(uri, text);
    const publish = await client.waitForCurrentVersion(uri);
    const preferred: string[] = [];
    for (const diagnostic of publish.diagnostics) {
      for (const action of await actionsFor(uri, diagnostic)) if (action.isPreferred === true) preferred.push(action.title);
    }
    assert.deepEqual(preferred, ['Rename details to Details']);
  });

  it('one Details gets two more', async () => {
    const { uri, diagnostics } = await openWith(request(THREE_DETAILS.slice(0, 1)), 'details-count');
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    const result = await apply(uri, actions.find((action) => action.title === 'Add 2 Details elements'));
    assert.deepEqual(result.codes, ['empty-value', 'empty-value']);
  });

  it('answer text moves into attribute', async () => {
    const text = request(['<Details question="9161083">Fluffy &amp; "co" &lt;3</Details>', ...THREE_DETAILS.slice(1)]);
    const { uri, diagnostics } = await openWith(text, 'unexpected-content');
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    const move = actions.find((action) => action.isPreferred === true);
    assert.equal(move?.title, 'Move the element text, trimmed, into the answer attribute');
    assert.equal(move?.edit, undefined, 'the edit, which contains the answer, is sent only on resolve');
    const result = await apply(uri, move);
    assert.ok(result.text.includes('<Details question="9161083" answer="Fluffy &amp; &quot;co&quot; &lt;3" />'), result.text);
    assert.deepEqual(result.codes, []);
  });

  for (const [written, label] of [
    ['answer=Rexy "Fluffy" Spot />', 'unquoted'],
    ['answer=\u201cRexy "Fluffy" Spot\u201d />', 'curly-quoted'],
  ] as const) {
    it(`${label} answer put in quotes`, async () => {
      const text = request([THREE_DETAILS[0] as string, `<Details question="6688721" ${written}`, THREE_DETAILS[2] as string]);
      const uri = fileUri(path.join(workspace.path, `fix${count++}.ibkr.xml`));
      await client.open(uri, text);
      const publish = await client.waitForCurrentVersion(uri);
      assert.deepEqual(codesOf(publish.diagnostics), ['xml-wellformed']);
      const diagnostic = publish.diagnostics[0] as Diagnostic;
      assert.match(diagnostic.message, /^The value of answer is not in quotes/);
      const actions = await actionsFor(uri, diagnostic);
      assert.deepEqual(
        actions.map((action) => [action.title, action.isPreferred]),
        [['Put the value of answer in quotes', true]],
      );
      assert.ok(!JSON.stringify([publish, actions]).includes('Fluffy'));
      const result = await apply(uri, actions[0]);
      assert.ok(result.text.includes('<Details question="6688721" answer="Rexy &quot;Fluffy&quot; Spot" />'), result.text);
      assert.deepEqual(result.codes, []);
    });
  }

  it('answer text keeps its references', async () => {
    const text = request(['<Details question="9161083">\n      a&nbsp;b "c"\n    </Details>', ...THREE_DETAILS.slice(1)]);
    const { uri, diagnostics } = await openWith(text, 'unexpected-content');
    const move = (await actionsFor(uri, diagnostics[0] as Diagnostic)).find((action) => action.isPreferred === true);
    const result = await apply(uri, move);
    assert.ok(result.text.includes('<Details question="9161083" answer="a&nbsp;b &quot;c&quot;" />'), result.text);
    assert.deepEqual(result.codes, ['entity-undefined']);
  });

  it('answer text cut by comment', async () => {
    const text = request(['<Details question="9161083">ab<!--c-->cd</Details>', ...THREE_DETAILS.slice(1)]);
    const { uri, diagnostics } = await openWith(text, 'unexpected-content');
    assert.equal(diagnostics.length, 2);
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    assert.deepEqual(
      actions.map((action) => [action.title, action.isPreferred ?? false]),
      [['Remove all the text in Details', false]],
    );
    const result = await apply(uri, actions[0]);
    assert.ok(result.text.includes('<Details question="9161083"><!--c--></Details>'), result.text);
    assert.ok(!result.codes.includes('unexpected-content'), result.codes.join());
  });

  it('curly-quoted unknown attribute removed whole', async () => {
    const text = request([THREE_DETAILS[0] as string, '<Details question="6688721" answer="second answer" extra=\u201cx\u201d />', THREE_DETAILS[2] as string]);
    const { uri, diagnostics } = await openWith(text, 'unknown-attribute');
    const actions = await actionsFor(uri, diagnostics[0] as Diagnostic);
    const result = await apply(uri, actions.find((action) => action.title === 'Remove attribute extra'));
    assert.ok(result.text.includes('<Details question="6688721" answer="second answer" />'), result.text);
    assert.deepEqual(result.codes, []);
  });

  it('bare SecurityQuestions root', async () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<SecurityQuestions reference_user_name="tester1234">\n  ${THREE_DETAILS.join('\n  ')}\n</SecurityQuestions>\n`;
    const { uri, diagnostics } = await openWith(text, 'root-element');
    const result = await apply(uri, (await actionsFor(uri, diagnostics[0] as Diagnostic))[0]);
    assert.equal(
      result.text,
      `<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="${NAMESPACE}">\n  <SecurityQuestions reference_user_name="tester1234">\n    ${THREE_DETAILS.join('\n    ')}\n  </SecurityQuestions>\n</AcctMgmtRequests>\n`,
    );
    assert.deepEqual(result.codes, []);
  });

  it('unknown attribute removed or renamed', async () => {
    const removal = await openWith(request(['<Details question="9161083" answer="first answer" colour="blue" />', ...THREE_DETAILS.slice(1)]), 'unknown-attribute');
    const removed = await apply(removal.uri, (await actionsFor(removal.uri, removal.diagnostics[0] as Diagnostic)).find((action) => action.isPreferred === true));
    assert.ok(removed.text.includes('<Details question="9161083" answer="first answer" />'));
    assert.deepEqual(removed.codes, []);

    const typo = await openWith(request(['<Details question="9161083" Answer="first answer" />', ...THREE_DETAILS.slice(1)]), 'unknown-attribute');
    const actions = await actionsFor(typo.uri, typo.diagnostics[0] as Diagnostic);
    assert.equal(actions.find((action) => action.isPreferred === true)?.title, 'Rename Answer to answer');
    assert.deepEqual((await apply(typo.uri, actions.find((action) => action.isPreferred === true))).codes, []);
  });

  it('missing required attribute', async () => {
    const { uri, diagnostics } = await openWith(request([...THREE_DETAILS.slice(0, 2), '<Details answer="third answer" />']), 'required-attribute');
    const result = await apply(uri, (await actionsFor(uri, diagnostics[0] as Diagnostic))[0]);
    assert.ok(result.text.includes('<Details answer="third answer" question="9161123" />'), result.text);
    assert.deepEqual(result.codes, []);
  });

  it('unknown input_language removed', async () => {
    const text = request(THREE_DETAILS).replace('reference_user_name="tester1234"', 'reference_user_name="tester1234" input_language="english"');
    const { uri, diagnostics } = await openWith(text, 'input-language');
    const result = await apply(uri, (await actionsFor(uri, diagnostics[0] as Diagnostic))[0]);
    assert.ok(result.text.includes('<SecurityQuestions reference_user_name="tester1234">'));
    assert.deepEqual(result.codes, []);
  });

  it('DOCTYPE removed where reported, after an edit', async () => {
    const requests = ['a', 'b', 'c'].map((user) => `  <SecurityQuestions reference_user_name="user_${user}">\n${THREE_DETAILS.map((line) => `    ${line}`).join('\n')}\n  </SecurityQuestions>\n`);
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="${NAMESPACE}">\n${requests[0]}  <!DOCTYPE x>\n${requests[1]}  <!DOCTYPE y>\n${requests[2]}</AcctMgmtRequests>\n`;
    const { uri, diagnostics } = await openWith(text, 'doctype-not-allowed');
    assert.equal(diagnostics.length, 2);

    // The second DOCTYPE's fix removes that one, not the first.
    const second = await apply(uri, (await actionsFor(uri, diagnostics[1] as Diagnostic))[0]);
    assert.ok(second.text.includes('<!DOCTYPE x>'), 'the first DOCTYPE stays');
    assert.ok(!second.text.includes('<!DOCTYPE y>'), 'the second DOCTYPE is removed');

    // Deleting the first DOCTYPE by hand leaves none; with both back, deleting the first leaves the fix for the second at its place.
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: client.document(uri).positionAt(second.text.length) }, text }]);
    await client.waitForCurrentVersion(uri);
    const first = text.indexOf('  <!DOCTYPE x>\n');
    await client.edit(uri, first, first + '  <!DOCTYPE x>\n'.length, '');
    const publish = await client.waitForCurrentVersion(uri);
    const remaining = publish.diagnostics.filter((diagnostic) => diagnostic.code === 'doctype-not-allowed');
    assert.equal(remaining.length, 1);
    const result = await apply(uri, (await actionsFor(uri, remaining[0] as Diagnostic))[0]);
    assert.ok(!result.text.includes('<!DOCTYPE'), 'the DOCTYPE is removed');
    assert.ok(result.text.includes('</SecurityQuestions>\n  <SecurityQuestions reference_user_name="user_b">'), 'the requests around it are intact');
    assert.deepEqual(result.codes, []);
  });

  it('300 diagnostics of one tag', async () => {
    // 300 unknown attributes in one start tag, and all their diagnostics in one request: each
    // diagnostic gets the removal of its own attribute.
    const extra = Array.from({ length: 300 }, (_, index) => `extra${index}="x"`).join(' ');
    const text = request([`<Details question="9161083" answer="first answer" ${extra} />`, ...THREE_DETAILS.slice(1)]);
    const { uri, diagnostics } = await openWith(text, 'unknown-attribute');
    assert.equal(diagnostics.length, 300);
    const actions = (await client.codeActions(uri, diagnostics[0]!.range, diagnostics)) ?? [];
    const removals = actions.filter((action) => action.title.startsWith('Remove attribute '));
    assert.equal(removals.length, 300);
    removals.forEach((action, index) => {
      assert.equal(action.title, `Remove attribute extra${index}`);
      assert.deepEqual(action.diagnostics, [diagnostics[index]]);
      const [edit] = action.edit?.changes?.[uri] ?? [];
      assert.ok(edit !== undefined);
      const document = client.document(uri);
      assert.equal(text.slice(document.offsetAt(edit.range.start), document.offsetAt(edit.range.end)), ` extra${index}="x"`);
    });
  });

  it('twin required-attribute diagnostics', async () => {
    // A Details without question and answer has two required-attribute problems on its name.
    const { uri, diagnostics } = await openWith(request([...THREE_DETAILS.slice(0, 2), '<Details />']), 'required-attribute');
    assert.equal(diagnostics.length, 2);
    assert.deepEqual(diagnostics[0]!.range, diagnostics[1]!.range);
    const titles = await Promise.all(diagnostics.map(async (diagnostic) => (await actionsFor(uri, diagnostic)).map((action) => action.title)));
    assert.deepEqual(titles.flat().sort(), ['Add attribute answer', 'Add attribute question']);
    const bothAtOnce = (await client.codeActions(uri, diagnostics[0]!.range, diagnostics)) ?? [];
    assert.deepEqual(bothAtOnce.map((action) => action.title).sort(), ['Add attribute answer', 'Add attribute question']);
  });

  it('diagnostics of 200 requests', async () => {
    // One request per problem kind, each repeated: every diagnostic in one code action request
    // gets the fix for its own element, found among the pieces of a large document.
    const requests = Array.from({ length: 200 }, (_, index) => {
      const user = `user${index}`;
      if (index % 4 === 0) return `  <SecurityQuestions reference_user_name="${user}">\n    <Details question="9161083" answer="a${index}" colour="blue"/>\n    <Details question="6688721" answer="b${index}"/>\n    <Details question="9161123" answer="c${index}"/>\n  </SecurityQuestions>`;
      if (index % 4 === 1) return `  <SecurityQuestions reference_user_name="${user}">\n    <Details question="9161083" answer="a${index}"/>\n    <Details question="6688721" answer="b${index}"/>\n    <Details answer="c${index}"/>\n  </SecurityQuestions>`;
      if (index % 4 === 2) return `  <SecurityQuestions xmlns="urn:wrong" reference_user_name="${user}">\n    <Details question="9161083" answer="a${index}"/>\n    <Details question="6688721" answer="b${index}"/>\n    <Details question="9161123" answer="c${index}"/>\n  </SecurityQuestions>`;
      return `  <SecurityQuestions reference_user_name="${user}">\n    stray ${index}\n    <Details question="9161083" answer="a${index}"/>\n    <Details question="6688721" answer="b${index}"/>\n    <Details question="9161123" answer="c${index}"/>\n  </SecurityQuestions>`;
    });
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="${NAMESPACE}">\n${requests.join('\n')}\n</AcctMgmtRequests>\n`;
    const uri = fileUri(path.join(workspace.path, `fix${count++}.ibkr.xml`));
    await client.open(uri, text);
    const diagnostics = (await client.waitForCurrentVersion(uri)).diagnostics.filter((diagnostic) => ['unknown-attribute', 'required-attribute', 'namespace', 'unexpected-content'].includes(String(diagnostic.code)));
    assert.ok(diagnostics.length >= 200, `${diagnostics.length} diagnostics`);
    const actions = (await client.codeActions(uri, diagnostics[0]!.range, diagnostics)) ?? [];
    const document = client.document(uri);
    for (const diagnostic of diagnostics) {
      const own = actions.filter((action) => JSON.stringify(action.diagnostics?.[0]) === JSON.stringify(diagnostic));
      assert.ok(own.length > 0, `a fix for ${String(diagnostic.code)} at line ${diagnostic.range.start.line}`);
      for (const action of own) {
        for (const edit of action.edit?.changes?.[uri] ?? []) {
          // Each fix edits its own request: between the request's start and end lines.
          const requestStart = text.lastIndexOf('<SecurityQuestions', document.offsetAt(diagnostic.range.start));
          const requestEnd = text.indexOf('</SecurityQuestions>', document.offsetAt(diagnostic.range.start));
          const editStart = document.offsetAt(edit.range.start);
          assert.ok(editStart >= requestStart, `${action.title} edits its own request, not one above`);
          assert.ok(editStart <= requestEnd, `${action.title} edits its own request, not one below`);
        }
      }
    }
  });

  it('outdated diagnostic gets none', async () => {
    const { uri, diagnostics } = await openWith(request(THREE_DETAILS.slice(0, 2)), 'details-count');
    const moved = { ...(diagnostics[0] as Diagnostic), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } } };
    assert.deepEqual(await actionsFor(uri, moved), []);
  });
});
