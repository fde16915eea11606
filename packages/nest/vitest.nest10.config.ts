import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const resolve = (name: string) => fileURLToPath(new URL(`./node_modules/${name}`, import.meta.url));

/** The Express suites on Nest 10 (see test/nest10/nest10-setup.ts); `vitest.config.ts` runs Nest 12. */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@nestjs\/common$/, replacement: resolve('nest10-common') },
      { find: /^@nestjs\/core$/, replacement: resolve('nest10-core') },
      { find: /^@nestjs\/platform-express$/, replacement: resolve('nest10-platform-express') },
    ],
  },
  test: {
    include: ['test/nest10/**/*.nest10.ts'],
    setupFiles: ['test/nest10/nest10-setup.ts'],
    testTimeout: 30_000,
  },
});
