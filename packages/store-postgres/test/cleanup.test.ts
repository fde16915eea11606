/**
 * cleanup(): deletes rows past their retention in batches, from several instances at once, each expired row by
 * exactly one of them; never a live row, nor a row that reserve revived while the cleanup ran.
 */
import { InvalidOptionsError } from '@idempo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';

const LONG = 600_000;
const CLEANERS = 4;

let db: TestSchema;
let table: string;
beforeAll(async () => {
  db = await createTestSchema('cleanup');
  table = `"${db.schema}".idempo_records`;
  await new PostgresStore({ pool: db.admin, schema: db.schema }).migrate();
});
afterAll(() => db?.drop());

const cleaners = () =>
  Array.from({ length: CLEANERS }, () => new PostgresStore({ pool: db.pool({ max: 1 }), schema: db.schema }));

/** `count` rows already past their retention, half completed, half in flight, keys `${prefix}${i}`. */
async function insertExpired(prefix: string, count: number): Promise<void> {
  await db.admin.query(
    `INSERT INTO ${table} (key, fingerprint, token, state, response, lease_expires_at, expires_at)
     SELECT $1 || g, 'fp', md5(g::text), CASE WHEN g % 2 = 0 THEN 'completed' ELSE 'in-flight' END,
            CASE WHEN g % 2 = 0 THEN '\\x00'::bytea END, now() - interval '2 hours', now() - interval '1 second'
     FROM generate_series(1, $2::int) AS g`,
    [prefix, count],
  );
}

/** Live rows of every kind: completed, in flight, and in flight with a lapsed lease (still within retention). */
async function insertLive(store: PostgresStore, prefix: string, each: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < each; i++) {
    const done = `${prefix}done:${i}`;
    const r = await store.reserve(done, 'fp', LONG, LONG);
    if (r.kind === 'reserved') await store.complete(done, r.token, new Uint8Array([i % 256]), LONG);
    await store.reserve(`${prefix}running:${i}`, 'fp', LONG, LONG);
    await store.reserve(`${prefix}lapsed:${i}`, 'fp', 1, LONG);
    keys.push(done, `${prefix}running:${i}`, `${prefix}lapsed:${i}`);
  }
  return keys.sort();
}

const keysLike = async (pattern: string) =>
  (
    await db.admin.query<{ key: string }>(`SELECT key FROM ${table} WHERE key LIKE $1 ORDER BY key`, [
      pattern,
    ])
  ).rows.map((r) => r.key);

describe('cleanup()', () => {
  it(`${CLEANERS} concurrent cleanups delete each expired row exactly once and keep every live row`, async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    const live = await insertLive(store, 'a:live:', 100);
    await insertExpired('a:expired:', 3_000);
    // stats counts the live rows only: the expired ones, still in the table, are not counted before or after.
    const liveStats = { inFlight: 100, leaseExpired: 100, completed: 100 };
    expect(await store.stats()).toEqual(liveStats);
    const started = performance.now();
    const counts = await Promise.all(cleaners().map((c) => c.cleanup({ batchSize: 50 })));
    const elapsed = performance.now() - started;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3_000);
    expect(await keysLike('a:expired:%')).toEqual([]);
    expect(await keysLike('a:live:%')).toEqual(live);
    expect(await store.stats()).toEqual(liveStats);
    // A second pass finds nothing.
    expect(await Promise.all(cleaners().map((c) => c.cleanup()))).toEqual([0, 0, 0, 0]);
    console.info(
      `cleanup: ${CLEANERS} concurrent cleanups (batchSize 50) deleted ${counts.join(' + ')} = 3000 expired rows in ${elapsed.toFixed(0)} ms; ${live.length} live rows kept`,
    );
  });

  it('never deletes a row that reserve takes over while the cleanups run', async () => {
    const expired = 8_000;
    const store = new PostgresStore({ pool: db.pool({ max: 4 }), schema: db.schema });
    await insertExpired('b:', expired);
    const revived = new Map<string, string>();
    // Cleanups sweep the rows roughly in insertion order; the revivers start from the other end, so the two meet.
    const revive = async (offset: number) => {
      for (let i = expired - offset; i > 0; i -= 28) {
        const key = `b:${i}`;
        const r = await store.reserve(key, 'fp-new', LONG, LONG);
        if (r.kind !== 'reserved') throw new Error(`${key}: an expired record must be taken over`);
        revived.set(key, r.token);
      }
    };
    const [counts] = await Promise.all([
      Promise.all(cleaners().map((c) => c.cleanup({ batchSize: 20 }))),
      ...[0, 7, 14, 21].map(revive),
    ]);
    const deleted = counts.reduce((a, b) => a + b, 0);
    const remaining = await db.admin.query<{ key: string; token: string }>(
      `SELECT key, token FROM ${table} WHERE key LIKE 'b:%'`,
    );
    // Exactly the revived keys remain, each with its new holder's token.
    expect(new Map(remaining.rows.map((r) => [r.key, r.token]))).toEqual(revived);
    // Every other expired row was deleted once; a revived key was deleted before its takeover, or not at all.
    expect(deleted).toBeGreaterThanOrEqual(expired - revived.size);
    expect(deleted).toBeLessThanOrEqual(expired);
    console.info(
      `cleanup vs takeover: ${deleted} of ${expired} expired rows deleted by ${CLEANERS} cleanups; ${revived.size} keys reserved meanwhile (${
        expired - deleted
      } of them taken over before a cleanup reached them, the rest re-created after), all ${revived.size} kept`,
    );
  });

  it('returns 0 when nothing has expired, and validates batchSize', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    expect(await store.cleanup()).toBe(0);
    await expect(store.cleanup({ batchSize: 0 })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(store.cleanup({ batchSize: 1.5 })).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});
