import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/reference.ts', 'src/node-http.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  tsconfig: 'tsconfig.build.json',
  // The node-http entry imports node: builtins: left to the runtime, under their node: names.
  external: ['vitest', '@idempo/core', /^node:/],
  removeNodeProtocol: false,
});
