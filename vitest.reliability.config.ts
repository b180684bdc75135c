import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: the load and crash tests that run the built service
// binaries under concurrency. One file at a time, so they do not compete for the CPU.
export default defineConfig({
  test: {
    include: ['packages/*/test/reliability/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/setup/isolated-cache.ts'],
    fileParallelism: false,
  },
});
