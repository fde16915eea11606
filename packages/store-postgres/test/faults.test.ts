/**
 * Faults: lost connections, slow statements, an exhausted pool, a silent network, a dead server. Every
 * operation fails with a typed store error (StoreUnavailableError or its StoreTimeoutError) within its bound,
 * never hangs, never hands out a `reserved` its caller does not own, and the store recovers by itself. The bound
 * of reserve, complete, release and extend is core's: they are called as core's engine calls them (`boundStore`:
 * `storeTimeoutMs` and the deadline passed on, a late reservation given back); get, delete and stats are bounded
 * by the store's own `timeoutMs`.
 * Connections are terminated only when they carry this file's unique application_name; the shared server is
 * never stopped (the server-down case runs on a private cluster).
 */
import { StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import type { DeleteResult } from '@idempo/core/store';
import { type BoundedStore, boundStore } from '@idempo/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresPool, PostgresStore } from '../src/index.js';
import { OVERDUE_GRACE_MS } from '../src/overdue-calls.js';
import { createTestSchema, DATABASE_URL, type TestSchema } from './helpers/database.js';
import { type PrivateCluster, postgresBinaries, startPrivateCluster } from './helpers/private-cluster.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

const LONG = 60_000;
/** Event-loop and scheduling slack allowed past a bound on a loaded two-core machine. */
const SLACK_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bytes = (text: string) => new TextEncoder().encode(text);

interface Timed<T> {
  readonly ms: number;
  readonly value?: T;
  readonly error?: unknown;
}

async function timed<T>(operation: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  try {
    const value = await operation();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

function expectTimeout(result: Timed<unknown>, timeoutMs: number, what: string): void {
  expect(result.error, what).toBeInstanceOf(StoreTimeoutError);
  expect(result.ms, `${what}: ${result.ms.toFixed(0)} ms`).toBeLessThan(timeoutMs + SLACK_MS);
}

async function reserved(store: PostgresStore | BoundedStore, key: string, leaseMs = LONG): Promise<string> {
  const result = await store.reserve(key, 'fp', leaseMs, LONG);
  if (result.kind !== 'reserved') throw new Error(`${key} was not reserved`);
  return result.token;
}

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('faults');
  await new PostgresStore({ pool: db.admin, schema: db.schema }).migrate();
});
afterAll(() => db?.drop());

const rowOf = async (key: string) =>
  (
    await db.admin.query<{ token: string; state: string }>(
      `SELECT token, state FROM "${db.schema}".idempo_records WHERE key = $1`,
      [key],
    )
  ).rows[0];

/** Holds a row lock on `key` from another connection until the returned function is called. */
async function lockRow(key: string): Promise<() => Promise<void>> {
  const holder = await db.admin.connect();
  await holder.query('BEGIN');
  await holder.query(`SELECT 1 FROM "${db.schema}".idempo_records WHERE key = $1 FOR UPDATE`, [key]);
  return async () => {
    await holder.query('COMMIT');
    holder.release();
  };
}

describe('connections terminated mid-run (pg_terminate_backend, this file only)', () => {
  it("in-flight operations fail with a typed store error within core's bound, and the store recovers", async () => {
    const timeoutMs = 2_000;
    const store = new PostgresStore({ pool: db.pool({ max: 4 }), schema: db.schema });
    const core = boundStore(store, timeoutMs);
    const owned = new Map<string, string>();
    const failures: Timed<unknown>[] = [];
    let operations = 0;
    let stop = false;
    const loop = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const key = `terminate:${n}:${i}`;
        const r = await timed(() => core.reserve(key, 'fp', LONG, LONG));
        operations++;
        if (r.error) {
          failures.push(r);
          continue;
        }
        if (r.value?.kind !== 'reserved') throw new Error(`${key}: a new key must be reserved`);
        owned.set(key, r.value.token);
        const c = await timed(() => core.complete(key, owned.get(key) as string, bytes('ok'), LONG));
        operations++;
        if (c.error) failures.push(c);
      }
    };
    const loops = [0, 1, 2, 3].map(loop);
    let terminated = 0;
    for (let round = 0; round < 4; round++) {
      await sleep(250);
      const { rowCount } = await db.admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [db.applicationName],
      );
      terminated += rowCount ?? 0;
    }
    await sleep(250);
    stop = true;
    await Promise.all(loops);

    expect(terminated).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.error).toBeInstanceOf(StoreUnavailableError);
      expect(failure.ms).toBeLessThan(timeoutMs + SLACK_MS);
    }
    // Let the store finish releasing the reservations whose answers were lost, and core those that came late.
    await store.close();
    await Promise.all(core.lateReleases);
    // Every `reserved` handed out is the record's holder in the table (or completed it).
    let orphans = 0;
    for (const [key, token] of owned) expect((await rowOf(key))?.token, key).toBe(token);
    const { rows } = await db.admin.query<{ key: string; token: string }>(
      `SELECT key, token FROM "${db.schema}".idempo_records WHERE key LIKE 'terminate:%'`,
    );
    for (const row of rows) if (owned.get(row.key) !== row.token) orphans++;
    // Recovered: fresh operations all succeed.
    const after = boundStore(new PostgresStore({ pool: db.pool({ max: 4 }), schema: db.schema }), timeoutMs);
    for (let i = 0; i < 20; i++) await reserved(after, `terminate:after:${i}`);
    const slowest = Math.max(...failures.map((f) => f.ms));
    console.info(
      `terminate: ${terminated} backends terminated over 4 rounds; ${operations} operations, ${failures.length} failed, all typed (${[
        ...new Set(failures.map((f) => (f.error as Error).constructor.name)),
      ].join(
        ', ',
      )}), slowest failure ${slowest.toFixed(0)} ms; ${store.undoneReservations} reservations had committed with their answer lost and were released by the store; ${orphans} orphan rows left; recovered`,
    );
  });
});

describe('an answer lost after the commit', () => {
  /** A pool whose connections lose the answer of the first reserve: the statement runs, its reply never comes. */
  function losingPool(pool: pg.Pool): { pool: PostgresPool; sent: () => number } {
    let lost = false;
    let sent = 0;
    return {
      sent: () => sent,
      pool: {
        async connect() {
          const client = await pool.connect();
          return {
            async query(config) {
              sent++;
              const result = await client.query(config);
              if (!lost && config.text.startsWith('WITH')) {
                lost = true;
                throw new Error('Connection terminated unexpectedly');
              }
              return result;
            },
            release: (destroy) => client.release(destroy),
            on: (event, listener) => client.on(event, listener),
            removeListener: (event, listener) => client.removeListener(event, listener),
          };
        },
      },
    };
  }

  it('a reservation that committed while its answer was lost is released by the store, so a retry need not wait', async () => {
    const losing = losingPool(db.pool());
    const store = new PostgresStore({ pool: losing.pool, schema: db.schema });
    const error = await store.reserve('lost:a', 'fp', LONG, LONG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    await store.close();
    expect(losing.sent()).toBe(2); // the reserve, then the release of its token
    expect(store.undoneReservations).toBe(1);
    expect(await rowOf('lost:a')).toBeUndefined();
    const retry = new PostgresStore({ pool: db.pool(), schema: db.schema });
    expect((await retry.reserve('lost:a', 'fp', LONG, LONG)).kind).toBe('reserved');
  });

  it('a statement the server rejected (rolled back) is not followed by a release', async () => {
    const losing = losingPool(db.pool());
    const store = new PostgresStore({ pool: losing.pool, schema: db.schema, table: 'missing_table' });
    await expect(store.reserve('lost:b', 'fp', LONG, LONG)).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
    expect(losing.sent()).toBe(1);
    expect(store.undoneReservations).toBe(0);
  });
});

describe('slow statements: a row lock held by another connection', () => {
  /** Core's storeTimeoutMs for the calls it makes, and the store's timeoutMs for the operations calls. */
  const timeoutMs = 1_000;
  let store: PostgresStore;
  let core: BoundedStore;
  beforeAll(() => {
    store = new PostgresStore({ pool: db.pool(), schema: db.schema, timeoutMs });
    core = boundStore(store, timeoutMs);
  });

  it("H48 complete, extend and release end within core's deadline (the server's lock_timeout, 80% of the time left) and write nothing; they succeed once the lock is gone", async () => {
    const key = 'lock:complete';
    const token = await reserved(store, key);
    const unlock = await lockRow(key);
    const results = {
      complete: await timed(() => core.complete(key, token, bytes('late'), LONG)),
      extend: await timed(() => core.extend(key, token, LONG)),
      release: await timed(() => core.release(key, token)),
    };
    for (const [name, result] of Object.entries(results)) {
      expectTimeout(result, timeoutMs, name);
      // The store's own answer (the server ended the lock wait), not core's timeout.
      expect((result.error as Error).message, name).toMatch(/lock timeout/);
    }
    await unlock();
    expect(await rowOf(key)).toEqual({ token, state: 'in-flight' });
    expect(await store.complete(key, token, bytes('now'), LONG)).toBe(true);
    console.info(
      `row lock: ${Object.entries(results)
        .map(
          ([name, r]) =>
            `${name} failed with ${(r.error as Error).constructor.name} after ${r.ms.toFixed(0)} ms`,
        )
        .join('; ')} (timeoutMs ${timeoutMs}; the server's lock_timeout ended each statement)`,
    );
  });

  it('a takeover blocked by the lock times out, and the server did not take the record over later', async () => {
    const key = 'lock:takeover';
    const old = await reserved(store, key, 50);
    await sleep(150);
    const unlock = await lockRow(key);
    const result = await timed(() => core.reserve(key, 'fp-new', LONG, LONG));
    expectTimeout(result, timeoutMs, 'reserve');
    await sleep(300);
    await unlock();
    await sleep(100);
    // Still the old holder's: the timed-out reserve was ended by the server, not left to finish after the lock.
    expect(await rowOf(key)).toEqual({ token: old, state: 'in-flight' });
    expect(await store.complete(key, old, bytes('unchallenged'), LONG)).toBe(true);
    console.info(`row lock: takeover reserve failed after ${result.ms.toFixed(0)} ms, nothing written later`);
  });

  it('delete (forced) times out within timeoutMs and deletes nothing; get and stats do not wait for the lock', async () => {
    const key = 'lock:delete';
    const token = await reserved(store, key);
    const unlock = await lockRow(key);
    let remove: Timed<DeleteResult>;
    let get: Timed<unknown>;
    let stats: Timed<unknown>;
    try {
      remove = await timed(() => store.delete(key, { force: true }));
      get = await timed(() => store.get(key));
      stats = await timed(() => store.stats());
    } finally {
      await unlock();
    }
    expectTimeout(remove, timeoutMs, 'delete');
    expect(get.value).toMatchObject({ state: 'in-flight', fingerprint: 'fp' });
    expect(stats.value).toMatchObject({ inFlight: expect.any(Number) });
    expect(get.ms).toBeLessThan(timeoutMs / 2);
    expect(stats.ms).toBeLessThan(timeoutMs / 2);
    expect(await rowOf(key)).toEqual({ token, state: 'in-flight' });
    expect(await store.delete(key)).toBe('in-flight');
    expect(await store.delete(key, { force: true })).toBe('deleted');
    expect(await store.complete(key, token, bytes('fenced out'), LONG)).toBe(false);
    console.info(
      `row lock: delete failed with ${(remove.error as Error).constructor.name} after ${remove.ms.toFixed(0)} ms, deleting nothing; get answered in ${get.ms.toFixed(0)} ms, stats in ${stats.ms.toFixed(0)} ms`,
    );
  });

  it('replays and in-flight duplicates do not wait for a lock on a live row', async () => {
    const done = 'lock:replay';
    await store.complete(done, await reserved(store, done), bytes('stored'), LONG);
    const running = 'lock:running';
    await reserved(store, running);
    const unlockDone = await lockRow(done);
    const unlockRunning = await lockRow(running);
    try {
      const replay = await timed(() => core.reserve(done, 'fp', LONG, LONG));
      const duplicate = await timed(() => core.reserve(running, 'fp', LONG, LONG));
      expect(replay.value).toMatchObject({ kind: 'existing', state: 'completed' });
      expect(duplicate.value).toMatchObject({ kind: 'existing', state: 'in-flight' });
      expect(replay.ms).toBeLessThan(timeoutMs / 2);
      expect(duplicate.ms).toBeLessThan(timeoutMs / 2);
    } finally {
      await unlockDone();
      await unlockRunning();
    }
  });
});

describe('an exhausted pool', () => {
  it("H48 a reserve that gets no connection before core's deadline fails then, and never runs later (the connection that comes after is handed back unused)", async () => {
    const timeoutMs = 800;
    const pool = db.pool({ max: 1 });
    const store = new PostgresStore({ pool, schema: db.schema });
    const hog = await pool.connect();
    const result = await timed(() => boundStore(store, timeoutMs).reserve('pool:starved', 'fp', LONG, LONG));
    expectTimeout(result, timeoutMs, 'reserve without a connection');
    hog.release();
    await sleep(200);
    expect(await rowOf('pool:starved')).toBeUndefined();
    expect((await store.reserve('pool:starved', 'fp', LONG, LONG)).kind).toBe('reserved');
    console.info(
      `exhausted pool: reserve failed after ${result.ms.toFixed(0)} ms (timeoutMs ${timeoutMs}); never ran`,
    );
  });

  it('get, delete and stats without a connection fail within timeoutMs too, and delete never runs later', async () => {
    const timeoutMs = 500;
    const pool = db.pool({ max: 1 });
    const store = new PostgresStore({ pool, schema: db.schema, timeoutMs });
    await reserved(store, 'pool:ops');
    const hog = await pool.connect();
    const results = {
      get: await timed(() => store.get('pool:ops')),
      delete: await timed(() => store.delete('pool:ops', { force: true })),
      stats: await timed(() => store.stats()),
    };
    hog.release();
    for (const [name, result] of Object.entries(results)) expectTimeout(result, timeoutMs, name);
    await sleep(200);
    expect(await rowOf('pool:ops')).toMatchObject({ state: 'in-flight' });
    expect(await store.get('pool:ops')).toMatchObject({ state: 'in-flight' });
  });
});

describe('a silent network (TCP proxy that drops or delays every byte)', () => {
  /** Core's storeTimeoutMs for the calls it makes, and the store's timeoutMs for the operations calls. */
  const timeoutMs = 1_000;
  let proxy: TcpProxy;
  let store: PostgresStore;
  let core: BoundedStore;
  /** The connection string through the proxy. */
  const proxied = () => {
    const url = new URL(DATABASE_URL);
    url.host = `127.0.0.1:${proxy.port}`;
    return url.toString();
  };
  beforeAll(async () => {
    const target = new URL(DATABASE_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    store = new PostgresStore({
      pool: db.pool({ connectionString: proxied(), max: 4 }),
      schema: db.schema,
      timeoutMs,
    });
    core = boundStore(store, timeoutMs);
  });
  afterAll(() => proxy?.close());

  it("packets dropped on an open connection: StoreTimeoutError at core's deadline, nothing written, then recovery", async () => {
    await reserved(store, 'net:before');
    proxy.pause('drop');
    const result = await timed(() => core.reserve('net:dropped', 'fp', LONG, LONG));
    proxy.resume();
    expectTimeout(result, timeoutMs, 'reserve over a dropping network');
    await reserved(store, 'net:after');
    expect(await rowOf('net:dropped')).toBeUndefined();
    console.info(`dropped packets: reserve failed after ${result.ms.toFixed(0)} ms (timeoutMs ${timeoutMs})`);
  });

  it('packets dropped on open connections: get, delete and stats fail with StoreTimeoutError within timeoutMs, delete deleted nothing, then recovery', async () => {
    // A pool of its own with three open connections: a connection opened while packets are dropped would hang
    // (its startup message lost) and hold a slot of the shared pool well past this test.
    const own = new PostgresStore({
      pool: db.pool({ connectionString: proxied(), max: 3 }),
      schema: db.schema,
      timeoutMs,
    });
    await reserved(own, 'net:ops');
    await Promise.all([own.get('net:ops'), own.get('net:ops'), own.get('net:ops')]);
    proxy.pause('drop');
    const [get, remove, stats] = await Promise.all([
      timed(() => own.get('net:ops')),
      timed(() => own.delete('net:ops', { force: true })),
      timed(() => own.stats()),
    ]);
    proxy.resume();
    const results = { get, delete: remove, stats } as Record<string, Timed<unknown>>;
    for (const [name, result] of Object.entries(results)) expectTimeout(result, timeoutMs, name);
    expect(await rowOf('net:ops')).toMatchObject({ state: 'in-flight' });
    expect(await own.get('net:ops')).toMatchObject({ state: 'in-flight' });
    expect(await own.delete('net:ops', { force: true })).toBe('deleted');
  });

  it('packets dropped on the only connection: a call stuck there well past its deadline is abandoned by the next one, which gets a new connection (no timer of the store, no slot held for good)', async () => {
    const own = new PostgresStore({
      pool: db.pool({ connectionString: proxied(), max: 1 }),
      schema: db.schema,
    });
    const bounded = boundStore(own, timeoutMs);
    await reserved(own, 'net:one-before');
    proxy.pause('drop');
    const stuck = own
      .reserve('net:one-stuck', 'fp', LONG, LONG, { deadline: Date.now() + timeoutMs })
      .catch((error: unknown) => error);
    const result = await timed(() => bounded.reserve('net:one-dropped', 'fp', LONG, LONG));
    proxy.resume();
    expectTimeout(result, timeoutMs, "reserve behind a stuck one, at core's deadline");
    await sleep(OVERDUE_GRACE_MS + 100);
    const next = await timed(() => bounded.reserve('net:one-after', 'fp', LONG, LONG));
    expect(next.value?.kind, 'the next reserve ran on a new connection').toBe('reserved');
    const abandoned = await stuck;
    expect(abandoned).toBeInstanceOf(StoreTimeoutError);
    expect((abandoned as Error).message).toMatch(/abandoned/);
    await own.close();
    expect(await rowOf('net:one-stuck')).toBeUndefined();
    console.info(`stuck connection abandoned; the next reserve answered in ${next.ms.toFixed(0)} ms`);
  });

  it("packets dropped while connecting: StoreTimeoutError at core's deadline, then recovery", async () => {
    const fresh = new PostgresStore({
      pool: db.pool({ connectionString: proxied(), max: 2 }),
      schema: db.schema,
      timeoutMs,
    });
    proxy.pause('drop');
    const result = await timed(() => boundStore(fresh, timeoutMs).reserve('net:connect', 'fp', LONG, LONG));
    proxy.resume();
    expectTimeout(result, timeoutMs, 'reserve while connecting');
    expect((await fresh.reserve('net:connect-after', 'fp', LONG, LONG)).kind).toBe('reserved');
    console.info(`dropped while connecting: reserve failed after ${result.ms.toFixed(0)} ms`);
  });

  it("packets dropped while connecting, one slot: pg's connectionTimeoutMillis gives the slot back; without it the next operation still waits (README: set it)", async () => {
    const make = (options: { connectionTimeoutMillis?: number }) =>
      new PostgresStore({
        pool: db.pool({ connectionString: proxied(), max: 1, ...options }),
        schema: db.schema,
        timeoutMs,
      });
    const bounded = boundStore(make({ connectionTimeoutMillis: timeoutMs }), timeoutMs);
    const unbounded = boundStore(make({}), timeoutMs);
    proxy.pause('drop');
    const first = await Promise.all([
      timed(() => bounded.reserve('net:slot-bounded', 'fp', LONG, LONG)),
      timed(() => unbounded.reserve('net:slot-unbounded', 'fp', LONG, LONG)),
    ]);
    proxy.resume();
    for (const result of first) expectTimeout(result, timeoutMs, 'reserve while connecting, one slot');
    // The bounded pool's connect attempt ends at its connectionTimeoutMillis, and the slot is free again; the
    // other's startup message was lost, and its connection waits for an answer that will not come.
    await sleep(timeoutMs);
    expect((await bounded.reserve('net:slot-bounded-after', 'fp', LONG, LONG)).kind).toBe('reserved');
    const starved = await timed(() => unbounded.reserve('net:slot-unbounded-after', 'fp', LONG, LONG));
    expectTimeout(starved, timeoutMs, 'reserve after the network came back, slot still held');
  });

  it('packets delayed past the deadline: the caller gets StoreTimeoutError, never "reserved"; the late reservation is given back by core, the store releasing nothing itself', async () => {
    const key = 'net:delayed';
    const leaseMs = 1_000;
    await reserved(store, 'net:warm');
    const delayed = boundStore(store, timeoutMs);
    proxy.pause('delay');
    const result = await timed(() => delayed.reserve(key, 'fp', leaseMs, LONG));
    expectTimeout(result, timeoutMs, 'reserve over a delaying network');
    proxy.resume();
    // The statement arrives late and runs; its answer reaches core, which releases it by its token.
    for (let i = 0; i < 50 && delayed.lateReleases.length === 0; i++) await sleep(20);
    expect(delayed.lateReleases, 'one late reservation, given back by core').toHaveLength(1);
    expect(await delayed.lateReleases[0]).toBe(true);
    expect(await rowOf(key)).toBeUndefined();
    expect(store.undoneReservations, 'the store released nothing itself').toBe(0);
    expect((await store.reserve(key, 'fp', LONG, LONG)).kind).toBe('reserved');
    console.info(
      `delayed packets: reserve failed after ${result.ms.toFixed(0)} ms; the late reservation was given back by core`,
    );
  });
});

describe.skipIf(!postgresBinaries())('the server dies (private cluster, pg_ctl stop -m immediate)', () => {
  let cluster: PrivateCluster;
  let local: TestSchema;
  let store: PostgresStore;
  const timeoutMs = 2_000;
  beforeAll(async () => {
    cluster = await startPrivateCluster();
    local = await createTestSchema('down', cluster.url);
    store = await local.store({ timeoutMs, poolConfig: { max: 2 } });
  });
  afterAll(async () => {
    await local?.drop().catch(() => {});
    cluster?.destroy();
  });

  it('operations (get, delete and stats too) fail fast with StoreUnavailableError while it is down, and succeed once it is back', async () => {
    const token = await reserved(store, 'down:a');
    const core = boundStore(store, timeoutMs);
    cluster.stop();
    const results = [
      await timed(() => core.reserve('down:b', 'fp', LONG, LONG)),
      await timed(() => core.complete('down:a', token, bytes('x'), LONG)),
      await timed(() => core.reserve('down:c', 'fp', LONG, LONG)),
      await timed(() => store.get('down:a')),
      await timed(() => store.delete('down:a')),
      await timed(() => store.stats()),
    ];
    for (const r of results) {
      expect(r.error).toBeInstanceOf(StoreUnavailableError);
      expect(r.ms).toBeLessThan(timeoutMs + SLACK_MS);
    }
    cluster.start();
    expect(await store.complete('down:a', token, bytes('after restart'), LONG)).toBe(true);
    expect((await store.reserve('down:b', 'fp', LONG, LONG)).kind).toBe('reserved');
    expect(await store.get('down:a')).toMatchObject({ state: 'completed' });
    expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 1 });
    expect(await store.delete('down:a')).toBe('deleted');
    console.info(
      `server down: ${results.map((r) => `${(r.error as Error).constructor.name} after ${r.ms.toFixed(0)} ms`).join('; ')}; recovered after restart`,
    );
  });
});
