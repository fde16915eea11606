import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['hono', '@idempo/core', '@idempo/web'],
  treeshake: true,
  tsconfig: 'tsconfig.build.json',
});
