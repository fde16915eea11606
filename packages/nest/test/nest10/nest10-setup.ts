/**
 * Runs the tests on Nest 10 (npm aliases `nest10-common`, `nest10-core`, `nest10-platform-express`): vitest's
 * aliases map the imports of the sources and tests, and this hook maps the `require()` calls Nest 10's own CommonJS
 * files make, which pnpm links to the Nest 12 peers of this package.
 */
import Module, { createRequire } from 'node:module';

const ALIASES: Readonly<Record<string, string>> = {
  '@nestjs/common': 'nest10-common',
  '@nestjs/core': 'nest10-core',
  '@nestjs/platform-express': 'nest10-platform-express',
};
const local = createRequire(new URL('../../package.json', import.meta.url));

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const original = loader._resolveFilename;
loader._resolveFilename = function resolveNest10(this: unknown, request: string, ...rest: unknown[]): string {
  for (const [name, alias] of Object.entries(ALIASES)) {
    if (request === name || request.startsWith(`${name}/`))
      return local.resolve(alias + request.slice(name.length));
  }
  return original.call(this, request, ...rest);
};
