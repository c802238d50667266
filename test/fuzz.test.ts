import { describe, expect, it } from 'vitest';
import { hasCorpus } from './corpus.js';
import { fuzz, NEEDLES, plantedBaseline } from './fuzz.js';

// CI runs a few hundred cases; `npm run fuzz` runs many more (FUZZ_CASES, FUZZ_SEED).
const CASES = Number(process.env.FUZZ_CASES ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

describe.skipIf(!hasCorpus)('fuzzing: mutated corpus files with planted identifiers', () => {
  it('the planted files hold every identifier, and de-identify cleanly before any mutation', () => {
    const baseline = plantedBaseline();
    expect(baseline.length).toBeGreaterThan(100);
    for (const b of baseline) {
      // The file's own structure may make a planted value land elsewhere, but most must be there.
      expect(b.planted.length, b.file).toBeGreaterThanOrEqual(NEEDLES.length - 1);
      expect(b.result.crash, b.file).toBeUndefined();
      expect(b.result.leaked, b.file).toEqual([]);
    }
  });

  it(`${CASES} seeded cases (seed ${SEED}): no written output holds a planted identifier`, () => {
    const summary = fuzz(CASES, SEED);
    console.log(
      JSON.stringify({
        cases: summary.cases,
        outcomes: summary.outcomes,
        leaks: summary.leaks.length,
        crashes: summary.crashes.length,
      }),
    );
    expect(summary.crashes).toEqual([]);
    expect(summary.leaks).toEqual([]);
    // The mutations must leave enough files writable for the assertion to mean something.
    expect(summary.outcomes.written).toBeGreaterThan(CASES / 5);
  }, 600_000);
});
