/**
 * Child process of the record crash test: appends batches of entries to a submission record in a
 * loop until it is killed. Usage: append-loop.ts RECORD_FILE WRITER BATCH_SIZE [MAX_BATCHES].
 * After each append has returned (written and flushed) it prints the batch number on stdout.
 * Node writes to a pipe synchronously on Linux ("A note on process I/O" in its process docs), so
 * the parent sees every batch that must survive a kill.
 */

import { appendSubmissions, type SubmissionEntry } from '../../../eca/src/index';

async function main(): Promise<void> {
  const [recordFile, writer, batchText, maxText] = process.argv.slice(2);
  const batchSize = Number(batchText);
  const maxBatches = maxText === undefined ? Number.POSITIVE_INFINITY : Number(maxText);
  if (recordFile === undefined || writer === undefined || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error('usage: append-loop.ts RECORD_FILE WRITER BATCH_SIZE [MAX_BATCHES]');
  }

  for (let batch = 1; batch <= maxBatches; batch++) {
    const entries = Array.from(
      { length: batchSize },
      (_, index): SubmissionEntry => ({
        time: new Date().toISOString(),
        environment: 'local',
        host: '127.0.0.1:8642',
        requestType: 'SecurityQuestions',
        userName: `${writer}.user${index}`,
        filePath: `/requests/${writer}/batch-${batch}.xml`,
        sha256: 'c'.repeat(64),
        requestId: `${writer}:${batch}:${index}`,
        status: 'PROCESSED',
        outcome: 'processed',
      }),
    );
    await appendSubmissions(recordFile, entries);
    process.stdout.write(`${batch}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
