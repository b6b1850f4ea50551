import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FIXTURE_ANSWERS, LSP_FIXTURES, readFixture, temporaryFolder } from './helpers/fixtures';
import { fileUri, LspTestClient, positionAt } from './helpers/lspClient';

const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

/** Answers that reach every rule that looks at answers: duplicates, near duplicates, length, bytes, constraints, syntax errors. */
const SECRETS = {
  duplicate: 'Duplicate-secret-A',
  similar: 'Similar Secret B',
  long: `Long-secret-C-${'x'.repeat(300)}`,
  bytes: `Bytes-secret-D-${'\u00e9'.repeat(200)}`,
  numeric: '4242424242',
  repeated: 'Repeated-secret-EEEE',
  text: 'Element-text-secret-F',
  broken: 'Broken-secret-G',
  reference: 'Reference-secret-H',
};

const DOCUMENTS = [
  readFixture('valid.ibkr.xml'),
  readFixture('mistakes.ibkr.xml'),
  [
    `<AcctMgmtRequests xmlns="${NAMESPACE}">`,
    '  <SecurityQuestions reference_user_name="secret-test-user">',
    `    <Details question="9161083" answer="${SECRETS.duplicate}" />`,
    `    <Details question="6688721" answer="${SECRETS.duplicate}" />`,
    `    <Details question="9161123" answer="${SECRETS.similar}" />`,
    `    <Details question="9161124" answer="  ${SECRETS.similar.toLowerCase()} " />`,
    '  </SecurityQuestions>',
    '  <SecurityQuestions reference_user_name="secret-test-user">',
    `    <Details question="9161083" answer="${SECRETS.long}" />`,
    `    <Details question="6688721" answer="${SECRETS.bytes}" />`,
    `    <Details question="9161083" answer="${SECRETS.numeric}" />`,
    `    <Details question="1234567" answer="${SECRETS.repeated}" extra="1" />`,
    `    <Details question="7000001">${SECRETS.text}</Details>`,
    `    <Details question="7000001" answer="${SECRETS.reference}&bogus;" />`,
    '  </SecurityQuestions>',
    '</AcctMgmtRequests>',
    '',
  ].join('\n'),
  // Broken syntax inside an answer: an unescaped `<` and a missing closing quote.
  `<AcctMgmtRequests xmlns="${NAMESPACE}">\n  <SecurityQuestions reference_user_name="u">\n    <Details question="9161083" answer="${SECRETS.broken}<x" />\n    <Details question="6688721" answer="${SECRETS.broken}-2 />\n`,
];

describe('answer secrecy', () => {
  const workspace = temporaryFolder('secrets');
  let client: LspTestClient;

  before(async () => {
    copyFileSync(path.join(LSP_FIXTURES, 'questions.json'), path.join(workspace.path, 'questions.json'));
    client = await LspTestClient.start({ workspaceFolders: [workspace.path], settings: { securityQuestions: { catalogFile: 'questions.json' } } });
  });

  after(async () => {
    await client.stop();
    workspace.remove();
  });

  it('no answer in any server output', async () => {
    for (const [index, text] of DOCUMENTS.entries()) {
      const uri = fileUri(path.join(workspace.path, `secret${index}.ibkr.xml`));
      await client.open(uri, text);
      const publish = await client.waitForCurrentVersion(uri);

      // Every feature at every offset, and every quick fix for every diagnostic.
      for (let offset = 0; offset <= text.length; offset += 7) {
        const position = positionAt(text, offset);
        await client.completion(uri, position);
        await client.hover(uri, position);
      }
      for (const diagnostic of publish.diagnostics) {
        await client.codeActions(uri, diagnostic.range, [diagnostic]);
      }
      await client.documentSymbols(uri);
      await client.request('ibkr/requestSummary', { uri });
      // An edit inside an answer, so the answer also passes through incremental sync and re-checking.
      const answerAt = text.indexOf('answer="') + 'answer="'.length;
      await client.edit(uri, answerAt, answerAt, 'Q');
      await client.waitForCurrentVersion(uri);
      await client.close(uri);
    }

    const output = client.allOutput();
    const answers = [...FIXTURE_ANSWERS, ...Object.values(SECRETS), SECRETS.similar.toLowerCase()];
    for (const answer of answers) {
      // Long answers are checked by their start, so a truncated copy is caught as well.
      const probe = answer.slice(0, 18);
      assert.ok(!output.includes(probe), `the server sent or printed "${probe}"`);
    }
    assert.ok(client.publishes.length >= DOCUMENTS.length, 'the documents were checked');
  });
});
