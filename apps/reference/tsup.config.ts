import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/frameworks/*.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
