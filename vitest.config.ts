import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One throwaway PostgreSQL cluster per run, for the tests that run on both stores (test/support/postgres-setup.ts).
  test: { include: ['test/**/*.test.ts'], testTimeout: 30_000, globalSetup: ['test/support/postgres-setup.ts'] },
});
