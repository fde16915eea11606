import { defineConfig } from 'tsup';

export default defineConfig({
  // index: the library (`runCli` and its types); bin: the `idempo` command, which runs it on process.argv.
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  treeshake: true,
  tsconfig: 'tsconfig.build.json',
});
