/**
 * Core must load and work on Node, Bun, Deno and Cloudflare Workers (workerd, through miniflare) with
 * Web-standard APIs only. Each runtime runs the built ESM (dist/*.js: the entries and their shared chunks) through
 * the same smoke module.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const dist = new URL('../dist/', import.meta.url).pathname;
/** The built ESM files: the three entries and the chunks they share. */
const builtModules = () => readdirSync(dist).filter((name) => name.endsWith('.js'));
const smokeSource = readFileSync(new URL('./runtimes/smoke.mjs', import.meta.url), 'utf8');

let dir: string;
let expected: Record<string, unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idempo-runtimes-'));
  mkdirSync(join(dir, 'core'));
  for (const name of builtModules())
    writeFileSync(join(dir, 'core', name), readFileSync(join(dist, name), 'utf8'));
  writeFileSync(
    join(dir, 'smoke.mjs'),
    smokeSource
      .replace("'@idempo/core-under-test/adapter'", "'./core/adapter.js'")
      .replace("'@idempo/core-under-test'", "'./core/index.js'"),
  );
  writeFileSync(
    join(dir, 'main.mjs'),
    "import { smoke } from './smoke.mjs';\nconsole.log(JSON.stringify(await smoke()));\n",
  );
  const { stdout } = await run(process.execPath, [join(dir, 'main.mjs')]);
  expected = JSON.parse(stdout) as Record<string, unknown>;
});

const baseline = {
  first: 'execute',
  duplicate: 409,
  outcome: 'stored',
  replay: 'replay',
  status: 201,
  body: 'created',
  fingerprintType: 'string',
};

describe('core on other runtimes', () => {
  it('runs on Node with the node:crypto fast path', () => {
    expect(expected).toMatchObject({ ...baseline, hash: 'node:crypto' });
  });

  it('runs on Bun', async () => {
    const { stdout } = await run(join(root, 'node_modules/.bin/bun'), [join(dir, 'main.mjs')]);
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it('runs on Deno', async () => {
    const { stdout } = await run(join(root, 'node_modules/.bin/deno'), [
      'run',
      '--allow-read',
      join(dir, 'main.mjs'),
    ]);
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  it.each([
    ['without nodejs_compat (the pure-JS SHA-256)', [], 'pure-js'],
    ['with nodejs_compat (node:crypto)', ['nodejs_compat'], 'node:crypto'],
  ])(
    'runs on Cloudflare Workers %s, with the same fingerprints and storage keys',
    async (_name, flags, hash) => {
      const mf = new Miniflare({
        modules: [
          {
            type: 'ESModule',
            path: 'worker.mjs',
            contents:
              "import { smoke } from './smoke.mjs';\nexport default { async fetch() { return Response.json(await smoke()); } };",
          },
          { type: 'ESModule', path: 'smoke.mjs', contents: readFileSync(join(dir, 'smoke.mjs'), 'utf8') },
          ...builtModules().map((name) => ({
            type: 'ESModule' as const,
            path: `core/${name}`,
            contents: readFileSync(join(dir, 'core', name), 'utf8'),
          })),
        ],
        compatibilityDate: '2025-09-01',
        compatibilityFlags: flags,
      });
      try {
        const res = await mf.dispatchFetch('http://localhost/');
        expect(await res.json()).toEqual({ ...expected, hash });
      } finally {
        await mf.dispose();
      }
    },
  );
});
