import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    adapter: 'src/adapter-api.ts',
    store: 'src/store-api.ts',
    node: 'src/node-api.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  // One copy of every class for the three entries, in CommonJS too: an error thrown by the engine (adapter) must
  // be `instanceof` the class a user imports from the main entry.
  splitting: true,
  tsconfig: 'tsconfig.build.json',
});
