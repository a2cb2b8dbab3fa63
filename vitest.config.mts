import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI's bin and the worker processes run the compiled package: build it first (cached).
    globalSetup: ['test/support/build-dist.ts'],
    // Integration tests start real servers and move real bytes; none depends on wall-clock speed,
    // but they need room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
