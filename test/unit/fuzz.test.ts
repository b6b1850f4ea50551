/**
 * Short fixed-seed fuzz run of the checking library and the feature functions. The long run
 * is `npm run fuzz` (scripts/fuzz.mjs), which uses the same mutations and invariants.
 */

import { describe, test } from 'node:test';

import fc from 'fast-check';

import { compareIncrementalWithFull, defaultTimeLimitMs, exerciseInput, loadFuzzCatalog, loadSeedDocuments } from '../fuzz/exercise';
import { describeInput, editSequenceArbitrary, fuzzInputArbitrary, SHORT_RUN_LIMITS } from '../fuzz/mutations';

const SEED = 20_261_204;
const seeds = loadSeedDocuments();
const catalog = loadFuzzCatalog();

void describe('fuzz', () => {
  void test('truncation at every offset', (t) => {
    // Each prefix is a request file as it looks while it is typed, or cut off by a failed save.
    let inputs = 0;
    for (const seed of seeds) {
      for (let end = 0; end <= seed.text.length; end++) {
        const text = seed.text.slice(0, end);
        try {
          exerciseInput(text, { catalog, matchedByGlob: end % 2 === 0, offsets: [end, end >> 1], timeLimitMs: defaultTimeLimitMs(text.length) });
        } catch (error) {
          throw new Error(`${seed.name} cut at ${end}: ${String(error)}`);
        }
        inputs++;
      }
    }
    t.diagnostic(`${inputs} truncated inputs from ${seeds.length} seed documents`);
  });

  void test('seeded mutations of request files', (t) => {
    let inputs = 0;
    let slowest = 0;
    const property = fc.property(fuzzInputArbitrary(seeds, SHORT_RUN_LIMITS), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), fc.boolean(), (input, randomOffsets, withCatalog, matchedByGlob) => {
      inputs++;
      try {
        const report = exerciseInput(input.text, {
          catalog: withCatalog ? catalog : undefined,
          matchedByGlob,
          offsets: [...input.mutationOffsets, ...randomOffsets.map((offset) => offset % (input.text.length + 1))],
          timeLimitMs: defaultTimeLimitMs(input.text.length),
        });
        slowest = Math.max(slowest, report.milliseconds);
      } catch (error) {
        throw new Error(`${describeInput(input)}: ${String(error)}`);
      }
    });
    fc.assert(property, { seed: SEED, numRuns: 500 });
    t.diagnostic(`${inputs} mutated inputs with seed ${SEED}, slowest ${slowest.toFixed(0)} ms`);
  });

  void test('incremental check equals a full check', (t) => {
    let versions = 0;
    const property = fc.property(editSequenceArbitrary(seeds, SHORT_RUN_LIMITS, 12), fc.boolean(), (sequence, matchedByGlob) => {
      versions += sequence.versions.length;
      try {
        compareIncrementalWithFull(sequence.versions, { catalog, matchedByGlob });
      } catch (error) {
        throw new Error(`${sequence.seedName} with [${sequence.mutations.map((mutation) => JSON.stringify(mutation)).join(', ')}]: ${String(error)}`);
      }
    });
    fc.assert(property, { seed: SEED, numRuns: 200 });
    t.diagnostic(`${versions} document versions checked incrementally and in full, seed ${SEED}`);
  });
});
