/**
 * runCli in-process with the default openStore (ioredis, pg, the MongoDB driver): the same commands as the
 * process tests, here so that the opening and closing code is measured by coverage. MongoDB: no server here, so
 * only the failures (unreachable, silent, malformed URL) run against the real driver.
 */
import { performance } from 'node:perf_hooks';
import { storageKey } from '@idempo/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { openStore } from '../src/open-store.js';
import { captureIo } from './support/capture-io.js';
import { DATABASE_URL, postgresNamespaces } from './support/postgres-namespaces.js';
import { REDIS_URL, redisNamespaces } from './support/redis-namespaces.js';
import { order } from './support/service.js';
import { closedPort, withSilentServer } from './support/silent-server.js';

const redis = redisNamespaces('open');
let pg: Awaited<ReturnType<typeof postgresNamespaces>>;
beforeAll(async () => {
  pg = await postgresNamespaces('open');
});
afterAll(async () => {
  await redis.cleanup();
  await pg?.cleanup();
});

/**
 * Runs the CLI in-process. `idleMs` is the time this thread's event loop sat idle during the run. The timeout cases
 * bound it, not the wall clock: on a busy machine the wall clock also counts loading the driver and waiting for a
 * CPU, which no timeout bounds, while idle time past `--timeout-ms` can only mean the CLI kept waiting on the store
 * after its deadline, which is what those cases must rule out.
 */
async function cli(argv: string[], env: Record<string, string> = {}) {
  const { io, captured } = captureIo({ env });
  const before = performance.eventLoopUtilization();
  const code = await runCli(argv, io);
  return { code, ...captured, idleMs: performance.eventLoopUtilization(before).idle };
}

describe('openStore', () => {
  it('redis: inspect, delete and stats over a fresh prefix', async () => {
    const { store, prefix } = redis.namespace();
    await order(store, { key: 'k' });
    const base = ['--store', 'redis', '--prefix', prefix];
    const inspected = await cli(['inspect', 'k', ...base], { REDIS_URL });
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain(`location     Redis key ${prefix}${await storageKey({ key: 'k' })}`);
    expect((await cli(['stats', '--json', ...base], { REDIS_URL })).stdout).toContain('"completed": 1');
    expect((await cli(['delete', 'k', ...base], { REDIS_URL })).code).toBe(0);
    expect((await cli(['inspect', 'k', ...base], { REDIS_URL })).code).toBe(1);
  });

  it('postgres: inspect and stats over a fresh table', async () => {
    const ns = await pg.namespace();
    await order(ns.store, { key: 'k' });
    const base = ['--store', 'postgres', '--url', DATABASE_URL, '--schema', ns.schema, '--table', ns.table];
    const inspected = await cli(['inspect', 'k', ...base]);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain(`table ${ns.schema}.${ns.table}`);
    expect((await cli(['stats', '--json', ...base])).stdout).toContain('"completed": 1');
  });

  it('redis: an unreachable port fails at once with ECONNREFUSED (one attempt, no reconnection)', async () => {
    const port = await closedPort();
    const run = await cli(['inspect', 'k', '--store', 'redis', '--url', `redis://127.0.0.1:${port}`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`idempo: store error: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    expect(run.idleMs).toBeLessThan(2_000);
  });

  it('redis: a server that never answers fails within the timeout', async () => {
    const run = await withSilentServer((port) =>
      cli(['stats', '--store', 'redis', '--url', `redis://127.0.0.1:${port}`, '--timeout-ms', '300']),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('did not answer within 300 ms');
    expect(run.idleMs).toBeLessThan(300 + 1_000);
  });

  it("mongo: an unreachable port fails with the driver's cause (or the timeout) within the timeout, the password masked", async () => {
    const port = await closedPort();
    const run = await cli(['inspect', 'k', '--store', 'mongo', '--timeout-ms', '500'], {
      MONGODB_URL: `mongodb://app:s3cret-pw@127.0.0.1:${port}/app`,
    });
    expect(run.code).toBe(3);
    // The refusal, or, when the driver's server selection has not seen it within the 500 ms on a busy machine, the
    // timeout itself (as in bin-basics.test.ts): either way a store error naming the masked target.
    expect(run.stderr).toMatch(
      new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}|did not answer within 500 ms`),
    );
    expect(run.stderr).toContain(
      `store: mongo at mongodb://app:***@127.0.0.1:${port}/app, collection idempo_records`,
    );
    expect(run.stderr).not.toContain('s3cret-pw');
    expect(run.idleMs).toBeLessThan(500 + 1_000);
  });

  it('mongo: a silent server and a malformed URL fail with exit 3', async () => {
    const silent = await withSilentServer((port) =>
      cli([
        'stats',
        '--store',
        'mongo',
        '--url',
        `mongodb://127.0.0.1:${port}/app`,
        '--database',
        'other',
        '--timeout-ms',
        '400',
      ]),
    );
    expect(silent.code).toBe(3);
    expect(silent.stderr).toContain('collection other.idempo_records');
    expect(silent.idleMs).toBeLessThan(400 + 1_000);
    const malformed = await cli(['stats', '--store', 'mongo', '--url', 'mongo://nowhere']);
    expect(malformed.code).toBe(3);
    expect(malformed.stderr).toContain('Invalid scheme');
  });

  it('postgres: an invalid schema name is refused before any connection is made', async () => {
    await expect(
      openStore({ kind: 'postgres', url: DATABASE_URL, schema: 'a-b', table: 't', timeoutMs: 1000 }),
    ).rejects.toThrow(/schema/);
  });
});
