import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, DiagnosticCodes } from '../../server/src/check/codes';
import type { Logger } from './log';
import { errorMessage } from './log';
import {
  answersInGitMessage,
  findAnswers,
  findGitExposure,
  gitignoreAppendText,
  gitignorePatternFor,
  matchesRequestFileGlobs,
  removeFromIndex,
  REQUEST_FILE_PATTERN,
} from './logic/gitExposure';

const ADD_TO_GITIGNORE_COMMAND = 'ibkr.git.addToGitignore';
const REMOVE_FROM_INDEX_COMMAND = 'ibkr.git.removeFromIndex';
const WARN_SETTING = 'git.warnWhenAnswersNotIgnored';

/** What git reported for a file that got the warning, kept for its quick fixes. */
interface Exposure {
  kind: 'tracked' | 'not-ignored';
  root: string;
  relativePath: string;
}

/**
 * The `answers-in-git` warning: an open request file with answers that git tracks, or that sits
 * in a work tree without being ignored. It is checked on open, on save, when a `.gitignore`
 * changes and when the setting changes. Git runs only in trusted workspaces, because a
 * repository's configuration can name programs that git starts.
 */
export class GitExposureWarnings implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly collection = vscode.languages.createDiagnosticCollection('ibkr-git');
  private readonly exposures = new Map<string, Exposure>();
  /** Per document, the number of the latest check, so that a slower earlier git run cannot overwrite it. */
  private readonly checkNumbers = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private loggedGitFailure = false;

  constructor(private readonly logger: Logger) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.gitignore');
    this.subscriptions.push(
      watcher,
      watcher.onDidChange(() => this.checkAll()),
      watcher.onDidCreate(() => this.checkAll()),
      watcher.onDidDelete(() => this.checkAll()),
      vscode.languages.registerCodeActionsProvider({ scheme: 'file', language: 'xml' }, this, {
        providedCodeActionKinds: GitExposureWarnings.providedCodeActionKinds,
      }),
      vscode.workspace.onDidOpenTextDocument((document) => void this.check(document)),
      vscode.workspace.onDidSaveTextDocument((document) => void this.check(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.checkAll()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`ibkr.${WARN_SETTING}`) || event.affectsConfiguration('ibkr.requestFiles')) {
          this.checkAll();
        }
      }),
      vscode.commands.registerCommand(ADD_TO_GITIGNORE_COMMAND, (uri: vscode.Uri, pattern: string) => this.addToGitignore(uri, pattern)),
      vscode.commands.registerCommand(REMOVE_FROM_INDEX_COMMAND, (uri: vscode.Uri) => this.removeFromIndex(uri)),
    );
    this.checkAll();
  }

  checkAll(): void {
    for (const document of vscode.workspace.textDocuments) {
      void this.check(document);
    }
  }

  private forget(uri: vscode.Uri): void {
    this.collection.delete(uri);
    this.exposures.delete(uri.toString());
    this.checkNumbers.delete(uri.toString());
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    if (document.uri.scheme !== 'file' || document.languageId !== 'xml') {
      return;
    }
    const key = document.uri.toString();
    const checkNumber = (this.checkNumbers.get(key) ?? 0) + 1;
    this.checkNumbers.set(key, checkNumber);

    const configuration = vscode.workspace.getConfiguration('ibkr', document.uri);
    const answers = findAnswers(document.getText());
    const isRequestFile =
      answers !== undefined &&
      (answers.hasRequestRoot ||
        matchesRequestFileGlobs(
          document.uri.fsPath,
          configuration.get<string[]>('requestFiles', ['**/*.ibkr.xml']),
          (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
        ));
    if (!configuration.get<boolean>(WARN_SETTING, true) || !vscode.workspace.isTrusted || !isRequestFile || answers.count === 0) {
      this.clear(document.uri);
      return;
    }

    const exposure = await findGitExposure(document.uri.fsPath);
    if (this.checkNumbers.get(key) !== checkNumber) {
      return;
    }
    if (exposure.kind === 'failed' && !this.loggedGitFailure) {
      // Logged once: the same failure (a broken git, a dubious-ownership repository) would repeat on every save.
      this.loggedGitFailure = true;
      this.logger.warn(`Checking with git whether ${document.uri.fsPath} is ignored failed, so it gets no answers-in-git warning: ${exposure.message}`);
    }
    if (exposure.kind !== 'tracked' && exposure.kind !== 'not-ignored') {
      this.clear(document.uri);
      return;
    }

    this.exposures.set(key, exposure);
    const range = new vscode.Range(document.positionAt(answers.rootStartTag.start), document.positionAt(answers.rootStartTag.end));
    const diagnostic = new vscode.Diagnostic(range, answersInGitMessage(exposure.kind), vscode.DiagnosticSeverity.Warning);
    diagnostic.source = DIAGNOSTIC_SOURCE;
    diagnostic.code = DiagnosticCodes.answersInGit;
    this.collection.set(document.uri, [diagnostic]);
  }

  private clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
    this.exposures.delete(uri.toString());
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diagnostics = context.diagnostics.filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE && diagnostic.code === DiagnosticCodes.answersInGit);
    const exposure = this.exposures.get(document.uri.toString());
    if (diagnostics.length === 0 || exposure === undefined) {
      return [];
    }

    const actions: vscode.CodeAction[] = [];
    const pattern = gitignorePatternFor(exposure.relativePath);
    const afterIgnore = exposure.kind === 'tracked' ? ', then run git rm --cached' : '';
    if (pattern !== undefined) {
      const action = new vscode.CodeAction(`Add ${pattern} to .gitignore${afterIgnore}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = diagnostics;
      action.isPreferred = true;
      action.command = { title: action.title, command: ADD_TO_GITIGNORE_COMMAND, arguments: [document.uri, pattern] };
      actions.push(action);
    }
    // The pattern fixes this warning only for a file whose name it matches.
    if (document.uri.fsPath.endsWith(REQUEST_FILE_PATTERN.slice(1))) {
      const action = new vscode.CodeAction(`Add pattern ${REQUEST_FILE_PATTERN} to .gitignore${afterIgnore}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = diagnostics;
      action.command = { title: action.title, command: ADD_TO_GITIGNORE_COMMAND, arguments: [document.uri, REQUEST_FILE_PATTERN] };
      actions.push(action);
    }
    if (exposure.kind === 'tracked') {
      const action = new vscode.CodeAction(`Remove ${exposure.relativePath} from the git index (git rm --cached)…`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = diagnostics;
      action.command = { title: action.title, command: REMOVE_FROM_INDEX_COMMAND, arguments: [document.uri] };
      actions.push(action);
    }
    return actions;
  }

  /** Appends `pattern` to the `.gitignore` at the work tree root with a WorkspaceEdit, saves it and checks again. */
  private async addToGitignore(uri: vscode.Uri, pattern: string): Promise<void> {
    const exposure = this.exposures.get(uri.toString());
    if (exposure === undefined) {
      return;
    }
    const gitignore = vscode.Uri.joinPath(vscode.Uri.file(exposure.root), '.gitignore');
    try {
      const existing = await readIfExists(gitignore);
      const append = gitignoreAppendText(existing, pattern);
      if (append !== undefined) {
        const edit = new vscode.WorkspaceEdit();
        if (existing === undefined) {
          edit.createFile(gitignore, { ignoreIfExists: true });
          edit.insert(gitignore, new vscode.Position(0, 0), append);
        } else {
          const document = await vscode.workspace.openTextDocument(gitignore);
          edit.insert(gitignore, document.positionAt(document.getText().length), append);
        }
        if (!(await vscode.workspace.applyEdit(edit))) {
          throw new Error('VS Code did not apply the edit');
        }
        // git reads the file on disk, so the edit counts only once it is saved.
        await (await vscode.workspace.openTextDocument(gitignore)).save();
      }
    } catch (error) {
      this.logger.error(`Adding ${pattern} to ${gitignore.fsPath} failed: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(`IBKR: could not add ${pattern} to ${gitignore.fsPath}: ${errorMessage(error)}`);
      return;
    }
    this.logger.info(`Added ${pattern} to ${gitignore.fsPath}.`);
    this.checkAll();

    if (exposure.kind === 'tracked') {
      const remove = 'Remove from Index…';
      const choice = await vscode.window.showWarningMessage(
        `${exposure.relativePath} is in .gitignore now, but git still tracks it: run git rm --cached -- ${exposure.relativePath} to stop tracking it.`,
        remove,
      );
      if (choice === remove) {
        await this.removeFromIndex(uri);
      }
    }
  }

  /** Runs `git rm --cached` for the file after a modal confirmation, then checks again. */
  private async removeFromIndex(uri: vscode.Uri): Promise<void> {
    const exposure = this.exposures.get(uri.toString());
    if (exposure === undefined || exposure.kind !== 'tracked') {
      return;
    }
    const confirm = 'Remove from Index';
    const choice = await vscode.window.showWarningMessage(
      `Run "git rm --cached -- ${exposure.relativePath}" in ${exposure.root}?`,
      {
        modal: true,
        detail:
          'The file stays on disk, but the next commit deletes it from the repository. Its answers stay in the earlier commits and in every clone: change them if the repository was ever pushed.',
      },
      confirm,
    );
    if (choice !== confirm) {
      return;
    }
    const result = await removeFromIndex(exposure.root, exposure.relativePath);
    if (!result.ok) {
      this.logger.error(`git rm --cached ${exposure.relativePath} in ${exposure.root} failed: ${result.message}`);
      void vscode.window.showErrorMessage(`IBKR: ${result.message}`);
      return;
    }
    this.logger.info(`Removed ${exposure.relativePath} from the git index in ${exposure.root}.`);
    this.checkAll();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.collection.dispose();
  }
}

/** Returns the text of `uri`, from an open editor when there is one, or undefined when the file does not exist. */
async function readIfExists(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open !== undefined) {
    return open.getText();
  }
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') {
      return undefined;
    }
    throw error;
  }
}
