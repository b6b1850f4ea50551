/**
 * End-to-end: editing request files in VS Code (code-server 4.100.3) with the packaged
 * extension. Diagnostics in the Problems panel, a quick fix, question id completion and the
 * request snippet, each driven through the workbench UI as a user would.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { cliDiagnostics, lineOf, mistakeExpectations } from './expectations';
import { skipReason } from './prerequisites';
import { startSession, WANT_SCREENSHOTS, type Session } from './session';
import { formatProblems, type ProblemRow } from './workbench';

const MISTAKES = 'mistakes.ibkr.xml';
const NEW_FILE = 'new-request.ibkr.xml';

void describe('VS Code editing', { skip: skipReason, timeout: 240_000 }, () => {
  let session: Session;
  let mistakesText: string;

  before(async () => {
    session = await startSession({ name: 'editing', files: { [NEW_FILE]: '' }, emulator: false });
    mistakesText = readFileSync(path.join(session.workspace, MISTAKES), 'utf8');
  });

  after(async () => {
    await session?.close();
  });

  void it('lists the mistakes in the Problems panel', async () => {
    const expected = mistakeExpectations(mistakesText);

    const rows = await session.step('problems', async () => {
      await session.workbench.openFile(MISTAKES);
      return session.workbench.waitForProblems(MISTAKES, (found) => expected.every((want) => hasProblem(found, want.code, want.line)), 'the diagnostics of the example');
    });
    for (const want of expected) {
      assert.ok(hasProblem(rows, want.code, want.line), `missing ${want.code} at line ${want.line}:\n${formatProblems(rows)}`);
    }
    for (const row of rows) {
      assert.equal(row.source, 'ibkr', `source of ${row.code} at line ${row.line}`);
    }

    // The editor must show exactly what the checker reports for the file (the CLI runs the same
    // checks with the same question list), no more and no fewer.
    const fromCli = cliDiagnostics(path.join(session.workspace, MISTAKES), path.join(session.workspace, 'security-questions.csv'));
    assert.deepEqual(
      rows.map((row) => `${row.line}:${row.column} ${row.code}`).sort(),
      fromCli.map((problem) => `${problem.line}:${problem.column} ${problem.code}`).sort(),
    );

    if (WANT_SCREENSHOTS) {
      // Show the middle of the file, where most underlined mistakes are.
      await session.workbench.restorePanel();
      await session.workbench.goTo(lineOf(mistakesText, /reference_user_name="demo_user15"/));
      await session.readmeScreenshot('diagnostics.png');
    }
  });

  void it('applies a quick fix and clears its diagnostic', async () => {
    const line = lineOf(mistakesText, /input_language="english"/);
    const rows = await session.workbench.problems(MISTAKES);
    const target = rows.find((row) => row.code === 'input-language' && row.line === line);
    assert.ok(target, `no input-language diagnostic at line ${line}:\n${formatProblems(rows)}`);

    await session.step('quick-fix', async () => {
      await session.workbench.restorePanel();
      await session.workbench.openFile(MISTAKES);
      await session.workbench.goTo(target.line, target.column);
      await session.workbench.applyQuickFix(/^Remove input_language/);
      await session.workbench.waitForProblems(MISTAKES, (found) => !hasProblem(found, 'input-language', line), 'the input-language diagnostic to go');
    });
    const text = await session.workbench.editorText();
    const fixedLine = text.split('\n')[line - 1] ?? '';
    assert.match(fixedLine, /reference_user_name="demo_user17"/);
    assert.doesNotMatch(fixedLine, /input_language/);
  });

  void it('completes question ids with their texts', async () => {
    const userLine = lineOf(mistakesText, /reference_user_name="demo_user16"/);
    const lastDetails = lineOf(mistakesText, /answer="Fake City Sixteen"/);
    const questionList = readFileSync(path.join(session.workspace, 'security-questions.csv'), 'utf8');
    const carQuestion = /^9161123,([^,]+),/m.exec(questionList)?.[1];
    assert.ok(carQuestion, 'security-questions.csv lists question 9161123');

    const labels = await session.step('completion', async () => {
      await session.workbench.closePanel();
      await session.workbench.openFile(MISTAKES);
      await session.workbench.goTo(lastDetails, 1);
      await session.page.keyboard.press('End');
      await session.page.keyboard.press('Enter');
      await session.page.keyboard.type('<Details question="');
      return session.workbench.waitForSuggestions((found) => found.some((row) => row.label === '9161123'), 'question 9161123');
    });
    const car = labels.find((row) => row.label === '9161123');
    assert.equal(car?.description, carQuestion, 'the question text beside id 9161123');
    assert.ok(labels.some((row) => row.label === '1000001'), `ids from the question list, got ${labels.map((row) => row.label).join(', ')}`);
    await session.readmeScreenshot('completion.png');

    await session.step('accept-completion', async () => {
      await session.workbench.acceptSuggestion('9161123');
      // The item closes the attribute value, so the answer follows directly.
      await session.workbench.waitForCurrentLine(/<Details question="9161123"$/);
      // NOTE: once in a CI run under load the caret stayed before the inserted id, for a reason
      // not found. The line itself is checked above, so the test moves to its end before typing.
      await session.page.keyboard.press('End');
      await session.page.keyboard.type(' answer="Fake Car Sixteen"/>');
      await session.page.keyboard.press('Control+S');
      await session.workbench.waitForProblems(MISTAKES, (found) => !hasProblem(found, 'details-count', userLine), 'the details-count diagnostic to go');
    });
    const saved = readFileSync(path.join(session.workspace, MISTAKES), 'utf8');
    assert.match(saved, /<Details question="9161123" answer="Fake Car Sixteen"\/>/);
  });

  void it('inserts the request snippet into a new file', async () => {
    await session.step('snippet', async () => {
      await session.workbench.restorePanel();
      await session.workbench.openFile(NEW_FILE);
      await session.workbench.focusEditor();
      await session.page.keyboard.type('ibkr-request');
      await session.workbench.waitForSuggestions((found) => found.some((row) => row.label === 'ibkr-request'), 'the ibkr-request snippet');
      await session.workbench.acceptSuggestion('ibkr-request');
      // Typing replaces the first placeholder (the user name); Escape leaves snippet mode.
      await session.page.keyboard.type('demo_user42');
      await session.page.keyboard.press('Escape');
      await session.page.keyboard.press('Control+S');
      await session.workbench.waitForProblems(NEW_FILE, (found) => found.some((row) => row.code === 'question-format'), 'diagnostics of the placeholder question ids');
    });
    const saved = readFileSync(path.join(session.workspace, NEW_FILE), 'utf8');
    assert.match(saved, /^<\?xml version="1.0" encoding="UTF-8"/);
    assert.match(saved, /<AcctMgmtRequests xmlns="http:\/\/www\.interactivebrokers\.com\/schemas\/IBCust_import">/);
    assert.match(saved, /<SecurityQuestions reference_user_name="demo_user42"/);
    assert.equal(saved.match(/<Details /g)?.length, 3, `three Details in:\n${saved}`);
  });
});

function hasProblem(rows: readonly ProblemRow[], code: string, line: number): boolean {
  return rows.some((row) => row.code === code && row.line === line);
}
