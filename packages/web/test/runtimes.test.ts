/**
 * @idempo/web on Node, Bun, Deno and Cloudflare Workers: the built package (dist) with the built core.
 * test/runtimes/smoke.mjs calls handlers behind withIdempotency with fetch Requests, as each runtime calls them,
 * and reports what a client saw; Node, Bun and Deno print it as JSON (main.mjs), workerd (miniflare) answers it
 * (worker.mjs, bundled with its imports). All must see the same. Bun and Deno also serve the handler on a real
 * port (Bun.serve, Deno.serve) and drive it over HTTP with test/runtimes/served.mjs; on workerd the Worker's own
 * fetch is the handler, driven through miniflare.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, PACKAGE_ROOT } from './support/build.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../node_modules/.bin/', import.meta.url));
const main = join(PACKAGE_ROOT, 'test/runtimes/main.mjs');

type Seen = Record<string, unknown>;

async function observe(command: string, args: readonly string[]): Promise<Seen> {
  const { stdout } = await run(command, [...args], { cwd: PACKAGE_ROOT, timeout: 60_000 });
  return JSON.parse(stdout) as Seen;
}

/** What the direct calls saw, without the runtime's name and the real server's part. */
function direct(seen: Seen): Seen {
  const { runtime: _runtime, served: _served, ...rest } = seen;
  return rest;
}

/** test/runtimes/worker.mjs and everything it imports, as one ES module (node: imports left to workerd). */
async function bundleWorker(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'idempo-web-worker-'));
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
const cookies = ['a=1; Path=/', 'b=1; Path=/'];

/** What a real server (Bun.serve, Deno.serve, a Worker's fetch) answered over HTTP. */
function expectServed(served: unknown, disconnect: boolean): void {
  expect(served).toMatchObject({
    first: { status: 201, replayed: null, location: '/orders/1', cookies },
    replayIdentical: true,
    replay: { status: 201, replayed: 'true', location: '/orders/1', cookies },
    concurrent: [201, 409, 409, 409, 409],
    mismatch: 422,
  });
  if (disconnect) {
    // [15.1] the client went away mid-handler: its retry is a 409 while the handler runs, then the replay. I11:
    // one that goes away while the body is forwarded cancels the handler's stream; the retry runs again.
    expect((served as Seen)['disconnected']).toEqual({
      client: 'aborted',
      whileRunning: 409,
      after: { status: 201, replayed: 'true' },
      midBody: { retry: 200, replayed: null, made: 2, cancelled: 1 },
    });
  }
}

let onNode: Seen;
beforeAll(async () => {
  ensureBuilt();
  onNode = await observe(process.execPath, [main]);
}, 120_000);

describe('@idempo/web on other runtimes (built package, MemoryStore)', () => {
  it('C14 C15 C22 E32 D26 A4 B11 E34 C25 I10 I11 I5 C24 I13 H48 I7 J2 pass on Node', () => {
    expect(onNode).toMatchObject({
      first: { status: 201, replayed: null, location: '/orders/1', cookies, type: 'application/json' },
      replay: { status: 201, replayed: 'true', location: '/orders/1', cookies, type: 'application/json' },
      replayIdentical: true,
      // The rest arguments reach the handler untouched (Next.js's { params }).
      firstText: '{"id":1,"item":"book","params":{"id":"7"},"args":1}',
      concurrent: [201, 409, 409, 409, 409],
      mismatch: problem(422),
      otherUser: { status: 201, replayed: null },
      invalid: problem(400),
      missing: problem(400),
      // E34: no onError, the error goes on to the runtime and the key is released: the retry runs again.
      thrown: ['boom', 'boom'],
      streamed: [
        { status: 200, replayed: null, body: 300 },
        { status: 200, replayed: null, body: 300 },
      ],
      storedStream: [
        { status: 200, replayed: null, body: 300 },
        { status: 200, replayed: 'true', body: 300 },
      ],
      hugeResponse: [
        { status: 200, replayed: null, body: 2 * 1024 * 1024 },
        { status: 200, replayed: null, body: 2 * 1024 * 1024 },
      ],
      tooLarge: expect.objectContaining({ status: 413, type: 'application/problem+json', boundedRead: true }),
      streamRead: [
        { status: 200, replayed: null, text: '{"total":4000,"sum":10000}' },
        { status: 200, replayed: 'true', text: '{"total":4000,"sum":10000}' },
      ],
      noContent: [
        { status: 204, replayed: null, body: 0 },
        { status: 204, replayed: 'true', body: 0 },
      ],
      head: { status: 200, replayed: null, body: 0 },
      zip: { first: 'gzip', firstBody: true, replay: { status: 200, replayed: 'true', length: 4104 } },
      storeDown: problem(503),
      principal: problem(500),
      nested: [
        { status: 201, replayed: null, text: '{"nested":1}' },
        { status: 201, replayed: 'true', text: '{"nested":1}' },
      ],
      runs: { orders: 4, stream: 3, huge: 2, uploads: 1, head: 1, zip: 1, nested: 1 },
    });
    expect(onNode['runs']).not.toHaveProperty('down');
    expect(onNode['runs']).not.toHaveProperty('bad');
    expect(onNode['runs']).not.toHaveProperty('payments');
  });

  it('sees the same on Bun, and Bun.serve answers over HTTP (disconnect included)', async () => {
    const seen = await observe(join(bin, 'bun'), [main]);
    expect(seen['runtime']).toBe('bun');
    expect(direct(seen)).toEqual(direct(onNode));
    expectServed(seen['served'], true);
  }, 60_000);

  it('sees the same on Deno, and Deno.serve answers over HTTP (disconnect included)', async () => {
    const seen = await observe(join(bin, 'deno'), ['run', '-A', main]);
    expect(seen['runtime']).toBe('deno');
    expect(direct(seen)).toEqual(direct(onNode));
    expectServed(seen['served'], true);
  }, 60_000);

  it.each([
    ['without nodejs_compat', []],
    ['with nodejs_compat', ['nodejs_compat']],
  ])(
    'sees the same on Cloudflare Workers (workerd) %s, and the Worker fetch answers',
    async (_name, flags) => {
      const mf = new Miniflare({
        modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleWorker() }],
        compatibilityDate: '2025-09-01',
        compatibilityFlags: flags,
      });
      try {
        const res = await mf.dispatchFetch('http://localhost/smoke');
        const seen = (await res.json()) as Seen;
        expect(seen['runtime']).toBe('workerd');
        expect(direct(seen)).toEqual(direct(onNode));
        const { driveServed } = (await import(
          pathToFileURL(join(PACKAGE_ROOT, 'test/runtimes/served.mjs')).href
        )) as {
          driveServed: (base: string, fetch: unknown, options: { disconnect: boolean }) => Promise<unknown>;
        };
        expectServed(
          await driveServed('http://localhost', mf.dispatchFetch.bind(mf), { disconnect: false }),
          false,
        );
      } finally {
        await mf.dispose();
      }
    },
    60_000,
  );
});
