/**
 * The CLI's use of the submission record without a running CLI: which entries count as an earlier
 * submission, and the corrupt-lines warning in the cases that `submit.test.ts` cannot produce
 * (no copy made, more lines than are listed).
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CorruptRecordLine, RecordedOutcome, SubmissionEntry } from '../../eca/src/index';
import { describeCorruptRecord as corruptRecordWarning } from '../../eca/src/record';
import { reachedIbkr } from '../../cli/src/submissionRecord';

function entry(outcome: RecordedOutcome): SubmissionEntry {
  return {
    time: '2026-01-02T03:04:05.000Z',
    environment: 'local',
    host: '127.0.0.1:8642',
    requestType: 'SecurityQuestions',
    userName: 'tester1234',
    filePath: '/work/sq.xml',
    sha256: 'a'.repeat(64),
    requestId: null,
    status: null,
    outcome,
  };
}

function corrupt(line: number): CorruptRecordLine {
  return { line, kind: 'invalid-json', message: `line ${line}`, text: '' };
}

describe('submission record in the CLI', () => {
  test('reachedIbkr leaves out unsent attempts', () => {
    assert.equal(reachedIbkr(entry('not-sent')), false);
    assert.equal(reachedIbkr(entry('not-processed')), false);
    for (const outcome of ['processed', 'error', 'pending', 'invalid-response', 'unknown'] as const) {
      assert.equal(reachedIbkr(entry(outcome)), true, outcome);
    }
  });

  test('corrupt warning without a copy', () => {
    const reason = 'A copy of /r.jsonl could not be made beside it (ENOSPC).';
    const warning = corruptRecordWarning('/r.jsonl', { corruptLines: [corrupt(4)], corruptCopy: null, corruptCopyError: reason });
    assert.equal(
      warning,
      `The submission record /r.jsonl has 1 unreadable line: line 4 (invalid-json). They were skipped, so an earlier submission recorded there is not flagged. ${reason}`,
    );
  });

  test('corrupt warning counts extra lines', () => {
    const lines = Array.from({ length: 12 }, (_, index) => corrupt(index + 1));
    const warning = corruptRecordWarning('/r.jsonl', { corruptLines: lines, corruptCopy: '/r.jsonl.corrupt-x', corruptCopyError: null }) ?? '';
    assert.match(warning, /has 12 unreadable lines: line 1 \(invalid-json\), .*line 10 \(invalid-json\) and 2 more\./);
    assert.doesNotMatch(warning, /line 11 /);
    assert.ok(warning.endsWith('A copy of the file as it was is kept at /r.jsonl.corrupt-x.'), warning);
  });

  test('no warning without corrupt lines', () => {
    assert.equal(corruptRecordWarning('/r.jsonl', { corruptLines: [], corruptCopy: null, corruptCopyError: null }), undefined);
  });
});
