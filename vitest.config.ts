import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CI has 2 cores: two test files at a time keeps timing-sensitive network tests honest.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
