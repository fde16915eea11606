import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  external: ['express', '@idempo/core', /^node:/],
  treeshake: true,
  removeNodeProtocol: false,
  tsconfig: 'tsconfig.build.json',
});
