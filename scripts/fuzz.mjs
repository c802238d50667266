#!/usr/bin/env node
// The large seeded fuzzing run: `npm run fuzz [-- <cases> [<seed>]]` (default 20,000 cases, seed 1).
// Each case is reproducible alone from its case seed (test/fuzz.ts, inputOfCase).
import { spawnSync } from 'node:child_process';

const [cases = '20000', seed = '1'] = process.argv.slice(2);
const r = spawnSync('npx', ['vitest', 'run', 'test/fuzz.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_CASES: cases, FUZZ_SEED: seed },
});
process.exit(r.status ?? 1);
