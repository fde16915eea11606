/** PostgresStore's own behaviour beyond the conformance suite: options, clock, session hygiene, close(). */
import {
  CorruptRecordError,
  InvalidOptionsError,
  StoreTimeoutError,
  StoreUnavailableError,
} from '@idempo/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TIMEOUT_MS, type PostgresPool, PostgresStore } from '../src/index.js';
import { statements } from '../src/statements.js';
import { toStoreError } from '../src/store-error.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';

const LONG = 60_000;
const bytes = (text: string) => new TextEncoder().encode(text);

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('store');
  await new PostgresStore({ pool: db.admin, schema: db.schema }).migrate();
});
afterAll(() => db?.drop());

describe('options', () => {
  it('has documented defaults', () => {
    const store = new PostgresStore({ pool: db.admin });
    expect(store.table).toBe('public.idempo_records');
    expect(DEFAULT_TIMEOUT_MS).toBe(2_000);
  });

  it.each([
    ['a table with a quote', { table: 'x"; DROP TABLE users; --' }],
    ['a table with a dot', { table: 'a.b' }],
    ['a table starting with a digit', { table: '1abc' }],
    ['an empty table', { table: '' }],
    ['a table of 49 characters', { table: 'a'.repeat(49) }],
    ['a schema with a space', { schema: 'my schema' }],
    ['a schema of 64 characters', { schema: 's'.repeat(64) }],
    ['a timeoutMs of 0', { timeoutMs: 0 }],
    ['a fractional timeoutMs', { timeoutMs: 1.5 }],
    ['a string timeoutMs', { timeoutMs: '100' as unknown as number }],
    ['a non-boolean preparedStatements', { preparedStatements: 1 as unknown as boolean }],
  ])('rejects %s', (_, options) => {
    expect(() => new PostgresStore({ pool: db.admin, ...options })).toThrow(InvalidOptionsError);
  });

  it('rejects a missing pool', () => {
    expect(() => new PostgresStore({} as unknown as { pool: never })).toThrow(InvalidOptionsError);
    expect(() => new PostgresStore(undefined as unknown as { pool: never })).toThrow(InvalidOptionsError);
  });

  it('accepts the longest names (48-character table, 63-character schema)', () => {
    expect(
      () => new PostgresStore({ pool: db.admin, table: 't'.repeat(48), schema: 's'.repeat(63) }),
    ).not.toThrow();
  });
});

describe('the lifetime of an in-flight row [15.2]', () => {
  it('reserve keeps it greatest(lease, ttl); extend moves expires_at to at least the lease, never back, and leaves it (a HOT update) when the retention is longer', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    const r = await store.reserve('lifetime:a', 'fp', 20_000, 5_000);
    if (r.kind !== 'reserved') throw new Error('not reserved');
    const row = async () => {
      const { rows } = await db.admin.query<{ lease: string; retention: string }>(
        `SELECT extract(epoch FROM lease_expires_at - now()) * 1000 AS lease,
                extract(epoch FROM expires_at - now()) * 1000 AS retention
         FROM "${db.schema}".idempo_records WHERE key = 'lifetime:a'`,
      );
      return { lease: Number(rows[0]?.lease), retention: Number(rows[0]?.retention) };
    };
    expect((await row()).retention).toBeGreaterThan(19_000);
    expect(await store.extend('lifetime:a', r.token, 40_000)).toBe(true);
    expect((await row()).retention).toBeGreaterThan(39_000);
    expect(await store.extend('lifetime:a', r.token, 1_000)).toBe(true);
    const after = await row();
    expect(after.lease).toBeLessThan(1_500);
    expect(after.retention, 'a shorter lease leaves the retention alone').toBeGreaterThan(38_000);
    expect(await store.complete('lifetime:a', r.token, bytes('done'), 3_000)).toBe(true);
    expect((await row()).retention).toBeLessThanOrEqual(3_000);

    // The heartbeat with the retention longer than the lease: expires_at keeps its value, so the update is HOT
    // (no index write), counted in the statement's own transaction.
    const held = await store.reserve('lifetime:hot', 'fp', 30_000, 86_400_000);
    if (held.kind !== 'reserved') throw new Error('not reserved');
    const client = await db.admin.connect();
    try {
      await client.query('BEGIN');
      const sql = statements(db.schema, 'idempo_records').extend;
      const updated = await client.query(sql, ['lifetime:hot', held.token, 30_000, '1000']);
      expect(updated.rowCount).toBe(1);
      const { rows } = await client.query<{ hot: string }>(
        `SELECT pg_stat_get_xact_tuples_hot_updated('"${db.schema}".idempo_records'::regclass) AS hot`,
      );
      expect(Number(rows[0]?.hot)).toBe(1);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });
});

describe('the database clock decides', () => {
  it('leases and retention are computed by PostgreSQL, whatever the application clock says', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    const token = await (async () => {
      const r = await store.reserve('clock:a', 'fp', 5_000, LONG);
      return r.kind === 'reserved' ? r.token : '';
    })();
    // The application's clock jumps a day ahead, then a day back: nothing changes.
    const spy = vi.spyOn(Date, 'now');
    try {
      spy.mockReturnValue(Date.now() + 86_400_000);
      expect(await store.reserve('clock:a', 'fp', 5_000, LONG)).toMatchObject({ state: 'in-flight' });
      spy.mockReturnValue(Date.now() - 86_400_000);
      expect(await store.extend('clock:a', token, 5_000)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    const { rows } = await db.admin.query<{ lease: number; retention: number }>(
      `SELECT extract(epoch FROM lease_expires_at - now()) * 1000 AS lease,
              extract(epoch FROM expires_at - now()) * 1000 AS retention
       FROM "${db.schema}".idempo_records WHERE key = 'clock:a'`,
    );
    expect(Number(rows[0]?.lease)).toBeGreaterThan(3_000);
    expect(Number(rows[0]?.lease)).toBeLessThanOrEqual(5_000);
    expect(Number(rows[0]?.retention)).toBeGreaterThan(LONG - 5_000);
  });

  it('rejects a non-finite duration without writing', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    await expect(store.reserve('clock:nan', 'fp', Number.NaN, LONG)).rejects.toBeInstanceOf(RangeError);
    await expect(
      store.complete('clock:nan', 't', bytes('x'), Number.POSITIVE_INFINITY),
    ).rejects.toBeInstanceOf(RangeError);
    await expect(store.extend('clock:nan', 't', Number.NaN)).rejects.toBeInstanceOf(RangeError);
    expect((await store.reserve('clock:nan', 'fp', LONG, LONG)).kind).toBe('reserved');
  });
});

describe('session hygiene on the shared pool', () => {
  it("the statement's lock_timeout does not leak into the pooled session", async () => {
    const pool = db.pool({ max: 1 });
    const store = new PostgresStore({ pool, schema: db.schema });
    const r = await store.reserve('hygiene:a', 'fp', LONG, LONG);
    if (r.kind === 'reserved') await store.complete('hygiene:a', r.token, bytes('x'), LONG);
    const { rows } = await pool.query<{ lock_timeout: string }>('SHOW lock_timeout');
    expect(rows[0]?.lock_timeout).toBe('0');
  });

  it('two stores over different tables share one pool, prepared statements and all', async () => {
    const pool = db.pool({ max: 1 });
    const one = new PostgresStore({ pool, schema: db.schema });
    const two = new PostgresStore({ pool, schema: db.schema, table: 'second' });
    await two.migrate();
    for (let i = 0; i < 3; i++) {
      expect((await one.reserve(`share:${i}`, 'fp-1', LONG, LONG)).kind).toBe('reserved');
      expect((await two.reserve(`share:${i}`, 'fp-2', LONG, LONG)).kind).toBe('reserved');
    }
    expect(await one.reserve('share:0', 'x', LONG, LONG)).toMatchObject({ fingerprint: 'fp-1' });
    expect(await two.reserve('share:0', 'x', LONG, LONG)).toMatchObject({ fingerprint: 'fp-2' });
  });

  it('the table refuses a record whose state and response disagree', async () => {
    const insert = (state: string, response: Buffer | null) =>
      db.admin.query(
        `INSERT INTO "${db.schema}".idempo_records VALUES ($1, 'fp', 't', $2, $3, now(), now() + interval '1 hour')`,
        [`check:${state}:${response === null}`, state, response],
      );
    await expect(insert('completed', null)).rejects.toMatchObject({ code: '23514' });
    await expect(insert('in-flight', Buffer.from('x'))).rejects.toMatchObject({ code: '23514' });
    await expect(insert('done', Buffer.from('x'))).rejects.toMatchObject({ code: '23514' });
  });
});

describe('close()', () => {
  it('waits for the operations under way, refuses new ones, and leaves the pool open', async () => {
    const pool = db.pool();
    const store = new PostgresStore({ pool, schema: db.schema });
    const pending = Promise.all(
      Array.from({ length: 10 }, (_, i) => store.reserve(`close:${i}`, 'fp', LONG, LONG)),
    );
    await store.close();
    const results = await pending;
    expect(results.every((r) => r.kind === 'reserved')).toBe(true);
    await expect(store.reserve('close:after', 'fp', LONG, LONG)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(store.migrate()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.close()).resolves.toBeUndefined();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('typed errors', () => {
  it('maps server timeouts and pg client timeouts to StoreTimeoutError, the rest to StoreUnavailableError', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    expect(toStoreError('reserve', withCode('55P03'))).toBeInstanceOf(StoreTimeoutError);
    expect(toStoreError('reserve', withCode('57014'))).toBeInstanceOf(StoreTimeoutError);
    expect(toStoreError('reserve', new Error('timeout exceeded when trying to connect'))).toBeInstanceOf(
      StoreTimeoutError,
    );
    expect(toStoreError('reserve', new Error('Query read timeout'))).toBeInstanceOf(StoreTimeoutError);
    const refused = toStoreError('reserve', withCode('ECONNREFUSED'));
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect(refused).not.toBeInstanceOf(StoreTimeoutError);
    expect(refused.message).toBe('PostgresStore reserve failed: ECONNREFUSED');
    expect(toStoreError('reserve', 'a string')).toBeInstanceOf(StoreUnavailableError);
    const typed = new StoreUnavailableError('already typed');
    expect(toStoreError('reserve', typed)).toBe(typed);
  });

  it('a statement the server rejects becomes a StoreUnavailableError with the pg error as its cause', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema, table: 'never_migrated' });
    const error = await store.reserve('k', 'fp', LONG, LONG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as { cause: { code: string } }).cause.code).toBe('42P01');
  });
});

describe('operations: get, delete, stats', () => {
  it('get reports instants of the database clock, whatever the application clock says', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    const spy = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 86_400_000);
    try {
      expect((await store.reserve('ops-clock:a', 'fp', 5_000, LONG)).kind).toBe('reserved');
    } finally {
      spy.mockRestore();
    }
    const record = await store.get('ops-clock:a');
    const { rows } = await db.admin.query<{ now: number }>(
      'SELECT (extract(epoch FROM now()) * 1000)::float8 AS now',
    );
    const dbNow = Number(rows[0]?.now);
    const created = record?.createdAt?.getTime() ?? Number.NaN;
    expect(Math.abs(created - dbNow)).toBeLessThan(2_000);
    expect(record?.leaseExpiresAt?.getTime()).toBe(created + 5_000);
    expect(record?.expiresAt.getTime()).toBe(created + LONG);
  });

  it("delete removes a row past retention too (answering 'not-found', as it was not live)", async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    expect((await store.reserve('ops-dead:a', 'fp', 10, 10)).kind).toBe('reserved');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const rowCount = async () =>
      (await db.admin.query(`SELECT 1 FROM "${db.schema}".idempo_records WHERE key = 'ops-dead:a'`)).rowCount;
    expect(await rowCount()).toBe(1);
    expect(await store.get('ops-dead:a')).toBeUndefined();
    expect(await store.delete('ops-dead:a')).toBe('not-found');
    expect(await rowCount()).toBe(0);
  });

  it('work whatever type parsers the pool has (int8 as bigint, float8 and timestamptz as strings)', async () => {
    const parsers: Record<number, (text: string) => unknown> = {
      20: (text) => BigInt(text),
      701: (text) => text,
      1184: (text) => text,
    };
    const pool = db.pool({
      types: { getTypeParser: ((oid: number) => parsers[oid] ?? pg.types.getTypeParser(oid)) as never },
    });
    const { rows } = await pool.query('SELECT 1::int8 AS i, 1.5::float8 AS f, now() AS t');
    expect(rows[0]).toEqual({ i: 1n, f: '1.5', t: expect.any(String) });
    const store = new PostgresStore({ pool, schema: db.schema, table: 'parsers' });
    await store.migrate();
    const r = await store.reserve('parsers:a', 'fp', LONG, LONG);
    expect(r.kind).toBe('reserved');
    const record = await store.get('parsers:a');
    expect(record?.createdAt).toBeInstanceOf(Date);
    expect(record?.leaseExpiresAt?.getTime()).toBe((record?.createdAt?.getTime() ?? 0) + LONG);
    expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 0 });
  });

  it('refuse rows they cannot read with CorruptRecordError', async () => {
    const real = db.pool({ max: 1 });
    let rewrite: (row: Record<string, unknown>) => Record<string, unknown> = (row) => row;
    const pool: PostgresPool = {
      async connect() {
        const client = await real.connect();
        return {
          async query(config) {
            const result = await client.query(config);
            return { ...result, rows: result.rows.map((row) => rewrite(row as Record<string, unknown>)) };
          },
          release: (destroy) => client.release(destroy),
          on: (event, listener) => client.on(event, listener),
          removeListener: (event, listener) => client.removeListener(event, listener),
        };
      },
    };
    const store = new PostgresStore({ pool, schema: db.schema });
    const token = await store.reserve('corrupt:a', 'fp', LONG, LONG);
    if (token.kind !== 'reserved') throw new Error('not reserved');
    await store.complete('corrupt:a', token.token, bytes('x'), LONG);
    const corrupt = async (change: Record<string, unknown>, read: () => Promise<unknown>) => {
      rewrite = (row) => ({ ...row, ...change });
      try {
        await expect(read()).rejects.toBeInstanceOf(CorruptRecordError);
      } finally {
        rewrite = (row) => row;
      }
    };
    const get = () => store.get('corrupt:a');
    await corrupt({ state: 'done' }, get);
    await corrupt({ fingerprint: null }, get);
    await corrupt({ response: null }, get);
    await corrupt({ lease_expires_at: 1 }, get);
    await corrupt({ expires_at: null }, get);
    await corrupt({ created_at: 'yesterday' }, get);
    await corrupt({ created_at: '' }, get);
    await corrupt({ in_flight: '-1' }, () => store.stats());
    await corrupt({ completed: 1.5 }, () => store.stats());
    await corrupt({ lease_expired: undefined }, () => store.stats());
    expect((await store.reserve('corrupt:running', 'fp', LONG, LONG)).kind).toBe('reserved');
    await corrupt({ outcome: 'gone' }, () => store.delete('corrupt:running'));
    await corrupt({ outcome: null }, () => store.delete('corrupt:running'));
    expect(await get()).toMatchObject({ state: 'completed' });
    expect(await store.stats()).toMatchObject({ completed: expect.any(Number) });
  });

  it('are refused by a closed store', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    await store.close();
    await expect(store.get('closed')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.delete('closed')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.stats()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
