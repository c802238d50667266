import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/**/*.test.ts',
      'node/**/*.test.ts',
      'electron/**/*.test.ts',
      'cli/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/**/*.test.ts',
      'renderer/src/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
