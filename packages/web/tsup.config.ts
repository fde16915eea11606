import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', adapter: 'src/adapter-api.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['@idempo/core'],
  treeshake: true,
  tsconfig: 'tsconfig.build.json',
});
