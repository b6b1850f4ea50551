/**
 * The vscode-free half of the answers-in-git warning, against real repositories made with
 * `git init` in temporary folders. Every `.gitignore` line is also checked with git itself.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  answersInGitMessage,
  findAnswers,
  findGitExposure,
  gitignoreAppendText,
  gitignorePatternFor,
  matchesRequestFileGlobs,
  removeFromIndex,
} from '../../client/src/logic/gitExposure';

const REQUEST = `<?xml version="1.0" encoding="UTF-8"?>
<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">
  <SecurityQuestions reference_user_name="user1">
    <Details question="9161083" answer="Alpha"/>
    <Details question="6688721" answer="  "/>
    <Details question="9161123" answer=""/>
  </SecurityQuestions>
</AcctMgmtRequests>
`;

/** Git with an identity and no user or system configuration, so the machine's settings cannot change the results. */
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: os.devNull,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

let base = '';
let repository = '';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });
}

function writeFile(relativePath: string, text = REQUEST, root = repository): string {
  const file = path.join(root, relativePath);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** Tells whether git ignores `relativePath` in the test repository (exit 0 of check-ignore). */
function gitIgnores(relativePath: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', '--no-index', '--', relativePath], { cwd: repository, env: GIT_ENV });
    return true;
  } catch {
    return false;
  }
}

before(() => {
  // realpath, because git reports the work tree root with symbolic links resolved (macOS /var is one).
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'ibkr-git-exposure-')));
  repository = path.join(base, 'repository');
  mkdirSync(repository);
  git(repository, 'init', '--quiet');
});

after(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('findGitExposure', () => {
  test('tracked file', async () => {
    const file = writeFile('tracked/answers.ibkr.xml');
    git(repository, 'add', '--', 'tracked/answers.ibkr.xml');
    const exposure = await findGitExposure(file, { env: GIT_ENV });
    assert.deepEqual(exposure, { kind: 'tracked', root: repository, relativePath: 'tracked/answers.ibkr.xml' });
  });

  test('tracked file stays tracked when ignored', async () => {
    const file = writeFile('tracked-ignored/answers.ibkr.xml');
    git(repository, 'add', '--', 'tracked-ignored/answers.ibkr.xml');
    writeFile('tracked-ignored/.gitignore', '*.ibkr.xml\n');
    const exposure = await findGitExposure(file, { env: GIT_ENV });
    assert.equal(exposure.kind, 'tracked');
  });

  test('untracked file not ignored', async () => {
    const file = writeFile('loose/answers.ibkr.xml');
    const exposure = await findGitExposure(file, { env: GIT_ENV });
    assert.deepEqual(exposure, { kind: 'not-ignored', root: repository, relativePath: 'loose/answers.ibkr.xml' });
  });

  test('untracked file at the root', async () => {
    const file = writeFile('root answers.xml');
    const exposure = await findGitExposure(file, { env: GIT_ENV });
    assert.deepEqual(exposure, { kind: 'not-ignored', root: repository, relativePath: 'root answers.xml' });
  });

  test('name with glob characters is literal', async () => {
    // With pathspec magic, "[ab].xml" would match a tracked "a.xml" and read as tracked.
    writeFile('glob/a.xml');
    git(repository, 'add', '--', 'glob/a.xml');
    const file = writeFile('glob/[ab].xml');
    const exposure = await findGitExposure(file, { env: GIT_ENV });
    assert.equal(exposure.kind, 'not-ignored');
  });

  test('ignored file', async () => {
    writeFile('ignored/.gitignore', '*.ibkr.xml\n');
    const file = writeFile('ignored/answers.ibkr.xml');
    const exposure = await findGitExposure(file, { env: GIT_ENV });
    assert.deepEqual(exposure, { kind: 'ignored' });
  });

  test('folder outside any repository', async () => {
    const file = writeFile('outside/answers.ibkr.xml', REQUEST, base);
    const exposure = await findGitExposure(file, { env: { ...GIT_ENV, GIT_CEILING_DIRECTORIES: base } });
    assert.deepEqual(exposure, { kind: 'outside-work-tree' });
  });

  test('file inside the .git folder', async () => {
    const exposure = await findGitExposure(path.join(repository, '.git', 'description'), { env: GIT_ENV });
    assert.deepEqual(exposure, { kind: 'outside-work-tree' });
  });

  test('git missing from the PATH', async () => {
    const file = writeFile('missing/answers.ibkr.xml');
    const exposure = await findGitExposure(file, { env: { ...GIT_ENV, PATH: path.join(base, 'no-such-folder') } });
    assert.deepEqual(exposure, { kind: 'git-missing' });
  });

  test('missing folder is a failure', async () => {
    const exposure = await findGitExposure(path.join(repository, 'no-such-folder', 'a.ibkr.xml'), { env: GIT_ENV });
    assert.equal(exposure.kind, 'failed');
    assert.match(exposure.kind === 'failed' ? exposure.message : '', /no-such-folder/);
  });

  test('git error is a failure', async () => {
    // A git that exits 2 simulates a broken installation or repository.
    const fakeGit = path.join(base, 'broken-git');
    writeFileSync(fakeGit, '#!/bin/sh\necho "fatal: simulated failure" >&2\nexit 2\n', { mode: 0o755 });
    const file = writeFile('broken/answers.ibkr.xml');
    const exposure = await findGitExposure(file, { env: GIT_ENV, gitPath: fakeGit });
    assert.equal(exposure.kind, 'failed');
    assert.match(exposure.kind === 'failed' ? exposure.message : '', /rev-parse exited with 2: fatal: simulated failure/);
  });

  test('slow git times out', async () => {
    const slowGit = path.join(base, 'slow-git');
    writeFileSync(slowGit, '#!/bin/sh\nexec sleep 10\n', { mode: 0o755 });
    const file = writeFile('slow/answers.ibkr.xml');
    const started = Date.now();
    const exposure = await findGitExposure(file, { env: GIT_ENV, gitPath: slowGit, timeoutMs: 200 });
    assert.equal(exposure.kind, 'failed');
    assert.match(exposure.kind === 'failed' ? exposure.message : '', /timed out after 200 ms/);
    assert.ok(Date.now() - started < 5000, 'the timeout ended git well before it finished');
  });

  test('nested repository is its own root', async () => {
    const nested = path.join(repository, 'nested');
    mkdirSync(nested);
    git(nested, 'init', '--quiet');
    const file = writeFile('nested/sub/answers.ibkr.xml');
    const exposure = await findGitExposure(file, { env: GIT_ENV });
    assert.deepEqual(exposure, { kind: 'not-ignored', root: nested, relativePath: 'sub/answers.ibkr.xml' });
  });
});

describe('removeFromIndex', () => {
  test('untracks and keeps the file', async () => {
    const file = writeFile('remove/answers.ibkr.xml');
    git(repository, 'add', '--', 'remove/answers.ibkr.xml');
    assert.equal((await findGitExposure(file, { env: GIT_ENV })).kind, 'tracked');

    const result = await removeFromIndex(repository, 'remove/answers.ibkr.xml', { env: GIT_ENV });
    assert.deepEqual(result, { ok: true });
    assert.equal((await findGitExposure(file, { env: GIT_ENV })).kind, 'not-ignored');
  });

  test('untracked file reports git error', async () => {
    writeFile('remove/untracked.ibkr.xml');
    const result = await removeFromIndex(repository, 'remove/untracked.ibkr.xml', { env: GIT_ENV });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.message, /did not match any files/);
  });
});

describe('gitignorePatternFor', () => {
  const cases: [string, string][] = [
    ['plain/answers.ibkr.xml', '/plain/answers.ibkr.xml'],
    ['#hash.ibkr.xml', '/#hash.ibkr.xml'],
    ['!bang.ibkr.xml', '/!bang.ibkr.xml'],
    ['with space/my answers.xml', '/with space/my answers.xml'],
    ['trailing space.xml  ', '/trailing space.xml\\ \\ '],
    ['brackets/[draft].xml', '/brackets/\\[draft\\].xml'],
    ['glob/star*question?.xml', '/glob/star\\*question\\?.xml'],
    ['back\\slash.xml', '/back\\\\slash.xml'],
  ];

  for (const [relativePath, expected] of cases) {
    test(`escapes ${JSON.stringify(relativePath)}`, () => {
      assert.equal(gitignorePatternFor(relativePath), expected);
    });
  }

  test('git ignores exactly the escaped paths', () => {
    const patterns = cases.map(([relativePath]) => gitignorePatternFor(relativePath) ?? '');
    const project = path.join(base, 'escaping');
    mkdirSync(project);
    git(project, 'init', '--quiet');
    writeFileSync(path.join(project, '.gitignore'), `${patterns.join('\n')}\n`);
    const previous = repository;
    repository = project;
    try {
      for (const [relativePath] of cases) {
        assert.ok(gitIgnores(relativePath), `git does not ignore ${JSON.stringify(relativePath)}`);
      }
      // Near misses that an unescaped pattern would have matched.
      for (const other of ['brackets/d.xml', 'glob/starXquestionY.xml', 'trailing space.xml', 'sub/plain/answers.ibkr.xml', 'hash.ibkr.xml']) {
        assert.ok(!gitIgnores(other), `git ignores ${JSON.stringify(other)} too`);
      }
    } finally {
      repository = previous;
    }
  });

  test('line break has no pattern', () => {
    assert.equal(gitignorePatternFor('a\nb.xml'), undefined);
    assert.equal(gitignorePatternFor('a\rb.xml'), undefined);
    assert.equal(gitignorePatternFor(''), undefined);
  });
});

describe('gitignoreAppendText', () => {
  test('missing file gets the line', () => {
    assert.equal(gitignoreAppendText(undefined, '/a.xml'), '/a.xml\n');
  });

  test('empty file gets the line', () => {
    assert.equal(gitignoreAppendText('', '/a.xml'), '/a.xml\n');
  });

  test('file ending in newline', () => {
    assert.equal(gitignoreAppendText('node_modules/\n', '/a.xml'), '/a.xml\n');
  });

  test('file without final newline', () => {
    assert.equal(gitignoreAppendText('node_modules/', '/a.xml'), '\n/a.xml\n');
  });

  test('CRLF file keeps CRLF', () => {
    assert.equal(gitignoreAppendText('node_modules/\r\ndist/', '/a.xml'), '\r\n/a.xml\r\n');
    assert.equal(gitignoreAppendText('node_modules/\r\n', '/a.xml'), '/a.xml\r\n');
  });

  test('existing line is not repeated', () => {
    assert.equal(gitignoreAppendText('dist/\n/a.xml\n', '/a.xml'), undefined);
    assert.equal(gitignoreAppendText('dist/\r\n/a.xml', '/a.xml'), undefined);
  });

  test('similar line is not a match', () => {
    assert.equal(gitignoreAppendText('/a.xml.bak\n', '/a.xml'), '/a.xml\n');
  });
});

describe('findAnswers', () => {
  test('counts non-empty answers only', () => {
    const found = findAnswers(REQUEST);
    assert.equal(found?.count, 1);
    assert.equal(found?.hasRequestRoot, true);
    const start = REQUEST.indexOf('<AcctMgmtRequests');
    assert.deepEqual(found?.rootStartTag, { start, end: REQUEST.indexOf('>', start) + 1 });
  });

  test('no answers', () => {
    assert.equal(findAnswers(REQUEST.replace('answer="Alpha"', 'answer=""'))?.count, 0);
  });

  test('prefixed answer is another attribute', () => {
    const text = REQUEST.replace('answer="Alpha"', 'x:answer="Alpha" xmlns:x="urn:x"');
    assert.equal(findAnswers(text)?.count, 0);
  });

  test('other root is not a request root', () => {
    const found = findAnswers('<Other><Details answer="Alpha"/></Other>');
    assert.equal(found?.count, 1);
    assert.equal(found?.hasRequestRoot, false);
  });

  test('SecurityQuestions root without wrapper', () => {
    assert.equal(findAnswers('<SecurityQuestions><Details question="1" answer="x"/></SecurityQuestions>')?.hasRequestRoot, true);
  });

  test('text without root', () => {
    assert.equal(findAnswers('not xml at all'), undefined);
  });
});

describe('matchesRequestFileGlobs', () => {
  test('default pattern matches the file name', () => {
    assert.ok(matchesRequestFileGlobs('/w/deep/a.ibkr.xml', ['**/*.ibkr.xml'], []));
    assert.ok(matchesRequestFileGlobs('/w/deep/a.ibkr.xml', ['*.ibkr.xml'], []));
    assert.ok(!matchesRequestFileGlobs('/w/deep/a.xml', ['**/*.ibkr.xml'], []));
  });

  test('pattern relative to a folder', () => {
    assert.ok(matchesRequestFileGlobs('/w/requests/a.xml', ['requests/*.xml'], ['/w']));
    assert.ok(!matchesRequestFileGlobs('/w/other/a.xml', ['requests/*.xml'], ['/w']));
  });

  test('no patterns', () => {
    assert.ok(!matchesRequestFileGlobs('/w/a.ibkr.xml', [], ['/w']));
  });
});

describe('answersInGitMessage', () => {
  test('tracked says remove and ignore', () => {
    assert.match(answersInGitMessage('tracked'), /tracked by git: remove it from the index \(git rm --cached\) and add it to \.gitignore\.$/);
  });

  test('not ignored says ignore', () => {
    assert.match(answersInGitMessage('not-ignored'), /not ignored by git.*: add it to \.gitignore\.$/);
  });
});
