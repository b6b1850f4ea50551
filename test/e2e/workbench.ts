/**
 * Drives the VS Code workbench that code-server serves, through playwright-core: the command
 * palette, the Explorer, the editor, the Problems panel, notifications, dialogs, the status bar
 * and the Output view. Every step waits on a selector or a text; polling loops pause
 * POLL_INTERVAL_MS between two reads of the condition.
 *
 * The selectors are VS Code 1.100's (code-server 4.100.3); a newer workbench may rename them.
 */

import { setTimeout as delay } from 'node:timers/promises';
import type { Locator, Page } from 'playwright-core';

import type { DomElement } from './dom';

/** Default time for one UI step; language server round trips fit easily. */
export const STEP_TIMEOUT_MS = 20_000;
/** Pause between two reads of a condition that no event signals (rows of a panel, scrolling). */
const POLL_INTERVAL_MS = 100;
/** Maximum Down presses of `focusRowByKeyboard`; the example question list has a few dozen entries. */
const MAX_LIST_PRESSES = 100;
/** How long `waitForNotification` looks for a toast before it opens the Notification Center. */
const NOTIFICATION_TOAST_WAIT_MS = 5000;

export interface ProblemRow {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** The diagnostic code as the panel shows it, e.g. `details-count`. */
  code: string;
  source: string;
  /** One-based, as shown in `[Ln 3, Col 5]`. */
  line: number;
  column: number;
}

export class Workbench {
  constructor(readonly page: Page) {}

  /** Waits until the workbench has restored its layout and shows the explorer of the folder. */
  async waitUntilReady(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  }

  /** Runs a command by its title from the command palette, e.g. "IBKR: Submit to IBKR". */
  async runCommand(title: string): Promise<void> {
    await this.openQuickInput('Control+Shift+P');
    const input = this.quickInput.locator('input');
    await input.fill(`>${title}`);
    const row = this.quickInput.locator('.monaco-list-row', { has: this.page.locator('.label-name', { hasText: title }) }).first();
    await row.waitFor({ timeout: STEP_TIMEOUT_MS });
    // Enter runs the focused row, which must be this command rather than a longer title that contains it.
    const focused = this.quickInput.locator('.monaco-list-row.focused .label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) });
    await focused.waitFor({ timeout: STEP_TIMEOUT_MS });
    await input.press('Enter');
    // The palette closes, or shows the command's own quick pick with another value.
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while ((await this.quickInput.isVisible()) && (await input.inputValue().catch(() => '')) === `>${title}`) {
      if (Date.now() > deadline) {
        throw new Error(`The command palette did not run "${title}".`);
      }
      await delay(POLL_INTERVAL_MS);
    }
  }

  /**
   * Opens a file at the top of the workspace folder from the Explorer (a double click keeps the
   * tab open) and waits for its editor tab to be active. Quick Open is not used because its file
   * search sometimes keeps returning "No matching results" for a file that exists.
   */
  async openFile(fileName: string): Promise<void> {
    const explorer = this.page.locator('.explorer-folders-view');
    if (!(await explorer.isVisible())) {
      await this.runCommand('View: Show Explorer');
    }
    const exactLabel = this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(fileName)}\\s*$`) });
    const row = explorer.locator('.monaco-list-row', { has: exactLabel }).first();
    await row.waitFor({ timeout: STEP_TIMEOUT_MS });
    await row.dblclick();
    await this.activeTab(fileName).waitFor({ timeout: STEP_TIMEOUT_MS });
    await this.activeEditor.locator('.view-lines').waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  /** Locates the active tab of the active editor group when its label is exactly `label`. */
  activeTab(label: string): Locator {
    const exactLabel = this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
    return this.page.locator('.editor-group-container.active .tabs-container .tab.active', { has: exactLabel });
  }

  /** The editor of the active editor group. */
  get activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** Moves the cursor with Go to Line (Ctrl+G); both numbers are one-based. */
  async goTo(line: number, column = 1): Promise<void> {
    await this.focusEditor();
    await this.openQuickInput('Control+G');
    await this.quickInput.locator('input').fill(`:${line}:${column}`);
    await this.quickInput.locator('input').press('Enter');
    await this.quickInput.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
    await this.page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: `Ln ${line}, Col ${column}` }).waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  /** Gives the keyboard focus to the active editor's text area, restoring the panel size first. */
  async focusEditor(): Promise<void> {
    await this.restorePanel();
    await this.activeEditor.locator('textarea').first().focus();
  }

  /**
   * Reads the whole text of the active editor. Monaco renders only the lines in view, so the
   * text is copied (Ctrl+A, Ctrl+C) and read from the clipboard. The cursor is put back afterwards.
   */
  async editorText(): Promise<string> {
    await this.restorePanel();
    const position = await this.cursorPosition();
    await this.focusEditor();
    const text = await this.copyAll();
    await this.goTo(position.line, position.column);
    return text;
  }

  /** Selects all text of the focused editor and returns it through the clipboard. */
  private async copyAll(): Promise<string> {
    const marker = `clipboard-marker-${Date.now()}`;
    await this.page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(marker)})`);
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Control+C');
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const text = String(await this.page.evaluate('navigator.clipboard.readText()'));
      if (text !== marker) {
        return text;
      }
      if (Date.now() > deadline) {
        throw new Error('Copying the editor text to the clipboard timed out.');
      }
      await delay(POLL_INTERVAL_MS);
    }
  }

  /** Opens the Problems panel and returns every row of the file `fileName`. */
  async problems(fileName: string): Promise<ProblemRow[]> {
    await this.showProblems();
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ timeout: STEP_TIMEOUT_MS });
    return readProblemRows(panel, fileName);
  }

  /** Polls the Problems panel until `accept` returns true for the rows of `fileName`, and returns them. */
  async waitForProblems(fileName: string, accept: (rows: ProblemRow[]) => boolean, description: string, timeoutMs = 60_000): Promise<ProblemRow[]> {
    const deadline = Date.now() + timeoutMs;
    let rows: ProblemRow[] = [];
    await this.showProblems();
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ timeout: STEP_TIMEOUT_MS });
    for (;;) {
      rows = await readProblemRows(panel, fileName);
      if (accept(rows)) {
        return rows;
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description} in the Problems panel. Rows of ${fileName}:\n${formatProblems(rows)}`);
      }
      await delay(POLL_INTERVAL_MS);
    }
  }

  /** Shows the Problems panel, maximized so that no row is virtualized away. */
  async showProblems(): Promise<void> {
    if (!(await this.page.locator('.markers-panel').isVisible())) {
      await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await this.page.locator('.markers-panel').waitFor({ timeout: STEP_TIMEOUT_MS });
    }
    await this.maximizePanel();
  }

  /** Maximizes the bottom panel unless it already is; the editor area is then hidden. */
  async maximizePanel(): Promise<void> {
    if (!(await this.isPanelMaximized())) {
      await this.runCommand('View: Toggle Maximized Panel');
      await this.waitForEditorAreaHeight((height) => height === 0);
    }
  }

  /** Restores the bottom panel to its normal size when it is maximized. */
  async restorePanel(): Promise<void> {
    if (await this.isPanelMaximized()) {
      await this.runCommand('View: Toggle Maximized Panel');
      await this.waitForEditorAreaHeight((height) => height > 0);
    }
  }

  private async isPanelMaximized(): Promise<boolean> {
    const panelVisible = await this.page.locator('.part.panel').isVisible();
    return panelVisible && (await this.editorAreaHeight()) === 0;
  }

  private async editorAreaHeight(): Promise<number> {
    return this.page.locator('.part.editor').evaluate((element: DomElement) => element.offsetHeight);
  }

  private async waitForEditorAreaHeight(accept: (height: number) => boolean): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (!accept(await this.editorAreaHeight())) {
      if (Date.now() > deadline) {
        throw new Error('Timed out waiting for the panel to be maximized or restored.');
      }
      await delay(POLL_INTERVAL_MS);
    }
  }

  /** Closes the bottom panel. */
  async closePanel(): Promise<void> {
    if (await this.page.locator('.part.panel').isVisible()) {
      await this.runCommand('View: Hide Panel');
    }
  }

  /** Opens the quick fix menu at the cursor (Ctrl+.) and runs the action whose title matches `title`. */
  async applyQuickFix(title: RegExp): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+.');
    const widget = this.page.locator('.action-widget');
    await widget.locator('.monaco-list-row.action').first().waitFor({ timeout: STEP_TIMEOUT_MS });
    // Clicking the action row timed out under playwright, so the keyboard picks the action, as
    // a keyboard user would.
    await this.focusRowByKeyboard(widget.locator('.monaco-list-row.action.focused', { hasText: title }), `the quick fix ${String(title)}`);
    await this.page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  }

  /**
   * Opens the suggestion widget with Ctrl+Space, because the test settings turn off suggestions
   * while typing. Waits until its rows satisfy `accept` and returns the rows in view.
   */
  async waitForSuggestions(accept: (rows: SuggestionRow[]) => boolean, description: string): Promise<SuggestionRow[]> {
    const widget = this.page.locator('.editor-widget.suggest-widget.visible');
    await this.page.keyboard.press('Control+Space');
    await widget.waitFor({ timeout: STEP_TIMEOUT_MS });
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const rows = await readSuggestionRows(widget);
      if (accept(rows)) {
        return rows;
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${description} in the suggestions. Rows: ${rows.map((row) => `${row.label} (${row.description})`).join('; ') || '(none)'}`);
      }
      await delay(POLL_INTERVAL_MS);
    }
  }

  /** Accepts the suggestion whose label is `label` (arrow keys, then Enter) and waits for the widget to close. */
  async acceptSuggestion(label: string): Promise<void> {
    const widget = this.page.locator('.editor-widget.suggest-widget.visible');
    const exactLabel = this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
    await this.focusRowByKeyboard(widget.locator('.monaco-list-row.focused', { has: exactLabel }), `the suggestion ${label}`);
    await this.page.keyboard.press('Enter');
    await widget.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  }

  /** Presses the Down arrow in the focused list until `focusedRow` (a `.focused` row locator) exists. */
  private async focusRowByKeyboard(focusedRow: Locator, description: string): Promise<void> {
    for (let presses = 0; presses <= MAX_LIST_PRESSES; presses += 1) {
      if ((await focusedRow.count()) > 0) {
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`${description} is not in the list (pressed Down ${MAX_LIST_PRESSES} times).`);
  }

  /** Reads the one-based line and column of the cursor from the status bar. */
  async cursorPosition(): Promise<{ line: number; column: number }> {
    const text = (await this.page.locator('.statusbar-item[id="status.editor.selection"]').innerText()).replace(/\u00a0/g, ' ');
    const match = /Ln (\d+), Col (\d+)/.exec(text);
    if (match === null) {
      throw new Error(`The status bar shows no cursor position (got "${text}").`);
    }
    return { line: Number(match[1]), column: Number(match[2]) };
  }

  /** Reads the text of the cursor's line. */
  async currentLineText(): Promise<string> {
    const { line } = await this.cursorPosition();
    const text = await this.editorText();
    return text.split(/\r?\n/)[line - 1] ?? '';
  }

  /** Waits until the cursor's line, without trailing white space, matches `pattern`. */
  async waitForCurrentLine(pattern: RegExp): Promise<string> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const line = (await this.currentLineText()).trimEnd();
      if (pattern.test(line)) {
        return line;
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for the cursor line to match ${String(pattern)}; it is "${line}".`);
      }
      await delay(POLL_INTERVAL_MS);
    }
  }

  /**
   * Waits for a notification whose text matches `text` and returns its text. It looks at the
   * toasts first, then opens the Notification Center, where a toast that closed (or was never
   * shown as a toast) still is.
   */
  async waitForNotification(text: RegExp, timeoutMs = 60_000): Promise<string> {
    const toast = this.page.locator('.notification-toast', { hasText: text }).first();
    const listed = this.page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
    const started = Date.now();
    let centerShown = false;
    for (;;) {
      if (await toast.isVisible()) {
        return toast.innerText();
      }
      if (await listed.isVisible()) {
        const message = await listed.innerText();
        // Escape closes the center, which has the focus once shown. The palette is not used here:
        // opening it can close the center first, and then it no longer offers "Hide Notifications".
        await this.page.keyboard.press('Escape');
        return message;
      }
      if (!centerShown && Date.now() - started > NOTIFICATION_TOAST_WAIT_MS) {
        await this.runCommand('Notifications: Show Notifications');
        centerShown = true;
      }
      if (Date.now() - started > timeoutMs) {
        const seen = await this.page.locator('.notification-list-item-message').allInnerTexts();
        throw new Error(`Timed out after ${timeoutMs} ms waiting for a notification matching ${String(text)}. Notifications: ${seen.join(' | ') || '(none)'}`);
      }
      await delay(POLL_INTERVAL_MS);
    }
  }

  /** Waits for a modal dialog whose text matches `text`, returns its full text, and clicks `button`. */
  async answerDialog(text: RegExp, button: string, timeoutMs = 60_000): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box', { hasText: text }).first();
    await dialog.waitFor({ timeout: timeoutMs });
    const content = await dialog.innerText();
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^${escapeRegExp(button)}$`) }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
    return content;
  }

  /** Locates the status bar item whose id ends with `idSuffix` (ids are `publisher.extension.itemId` in VS Code 1.100). */
  statusBarItem(idSuffix: string): Locator {
    return this.page.locator(`.statusbar-item[id$="${idSuffix}"]`);
  }

  /** Shows the Output view for `channel` and returns its whole text (through the clipboard, as in `editorText`). */
  async outputText(channel: string): Promise<string> {
    await this.runCommand('Output: Show Output Channels...');
    const row = this.quickInput.locator('.monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(channel)}\\s*$`) }) }).first();
    await row.waitFor({ timeout: STEP_TIMEOUT_MS });
    await row.click();
    const editor = this.page.locator('.part.panel .output-view .monaco-editor').first();
    await editor.waitFor({ timeout: STEP_TIMEOUT_MS });
    await editor.locator('textarea').first().focus();
    return this.copyAll();
  }

  private get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  private async openQuickInput(shortcut: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press(shortcut);
    await this.quickInput.locator('input').waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  }
}

export function formatProblems(rows: readonly ProblemRow[]): string {
  if (rows.length === 0) {
    return '  (none)';
  }
  return rows.map((row) => `  ${row.severity} ${row.source}(${row.code}) [Ln ${row.line}, Col ${row.column}] ${row.message}`).join('\n');
}

/** One rendered row of a list or tree, as read in the page. */
interface RawRow {
  index: number;
  level: string | null;
  texts: Record<string, string | null>;
  classes: Record<string, string | null>;
}

/**
 * Reads the rendered rows of a list widget in the page: for each row, the text of the first
 * element that matches each selector of `texts`, and the class names for `classes`.
 *
 * It runs in the browser, so it declares no inner named function: tsx's transform would wrap one
 * in a `__name` helper that does not exist there.
 */
async function readRows(list: Locator, texts: Record<string, string>, classes: Record<string, string> = {}): Promise<RawRow[]> {
  const rows = await list.evaluate(
    (element: DomElement, selectors: { texts: Record<string, string>; classes: Record<string, string> }) =>
      Array.from(element.querySelectorAll('.monaco-list-row')).map((row) => ({
        index: Number(row.getAttribute('data-index')),
        level: row.getAttribute('aria-level'),
        texts: Object.fromEntries(Object.entries(selectors.texts).map(([key, selector]) => [key, row.querySelector(selector)?.textContent ?? null])),
        classes: Object.fromEntries(Object.entries(selectors.classes).map(([key, selector]) => [key, row.querySelector(selector)?.className ?? null])),
      })),
    { texts, classes },
  );
  return rows.sort((a, b) => a.index - b.index);
}

function cleanText(text: string | null | undefined): string {
  return (text ?? '').replace(/\u00a0/g, ' ').trim();
}

/**
 * Reads the rows of the Problems tree under the file node named `fileName`. File rows are at
 * tree level 1. Marker rows, at level 2, show the message, source, code and `[Ln L, Col C]` in
 * separate elements. Related-information rows (level 3) are skipped.
 */
async function readProblemRows(panel: Locator, fileName: string): Promise<ProblemRow[]> {
  const raw = await readRows(
    panel,
    { file: '.label-name', message: '.marker-message', source: '.marker-source', code: '.marker-code', position: '.marker-line' },
    { icon: '.marker-icon' },
  );
  const rows: ProblemRow[] = [];
  let inFile = false;
  for (const row of raw) {
    if (row.level === '1') {
      inFile = cleanText(row.texts.file) === fileName;
      continue;
    }
    if (row.level !== '2' || !inFile) {
      continue;
    }
    const icon = row.classes.icon ?? '';
    const position = /\[Ln (\d+), Col (\d+)\]/.exec(cleanText(row.texts.position));
    rows.push({
      severity: icon.includes('error') ? 'error' : icon.includes('warning') ? 'warning' : 'info',
      message: cleanText(row.texts.message),
      source: cleanText(row.texts.source),
      code: cleanText(row.texts.code),
      line: Number(position?.[1] ?? 0),
      column: Number(position?.[2] ?? 0),
    });
  }
  return rows;
}

export interface SuggestionRow {
  label: string;
  /** The grey text beside the label: the item's detail or `labelDetails.description`. */
  description: string;
}

/** Reads the rows that the suggestion widget renders. */
async function readSuggestionRows(widget: Locator): Promise<SuggestionRow[]> {
  // VS Code shows `labelDetails.description` as the qualifier, or in the details label on the
  // right when the item has no `detail` of its own. So the question text may be in either.
  const raw = await readRows(widget, { label: '.label-name', qualifier: '.qualifier-label', details: '.details-label' });
  return raw.map((row) => ({ label: cleanText(row.texts.label), description: cleanText(row.texts.details) || cleanText(row.texts.qualifier) }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
