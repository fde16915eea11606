import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  // Nest and rxjs are peers; core is a dependency: none of them is bundled. tsconfig.build.json sets
  // emitDecoratorMetadata, so tsup compiles with @swc/core and the design:paramtypes metadata survives.
  external: [/^@nestjs\//, 'rxjs', 'reflect-metadata', '@idempo/core'],
  treeshake: true,
  tsconfig: 'tsconfig.build.json',
});
