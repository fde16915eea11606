import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // beforeAll packs every package and runs npm install against the registry.
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
