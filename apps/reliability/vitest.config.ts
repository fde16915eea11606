import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // The suites start their own worker processes and servers: one file at a time keeps them from starving
    // each other on two cores.
    fileParallelism: false,
  },
});
