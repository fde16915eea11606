/**
 * One round trip per operation. Three witnesses: the store calls `query()` once per operation; the server answers
 * one ReadyForQuery per operation on the store's connections; and, on a private cluster with pg_stat_statements,
 * the server executed one statement per operation, and replays and in-flight duplicates wrote no WAL at all.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { PostgresStore as Store } from '../src/index.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';
import { type PrivateCluster, postgresBinaries, startPrivateCluster } from './helpers/private-cluster.js';
import { type RecordingPool, recordingPool } from './helpers/recording-pool.js';

const LONG = 60_000;
const bytes = (text: string) => new TextEncoder().encode(text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function reserved(store: PostgresStore, key: string, leaseMs = LONG): Promise<string> {
  const result = await store.reserve(key, 'fp', leaseMs, LONG);
  if (result.kind !== 'reserved') throw new Error(`${key} was not reserved`);
  return result.token;
}

/**
 * Runs every kind of operation once, each through `step`, which checks what one operation cost. Returns the
 * number of operations.
 */
async function everyOperation(
  store: PostgresStore,
  prefix: string,
  step: (name: string, operation: () => Promise<unknown>) => Promise<void>,
): Promise<number> {
  let count = 0;
  const run = async (name: string, operation: () => Promise<unknown>) => {
    count++;
    await step(name, operation);
  };
  let token = '';
  await run('reserve, new key (insert)', async () => {
    token = await reserved(store, `${prefix}a`);
  });
  await run('reserve, in-flight duplicate', () => store.reserve(`${prefix}a`, 'fp', LONG, LONG));
  await run('extend', async () => expect(await store.extend(`${prefix}a`, token, LONG)).toBe(true));
  await run('complete', async () =>
    expect(await store.complete(`${prefix}a`, token, bytes('r'), LONG)).toBe(true),
  );
  await run('complete, stale token', async () =>
    expect(await store.complete(`${prefix}a`, token, bytes('r'), LONG)).toBe(false),
  );
  await run('reserve, replay', async () =>
    expect(await store.reserve(`${prefix}a`, 'fp', LONG, LONG)).toMatchObject({ state: 'completed' }),
  );
  let short = '';
  await run('reserve, short lease', async () => {
    short = await reserved(store, `${prefix}b`, 50);
  });
  await sleep(150);
  await run('reserve, takeover after lease expiry', async () => {
    expect(await reserved(store, `${prefix}b`)).not.toBe(short);
  });
  await run('extend, stale token', async () =>
    expect(await store.extend(`${prefix}b`, short, LONG)).toBe(false),
  );
  await run('release, stale token', async () => expect(await store.release(`${prefix}b`, short)).toBe(false));
  await run('reserve, new key', async () => {
    token = await reserved(store, `${prefix}c`);
  });
  await run('release', async () => expect(await store.release(`${prefix}c`, token)).toBe(true));
  await run('get', async () => expect((await store.get(`${prefix}a`))?.state).toBe('completed'));
  await run('get, in flight (createdAt, read in the same row)', async () =>
    expect((await store.get(`${prefix}b`))?.createdAt).toBeInstanceOf(Date),
  );
  await run('get, no record', async () => expect(await store.get(`${prefix}c`)).toBeUndefined());
  await run('stats', async () => expect((await store.stats()).completed).toBeGreaterThan(0));
  await run('delete, in flight with its lease running (kept)', async () =>
    expect(await store.delete(`${prefix}b`)).toBe('in-flight'),
  );
  await run('delete', async () => expect(await store.delete(`${prefix}a`)).toBe('deleted'));
  await run('delete, no record', async () => expect(await store.delete(`${prefix}a`)).toBe('not-found'));
  await run('cleanup, nothing expired (one batch)', () => store.cleanup({ batchSize: 10 }));
  return count;
}

describe('one round trip per operation (shared server)', () => {
  let db: TestSchema;
  let pool: RecordingPool;
  let store: PostgresStore;
  beforeAll(async () => {
    db = await createTestSchema('trips');
    pool = recordingPool(db.pool({ max: 1 }));
    store = new Store({ pool, schema: db.schema });
    await store.migrate();
  });
  afterAll(() => db?.drop());

  for (const prepared of [true, false]) {
    it(`every operation sends exactly one query and waits for exactly one ReadyForQuery (prepared statements ${prepared ? 'on' : 'off'})`, async () => {
      const subject = new Store({ pool, schema: db.schema, preparedStatements: prepared });
      const counts: string[] = [];
      await everyOperation(subject, `p${prepared}:`, async (name, operation) => {
        pool.reset();
        await operation();
        counts.push(`${name}: ${pool.queries.length} query, ${pool.readyForQuery} ReadyForQuery`);
        expect(pool.queries.length, name).toBe(1);
        expect(pool.readyForQuery, name).toBe(1);
        expect(pool.queries[0]?.name !== undefined, `${name}: prepared`).toBe(prepared);
      });
      console.info(counts.join('\n'));
    });
  }

  it('migrate() is one query too (one implicit transaction)', async () => {
    pool.reset();
    await store.migrate();
    expect(pool.queries.length).toBe(1);
    expect(pool.readyForQuery).toBe(1);
  });

  it('cleanup sends one statement per batch', async () => {
    const expired = Array.from({ length: 25 }, (_, i) => `cleanup-${i}`);
    for (const key of expired) await store.reserve(key, 'fp', 1, 1);
    await sleep(20);
    pool.reset();
    expect(await store.cleanup({ batchSize: 10 })).toBe(25);
    // 10 + 10 + 5: the third batch, shorter than batchSize, ends the loop.
    expect(pool.queries.length).toBe(3);
    expect(pool.readyForQuery).toBe(3);
  });
});

describe.skipIf(!postgresBinaries())('pg_stat_statements on a private cluster', () => {
  let cluster: PrivateCluster;
  let db: TestSchema;
  let store: PostgresStore;

  beforeAll(async () => {
    cluster = await startPrivateCluster({ shared_preload_libraries: 'pg_stat_statements' });
    db = await createTestSchema('stats', cluster.url);
    await db.admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    store = await db.store({ poolConfig: { max: 2 } });
  });
  afterAll(async () => {
    await db?.drop();
    cluster?.destroy();
  });

  interface StatementStats {
    readonly query: string;
    readonly calls: number;
    readonly wal_records: number;
    readonly shared_blks_dirtied: number;
  }

  async function statsOfStore(): Promise<StatementStats[]> {
    const { rows } = await db.admin.query<StatementStats>(
      `SELECT query, calls::int, wal_records::int, shared_blks_dirtied::int FROM pg_stat_statements
       WHERE query LIKE $1 ORDER BY query`,
      [`%${db.schema}%`],
    );
    return rows;
  }
  /** Which of the store's statements a normalised query text is. */
  const operationOf = (query: string) =>
    query.startsWith('WITH')
      ? query.includes('FOR UPDATE')
        ? 'delete'
        : 'reserve'
      : query.includes('SET "state"')
        ? 'complete'
        : query.includes('SET "lease_expires_at"')
          ? 'extend'
          : query.includes('ctid')
            ? 'cleanup'
            : query.startsWith('DELETE')
              ? 'release'
              : query.includes('count(*)')
                ? 'stats'
                : query.startsWith('SELECT r."state"')
                  ? 'get'
                  : query;
  const reset = () => db.admin.query('SELECT pg_stat_statements_reset()');
  const total = (stats: StatementStats[], field: 'calls' | 'wal_records' | 'shared_blks_dirtied') =>
    stats.reduce((sum, s) => sum + s[field], 0);

  it('the server executed exactly one statement per operation', async () => {
    await reset();
    const operations = await everyOperation(store, 'stats:', async (_name, operation) => {
      await operation();
    });
    const stats = await statsOfStore();
    console.info(stats.map((s) => `${s.calls} x ${operationOf(s.query)}`).join('\n'));
    expect(total(stats, 'calls')).toBe(operations);
    // Every statement the server ran on the table was one of the store's eight.
    expect(stats.length).toBeLessThanOrEqual(8);
    expect(new Set(stats.map((s) => operationOf(s.query))).size).toBe(stats.length);
  });

  it('replays, in-flight duplicates, get and stats write nothing: no WAL, no dirtied page, no new row version', async () => {
    const token = await reserved(store, 'quiet:done');
    await store.complete('quiet:done', token, bytes('x'.repeat(3000)), LONG);
    await reserved(store, 'quiet:running');
    const before = await db.admin.query(
      `SELECT key, xmin::text, ctid::text FROM "${db.schema}".idempo_records WHERE key LIKE 'quiet:%' ORDER BY key`,
    );
    await reset();
    for (let i = 0; i < 100; i++) {
      expect(await store.reserve('quiet:done', 'fp', LONG, LONG)).toMatchObject({ state: 'completed' });
      expect(await store.reserve('quiet:running', 'fp', LONG, LONG)).toMatchObject({ state: 'in-flight' });
      expect(await store.get('quiet:done')).toMatchObject({ state: 'completed' });
      expect(await store.get('quiet:running')).toMatchObject({ state: 'in-flight' });
    }
    for (let i = 0; i < 10; i++) expect((await store.stats()).inFlight).toBeGreaterThan(0);
    const stats = await statsOfStore();
    expect(total(stats, 'calls')).toBe(410);
    expect(total(stats, 'wal_records')).toBe(0);
    expect(total(stats, 'shared_blks_dirtied')).toBe(0);
    const after = await db.admin.query(
      `SELECT key, xmin::text, ctid::text FROM "${db.schema}".idempo_records WHERE key LIKE 'quiet:%' ORDER BY key`,
    );
    expect(after.rows).toEqual(before.rows);

    // For contrast, a new reservation writes.
    await reset();
    await reserved(store, 'quiet:new');
    expect(total(await statsOfStore(), 'wal_records')).toBeGreaterThan(0);
  });
});
