/**
 * A variant of @idempo/core for an A/B run: core's engine and MemoryStore built from a git revision or from a
 * source directory (a patched copy of packages/core/src), or a module built elsewhere. Every variant built here
 * is bundled the same way (one ESM file, tsup/esbuild, no minification), so that two variants differ only by
 * their source.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MemoryStore } from '@idempo/core';
import type { createIdempotency } from '@idempo/core/adapter';

/** One side of an A/B run. */
export interface CoreVariant {
  /** What the report calls it. */
  readonly label: string;
  /** Where it came from (`rev:HEAD`, `src:packages/core/src`, `module:/tmp/x.js`). */
  readonly source: string;
  readonly createIdempotency: typeof createIdempotency;
  readonly MemoryStore: typeof MemoryStore;
}

/** The repository root: the benchmark runs from apps/bench (pnpm) or the root. */
function repoRoot(): string {
  return execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
}

/** Core's src directory at `revision`, extracted into a fresh temporary directory. */
function sourceAt(revision: string, into: string): string {
  const root = repoRoot();
  const archive = execFileSync(
    'git',
    ['-C', root, 'archive', '--format=tar', revision, 'packages/core/src'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  execFileSync('tar', ['-x', '-C', into], { input: archive });
  return join(into, 'packages/core/src');
}

/** Bundles `src`'s engine and MemoryStore into one ESM file in `outDir`; returns its path. */
async function bundle(src: string, outDir: string): Promise<string> {
  const entry = join(outDir, 'entry.ts');
  writeFileSync(
    entry,
    `export { createIdempotency } from ${JSON.stringify(join(src, 'engine.ts'))};\n` +
      `export { MemoryStore } from ${JSON.stringify(join(src, 'memory-store.ts'))};\n`,
  );
  // tsup is the repository's build tool (a root devDependency); imported by name at run time, never bundled.
  const tsup = 'tsup';
  const { build } = (await import(tsup)) as typeof import('tsup');
  await build({
    config: false,
    entry: { variant: entry },
    outDir: join(outDir, 'dist'),
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    bundle: true,
    splitting: false,
    sourcemap: false,
    dts: false,
    silent: true,
  });
  return join(outDir, 'dist', 'variant.js');
}

/**
 * Loads the variant `label=source`, where source is `rev:<git revision>`, `src:<directory of core's sources>`
 * or `module:<built ESM file exporting createIdempotency and MemoryStore>`; relative paths are read from the
 * repository root. With `saveAs`, a bundled variant is also copied there, to be loaded later as `module:` (a run
 * under valgrind then bundles nothing).
 */
export async function loadVariant(spec: string, saveAs?: string): Promise<CoreVariant> {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`a variant is label=source, got ${spec}`);
  const label = spec.slice(0, eq);
  const source = spec.slice(eq + 1);
  const colon = source.indexOf(':');
  const kind = source.slice(0, colon);
  const where = source.slice(colon + 1);
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(repoRoot(), path));
  let file: string;
  let work: string | undefined;
  if (kind === 'module') file = absolute(where);
  else if (kind === 'rev' || kind === 'src') {
    work = mkdtempSync(join(tmpdir(), 'idempo-variant-'));
    mkdirSync(join(work, 'dist'));
    file = await bundle(kind === 'rev' ? sourceAt(where, work) : absolute(where), work);
    if (saveAs !== undefined) copyFileSync(file, resolve(saveAs));
  } else throw new Error(`a variant's source is rev:<revision>, src:<dir> or module:<file>, got ${source}`);
  let loaded: Partial<CoreVariant>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Partial<CoreVariant>;
  } finally {
    // One bundled file, read once imported: the temporary directory is not needed any more.
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }
  if (typeof loaded.createIdempotency !== 'function' || typeof loaded.MemoryStore !== 'function')
    throw new Error(`${file} does not export createIdempotency and MemoryStore`);
  return {
    label,
    source,
    createIdempotency: loaded.createIdempotency,
    MemoryStore: loaded.MemoryStore,
  };
}
