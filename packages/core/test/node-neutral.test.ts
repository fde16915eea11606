/**
 * `@idempo/core/node` is the only Node-only entry: the other three stay platform-neutral (they run on Bun, Deno
 * and Cloudflare Workers, test/runtimes.test.ts). The build checks the node entry with Node's types, which it
 * references itself; this checks that none of the other entries reaches it and that they type-check without
 * Node's types.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const src = new URL('../src/', import.meta.url).pathname;
const NEUTRAL = ['index.ts', 'adapter-api.ts', 'store-api.ts'];

/** Every source file `entry` reaches through its relative imports, and every other module it names. */
function reached(entry: string): { files: Set<string>; modules: Set<string> } {
  const files = new Set<string>();
  const modules = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)) {
      if (specifier?.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (specifier) modules.add(specifier);
    }
  };
  visit(join(src, entry));
  return { files, modules };
}

describe('the platform-neutral entries', () => {
  it('never reach src/node/ nor import a node: module', () => {
    for (const entry of NEUTRAL) {
      const { files, modules } = reached(entry);
      const nodeFiles = [...files]
        .map((file) => relative(src, file))
        .filter((file) => file.startsWith('node'));
      expect(nodeFiles, entry).toEqual([]);
      expect(
        [...modules].filter((name) => name.startsWith('node:')),
        entry,
      ).toEqual([]);
    }
  });

  it('type-check without Node’s types', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idempo-neutral-'));
    try {
      const config = join(dir, 'tsconfig.json');
      writeFileSync(
        config,
        JSON.stringify({
          extends: resolve(src, '../../../tsconfig.base.json'),
          compilerOptions: { types: [], noEmit: true },
          files: NEUTRAL.map((entry) => join(src, entry)),
        }),
      );
      const tsc = resolve(src, '../../../node_modules/typescript/bin/tsc');
      const { stdout } = await run(process.execPath, [tsc, '-p', config]).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
      );
      expect(stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
