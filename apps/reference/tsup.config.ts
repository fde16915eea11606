import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/process.ts', 'src/frameworks/*.ts'],
  dts: { entry: 'src/process.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
