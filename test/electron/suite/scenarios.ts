/**
 * The end-to-end scenarios of test/e2e, run inside the extension host of desktop VS Code through
 * the `vscode` API instead of the browser UI. Submitting is left to the browser suite, because
 * its confirmations are modal dialogs that code in the extension host cannot click.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

import { lineOf, mistakeExpectations } from '../../e2e/expectations';
import { MISTAKES, NEW_FILE, VALID } from './files';

const TIMEOUT_MS = 60_000;

export interface Scenario {
  name: string;
  run(): Promise<void>;
}

export const scenarios: Scenario[] = [
  { name: 'mistakes file lists the expected diagnostics', run: listsMistakes },
  { name: 'quick fix clears its diagnostic', run: appliesQuickFix },
  { name: 'completion offers question ids with their texts', run: completesQuestionIds },
  { name: 'request snippet fills a new file', run: insertsSnippet },
  { name: 'question list refresh completes and logs no answer', run: refreshesQuestionList },
];

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'VS Code was opened on a workspace folder');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function open(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(name));
  return vscode.window.showTextDocument(document);
}

function codeOf(diagnostic: vscode.Diagnostic): string {
  return String(typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code);
}

function hasDiagnostic(diagnostics: readonly vscode.Diagnostic[], code: string, line: number): boolean {
  return diagnostics.some((diagnostic) => diagnostic.source === 'ibkr' && codeOf(diagnostic) === code && diagnostic.range.start.line + 1 === line);
}

function describeDiagnostics(diagnostics: readonly vscode.Diagnostic[]): string {
  return diagnostics.map((diagnostic) => `  ${codeOf(diagnostic)} at line ${diagnostic.range.start.line + 1}`).join('\n') || '  (none)';
}

/** Resolves with the diagnostics of `uri` once `accept` returns true for them; rejects after TIMEOUT_MS. */
function waitForDiagnostics(uri: vscode.Uri, accept: (diagnostics: vscode.Diagnostic[]) => boolean, description: string): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const diagnostics = vscode.languages.getDiagnostics(uri);
      if (!accept(diagnostics)) {
        return false;
      }
      finish();
      resolve(diagnostics);
      return true;
    };
    const subscription = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((changed) => changed.toString() === uri.toString())) {
        check();
      }
    });
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`Timed out waiting for ${description}. Diagnostics of ${uri.fsPath}:\n${describeDiagnostics(vscode.languages.getDiagnostics(uri))}`));
    }, TIMEOUT_MS);
    function finish(): void {
      clearTimeout(timer);
      subscription.dispose();
    }
    check();
  });
}

async function listsMistakes(): Promise<void> {
  const editor = await open(MISTAKES);
  const expected = mistakeExpectations(editor.document.getText());
  const diagnostics = await waitForDiagnostics(editor.document.uri, (found) => expected.every((want) => hasDiagnostic(found, want.code, want.line)), 'the diagnostics of the example');
  for (const want of expected) {
    assert.ok(hasDiagnostic(diagnostics, want.code, want.line), `missing ${want.code} at line ${want.line}:\n${describeDiagnostics(diagnostics)}`);
  }
}

async function appliesQuickFix(): Promise<void> {
  const editor = await open(MISTAKES);
  const uri = editor.document.uri;
  const line = lineOf(editor.document.getText(), /input_language="english"/);
  const diagnostics = await waitForDiagnostics(uri, (found) => hasDiagnostic(found, 'input-language', line), 'the input-language diagnostic');
  const target = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'input-language');
  assert.ok(target);

  // The last argument makes VS Code resolve the edits of up to 10 actions.
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, target.range, vscode.CodeActionKind.QuickFix.value, 10);
  const fix = actions.find((action) => action.title.startsWith('Remove input_language'));
  assert.ok(fix, `quick fixes offered: ${actions.map((action) => action.title).join('; ')}`);
  if (fix.edit !== undefined) {
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the quick fix edit applies');
  }
  if (fix.command !== undefined) {
    await vscode.commands.executeCommand(fix.command.command, ...((fix.command.arguments ?? []) as unknown[]));
  }
  await waitForDiagnostics(uri, (found) => !hasDiagnostic(found, 'input-language', line), 'the input-language diagnostic to go');
  assert.doesNotMatch(editor.document.lineAt(line - 1).text, /input_language/);
}

async function completesQuestionIds(): Promise<void> {
  const editor = await open(MISTAKES);
  const document = editor.document;
  const userLine = lineOf(document.getText(), /reference_user_name="demo_user16"/);
  const lastDetails = lineOf(document.getText(), /answer="Fake City Sixteen"/);
  const questionList = readFileSync(workspaceFile('security-questions.csv').fsPath, 'utf8');
  const carQuestion = /^9161123,([^,]+),/m.exec(questionList)?.[1];
  assert.ok(carQuestion, 'security-questions.csv lists question 9161123');

  const typed = '    <Details question="';
  const end = document.lineAt(lastDetails - 1).range.end;
  assert.ok(await editor.edit((builder) => builder.insert(end, `\n${typed}`)));
  const position = new vscode.Position(lastDetails, typed.length);

  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
  const labelOf = (item: vscode.CompletionItem): string => (typeof item.label === 'string' ? item.label : item.label.label);
  const car = list.items.find((item) => labelOf(item) === '9161123');
  assert.ok(car, `question ids offered: ${list.items.map(labelOf).join(', ')}`);
  const description = typeof car.label === 'string' ? car.detail : (car.label.description ?? car.detail);
  assert.equal(description, carQuestion);
  assert.ok(list.items.some((item) => labelOf(item) === '1000001'), 'ids from the question list');

  // Finish the line as the completion would, and see the missing Details counted.
  const line = document.lineAt(lastDetails);
  assert.ok(await editor.edit((builder) => builder.replace(line.range, '    <Details question="9161123" answer="Fake Car Sixteen"/>')));
  await waitForDiagnostics(document.uri, (found) => !hasDiagnostic(found, 'details-count', userLine), 'the details-count diagnostic to go');
}

async function insertsSnippet(): Promise<void> {
  const editor = await open(NEW_FILE);
  await vscode.commands.executeCommand('editor.action.insertSnippet', { langId: 'xml', name: 'IBKR request file' });
  const text = editor.document.getText();
  assert.match(text, /^<\?xml version="1.0" encoding="UTF-8"/);
  assert.match(text, /<AcctMgmtRequests xmlns="http:\/\/www\.interactivebrokers\.com\/schemas\/IBCust_import">/);
  assert.equal(text.match(/<Details /g)?.length, 3, `three Details in:\n${text}`);
  await waitForDiagnostics(editor.document.uri, (found) => found.some((diagnostic) => codeOf(diagnostic) === 'question-format'), 'diagnostics of the placeholder question ids');
}

async function refreshesQuestionList(): Promise<void> {
  await open(VALID);
  await vscode.commands.executeCommand('ibkr.refreshQuestionList');

  const logsDir = process.env.IBKR_TEST_LOGS_DIR;
  assert.ok(logsDir, 'the runner sets IBKR_TEST_LOGS_DIR');
  const logs = readdirSync(logsDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('IBKR.log'))
    .map((file) => readFileSync(path.join(logsDir, file), 'utf8'));
  assert.ok(
    logs.some((text) => /Loaded \d+ security questions from local/.test(text)),
    'the IBKR output channel logs the refreshed list',
  );
  const answers = Array.from(readFileSync(workspaceFile(VALID).fsPath, 'utf8').matchAll(/answer="([^"]*)"/g), (match) => match[1] ?? '');
  for (const text of logs) {
    for (const [index, answer] of answers.entries()) {
      assert.ok(!text.includes(answer), `the IBKR log contains answer ${index + 1} of the file`);
    }
  }
}
