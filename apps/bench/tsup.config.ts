import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    main: 'src/main.ts',
    'http-main': 'src/http/http-main.ts',
    'peer-server': 'src/peers/peer-server.ts',
    'engine-ab': 'src/engine-ab.ts',
    breakdown: 'src/profile/breakdown-main.ts',
    'engine-count': 'src/engine-count.ts',
    'server-count': 'src/server-count.ts',
  },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
