/**
 * @idempo/hono on Node, Bun, Deno and Cloudflare Workers: the built package (dist) with the built core and Hono
 * from node_modules serves the reference routes, and test/runtimes/smoke.mjs checks the suite's core cases through
 * app.request(): first run, replay, 409 on concurrent duplicates, 422, 400 (invalid and missing key), a thrown
 * handler and a stream (both release the key). Node, Bun and Deno print what they saw as JSON (main.mjs); workerd
 * (miniflare) runs worker.mjs bundled with its imports, and answers it. All must see the same.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, PACKAGE_ROOT } from './support/build.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../node_modules/.bin/', import.meta.url));
const smoke = join(PACKAGE_ROOT, 'test/runtimes/main.mjs');

async function observe(command: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(command, [...args], { cwd: PACKAGE_ROOT, timeout: 60_000 });
  return withoutRuntime(JSON.parse(stdout));
}

function withoutRuntime(seen: unknown): Record<string, unknown> {
  const { runtime: _runtime, ...rest } = seen as Record<string, unknown>;
  return rest;
}

/** test/runtimes/worker.mjs and everything it imports, as one ES module (node: imports left to workerd). */
async function bundleWorker(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'idempo-hono-worker-'));
  await build({
    entry: { worker: join(PACKAGE_ROOT, 'test/runtimes/worker.mjs') },
    format: ['esm'],
    outDir,
    noExternal: [/.*/],
    external: [/^node:/],
    platform: 'neutral',
    target: 'es2022',
    splitting: false,
    dts: false,
    sourcemap: false,
    silent: true,
    config: false,
  });
  return readFileSync(join(outDir, 'worker.js'), 'utf8');
}

const problem = (status: number) => expect.objectContaining({ status, type: 'application/problem+json' });
const order = '{"id":1,"item":"book","qty":2,"principal":"ann"}';

let onNode: Record<string, unknown>;
beforeAll(async () => {
  ensureBuilt();
  onNode = await observe(process.execPath, [smoke]);
}, 120_000);

describe('@idempo/hono on other runtimes (built package, MemoryStore)', () => {
  it('passes the core cases on Node', () => {
    expect(onNode).toMatchObject({
      raw: {
        texts: ['{"a":1}', '{"a":1}', '{"a":1}', '{"a":1}'],
        json: { a: 1 },
        sizes: [7, 7, 7],
        blobType: 'application/json',
        used: [false, true, true],
        request: [true, '/raw', 'POST', 'v'],
      },
      first: { status: 201, replayed: null, location: '/orders/1', text: order },
      replay: { status: 201, replayed: 'true', location: '/orders/1', text: order },
      concurrent: [201, 409, 409, 409, 409],
      mismatch: problem(422),
      invalid: problem(400),
      missing: problem(400),
      thrown: [
        { status: 500, text: 'internal error' },
        { status: 500, text: 'internal error' },
      ],
      streamed: [
        { status: 200, replayed: null, body: 300 },
        { status: 200, replayed: null, body: 300 },
      ],
      // [15.12] a stream that is not declared one is stored when it ends within maxBodyBytes.
      storedStream: [
        { status: 200, replayed: null, body: 300 },
        { status: 200, replayed: 'true', body: 300 },
      ],
      // [15.7] a path with no route: Hono's 404 both times, never replayed.
      noRoute: [
        { status: 404, replayed: null },
        { status: 404, replayed: null },
      ],
      // [15.14] compress() after idempo: gzip for the client that asked, the identity replay for another.
      compressed: {
        first: 'gzip',
        replay: { status: 200, replayed: 'true', n: 1, encoding: null },
        executions: 1,
      },
      // [15.11] an endless chunked upload: 413 after reading about maxRequestBodyBytes.
      tooLarge: expect.objectContaining({ status: 413, type: 'application/problem+json', boundedRead: true }),
      executions: expect.objectContaining({
        'POST /orders': 4,
        'POST /payments': 0,
        'POST /stream': 3,
        'POST /uploads': 0,
      }),
    });
  });

  it('sees the same on Bun', async () => {
    expect(await observe(join(bin, 'bun'), [smoke])).toEqual(onNode);
  }, 60_000);

  it('sees the same on Deno', async () => {
    expect(await observe(join(bin, 'deno'), ['run', '-A', smoke])).toEqual(onNode);
  }, 60_000);

  it.each([
    ['without nodejs_compat', []],
    ['with nodejs_compat', ['nodejs_compat']],
  ])(
    'sees the same on Cloudflare Workers (workerd) %s',
    async (_name, flags) => {
      const mf = new Miniflare({
        modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker() }],
        compatibilityDate: '2025-09-01',
        compatibilityFlags: flags,
      });
      try {
        const res = await mf.dispatchFetch('http://localhost/');
        expect(withoutRuntime(await res.json())).toEqual(onNode);
      } finally {
        await mf.dispose();
      }
    },
    60_000,
  );
});
