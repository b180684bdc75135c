import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Run by `npm run test:reliability` (vitest.reliability.config.ts).
    exclude: [...configDefaults.exclude, 'packages/*/test/reliability/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/setup/isolated-cache.ts'],
  },
});
