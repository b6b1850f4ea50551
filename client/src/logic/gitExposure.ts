/**
 * Whether git could commit a request file that contains security answers, and the `.gitignore`
 * line that keeps it out. No `vscode` import, so that tests run it against real repositories.
 */

import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { parseDocument } from '../../../server/src/check/parser';
import type { ElementNode, Span } from '../../../server/src/check/model';
import { DETAILS_ELEMENT, findAttribute, SECURITY_QUESTIONS, WRAPPER_ELEMENT } from '../../../server/src/check/requests';

/** The pattern that the second quick fix adds: every request file named by the default `ibkr.requestFiles` glob. */
export const REQUEST_FILE_PATTERN = '*.ibkr.xml';

export const DEFAULT_GIT_TIMEOUT_MS = 5000;

export type GitExposure =
  /** `git ls-files --error-unmatch` lists the file: it is in the index, so the next commit includes it. */
  | { kind: 'tracked'; root: string; relativePath: string }
  /** Untracked, inside a work tree, and `git check-ignore` does not match it: `git add .` would pick it up. */
  | { kind: 'not-ignored'; root: string; relativePath: string }
  | { kind: 'ignored' }
  /** The folder is not in a git work tree (no repository, or inside a `.git` folder). */
  | { kind: 'outside-work-tree' }
  /** No `git` executable on the PATH. */
  | { kind: 'git-missing' }
  /** Git ran but failed or timed out; `message` names the command and git's error output. */
  | { kind: 'failed'; message: string };

export interface GitOptions {
  /** The git executable; `git` from the PATH by default. */
  gitPath?: string;
  /** Environment of the git processes; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

class GitNotFound extends Error {}

/**
 * Runs git without a shell in `cwd`. Resolves with the exit code for any exit, rejects with
 * `GitNotFound` when the executable is missing and with an `Error` on a timeout or spawn failure.
 */
function runGit(args: readonly string[], cwd: string, options: GitOptions): Promise<GitResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  // LC_ALL=C keeps git's messages in English, which `isOutsideWorkTree` matches.
  // core.fsmonitor=false stops a repository's configuration from starting a hook program.
  const env = { ...(options.env ?? process.env), LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' };
  const fullArgs = ['-c', 'core.fsmonitor=false', ...args];
  return new Promise((resolve, reject) => {
    execFile(options.gitPath ?? 'git', fullArgs, { cwd, env, timeout: timeoutMs, windowsHide: true, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ exitCode: 0, stdout, stderr });
        return;
      }
      const code = (error as NodeJS.ErrnoException).code as unknown;
      if (code === 'ENOENT') {
        reject(new GitNotFound(`git was not found (${options.gitPath ?? 'git'} on the PATH)`));
      } else if (error.killed) {
        reject(new Error(`git ${args.join(' ')} timed out after ${timeoutMs} ms in ${cwd}`));
      } else if (typeof code === 'number') {
        resolve({ exitCode: code, stdout, stderr });
      } else {
        reject(new Error(`git ${args.join(' ')} failed to start in ${cwd}: ${error.message}`));
      }
    });
  });
}

function failure(args: string, result: GitResult): GitExposure {
  return { kind: 'failed', message: `git ${args} exited with ${result.exitCode}: ${result.stderr.trim() || 'no error output'}` };
}

/** Tells "not in a work tree", which is no problem, from other fatal errors of `git rev-parse`. */
function isOutsideWorkTree(stderr: string): boolean {
  return /not a git repository|must be run in a work tree/i.test(stderr);
}

/**
 * Asks git whether the file at `filePath` is tracked, or untracked and not ignored. Git runs in
 * the file's folder, so a nested repository or a submodule reports on its own files.
 */
export async function findGitExposure(filePath: string, options: GitOptions = {}): Promise<GitExposure> {
  const folder = path.dirname(filePath);
  const name = path.basename(filePath);
  try {
    // A missing cwd makes execFile fail with ENOENT too, which would read as "git not found".
    if (!(await stat(folder)).isDirectory()) {
      return { kind: 'failed', message: `${folder} is not a folder` };
    }
  } catch (error) {
    return { kind: 'failed', message: `the folder ${folder} cannot be read: ${(error as Error).message}` };
  }

  try {
    const revParse = await runGit(['rev-parse', '--show-toplevel', '--show-prefix'], folder, options);
    if (revParse.exitCode !== 0) {
      return isOutsideWorkTree(revParse.stderr) ? { kind: 'outside-work-tree' } : failure('rev-parse', revParse);
    }
    const [root = '', prefix = ''] = revParse.stdout.split('\n');
    // --show-prefix is the folder relative to the work tree root, with a trailing slash, or empty.
    const relativePath = `${prefix}${name}`;

    // --literal-pathspecs, so that a name such as `[ab].xml` is not a pattern that matches `a.xml`.
    const listed = await runGit(['--literal-pathspecs', 'ls-files', '--error-unmatch', '--', name], folder, options);
    if (listed.exitCode === 0) {
      return { kind: 'tracked', root, relativePath };
    }
    if (listed.exitCode !== 1) {
      return failure('ls-files', listed);
    }

    // check-ignore takes path names, not pathspecs, and rejects --literal-pathspecs.
    const ignored = await runGit(['check-ignore', '-q', '--', name], folder, options);
    if (ignored.exitCode === 0) {
      return { kind: 'ignored' };
    }
    if (ignored.exitCode === 1) {
      return { kind: 'not-ignored', root, relativePath };
    }
    return failure('check-ignore', ignored);
  } catch (error) {
    if (error instanceof GitNotFound) {
      return { kind: 'git-missing' };
    }
    return { kind: 'failed', message: (error as Error).message };
  }
}

/** Runs `git rm --cached` for one file, which keeps it on disk. Resolves with git's error output on failure. */
export async function removeFromIndex(root: string, relativePath: string, options: GitOptions = {}): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    const result = await runGit(['--literal-pathspecs', 'rm', '--cached', '--quiet', '--', relativePath], root, options);
    if (result.exitCode === 0) {
      return { ok: true };
    }
    return { ok: false, message: `git rm --cached exited with ${result.exitCode}: ${result.stderr.trim() || 'no error output'}` };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

export function answersInGitMessage(kind: 'tracked' | 'not-ignored'): string {
  if (kind === 'tracked') {
    return 'This file contains security answers and is tracked by git: remove it from the index (git rm --cached) and add it to .gitignore.';
  }
  return 'This file contains security answers and is not ignored by git, so a commit can include it: add it to .gitignore.';
}

export interface AnswersFound {
  /** Number of `Details` elements with a non-empty `answer` attribute. */
  count: number;
  /** Start tag of the root element, where the warning goes. */
  rootStartTag: Span;
  /** True when the root element is `AcctMgmtRequests` or `SecurityQuestions`, in any namespace. */
  hasRequestRoot: boolean;
}

/** Counts the non-empty answers of a document; undefined when it has no root element. */
export function findAnswers(text: string): AnswersFound | undefined {
  const root = parseDocument(text).root;
  if (root === undefined) {
    return undefined;
  }
  let count = 0;
  const visit = (element: ElementNode): void => {
    if (element.localName === DETAILS_ELEMENT && (findAttribute(element, 'answer')?.value.trim() ?? '') !== '') {
      count += 1;
    }
    for (const child of element.children) {
      if (child.kind === 'element') {
        visit(child);
      }
    }
  };
  visit(root);
  const hasRequestRoot = root.localName === WRAPPER_ELEMENT || root.localName === SECURITY_QUESTIONS;
  return { count, rootStartTag: root.startTagSpan, hasRequestRoot };
}

/**
 * Returns the `.gitignore` line that matches exactly `relativePath` (relative to the work tree
 * root, `/`-separated), or undefined for a path with a line break, which no pattern can express.
 * The leading `/` anchors the pattern at the root, and also keeps a leading `#` (comment) or
 * `!` (negation) in the name literal. A backslash escapes the glob characters `*`, `?`, `[`,
 * `]` and `\`, and each trailing space, which git would trim otherwise.
 */
export function gitignorePatternFor(relativePath: string): string | undefined {
  if (/[\r\n]/.test(relativePath) || relativePath === '') {
    return undefined;
  }
  const escaped = relativePath.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
  const trailingSpaces = /( +)$/.exec(escaped)?.[1]?.length ?? 0;
  const body = trailingSpaces === 0 ? escaped : `${escaped.slice(0, -trailingSpaces)}${'\\ '.repeat(trailingSpaces)}`;
  return `/${body}`;
}

/**
 * Returns the text to append to a `.gitignore` (undefined or its current text) so that it ends
 * with the line `pattern`, or undefined when that line is already there. The text keeps the
 * file's CRLF line endings when it has them and starts on a new line.
 */
export function gitignoreAppendText(existing: string | undefined, pattern: string): string | undefined {
  const text = existing ?? '';
  const lines = text.split(/\r?\n/);
  if (lines.includes(pattern)) {
    return undefined;
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text === '' || text.endsWith('\n') ? '' : eol;
  return `${separator}${pattern}${eol}`;
}

/**
 * Tells whether `filePath` matches one of the `ibkr.requestFiles` globs, tried on the absolute
 * path and on the path relative to each folder in `folderPaths` that contains it, as the
 * language server does. A pattern without a slash matches the file name alone.
 */
export function matchesRequestFileGlobs(filePath: string, patterns: readonly string[], folderPaths: readonly string[]): boolean {
  const toSlashes = (value: string): string => value.replace(/\\/g, '/');
  const candidates = [toSlashes(filePath)];
  for (const folder of folderPaths) {
    const relative = path.relative(folder, filePath);
    if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) {
      candidates.push(toSlashes(relative));
    }
  }
  const options = { dot: true, matchBase: true, nocase: process.platform === 'win32' };
  return patterns.some((pattern) => candidates.some((candidate) => minimatch(candidate, toSlashes(pattern), options)));
}
