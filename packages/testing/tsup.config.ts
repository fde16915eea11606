import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/reference.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  tsconfig: 'tsconfig.build.json',
  external: ['vitest', '@idempo/core'],
});
