/**
 * Store faults under load (issue 8): the store stops, restarts empty, loses its connections or stalls while
 * reference workers serve a steady stream of keyed POST /orders. idempo must fail closed (503 problem+json,
 * docs/behaviour.md H48) within the store timeout, answer every request, recover, and never run a key twice while the
 * store keeps its records (E37).
 *
 * Sizes (2 shared cores): Redis outage 3 fastify workers, 4 request loops, about 9 s of traffic; pause 2 koa
 * workers, 12 keys; PostgreSQL 3 hono workers, 4 loops, 8 s of traffic, a kill every 300 ms.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isExecution,
  latency,
  type Outcome,
  sendOrder,
  startTraffic,
  statusCounts,
  tallyByKey,
  worstLatency,
} from './support/fault-traffic.js';
import { type PrivateRedis, privateRedis } from './support/private-redis.js';
import { freshNamespace, startPool, totalExecutions, type Worker } from './support/workers.js';

/**
 * Core bounds each store call at 5 s (`storeTimeoutMs`, the only deadline of reserve/complete/release/extend since
 * issue 16: the stores' own `timeoutMs` bounds only their operations calls).
 */
const CORE_TIMEOUT_MS = 5_000;
/** Generous margin for two shared cores. */
const MARGIN_MS = 2_000;
/** A request unanswered after this counts as a hang. */
const HANG_MS = 20_000;
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Every 503 is problem+json; returns how many there were. */
function expectProblem503s(outcomes: readonly Outcome[]): number {
  const unavailable = outcomes.filter((o) => o.status === 503);
  for (const o of unavailable)
    expect(o.contentType, `503 for ${o.key}`).toMatch(/^application\/problem\+json/);
  return unavailable.length;
}

function alive(workers: readonly Worker[]): number {
  return workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).length;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('store faults (docs/behaviour.md H48 fail closed, E37 once across instances)', () => {
  it('H48/E37: Redis stopped mid-run answers 503 within the core store timeout, recovers after an empty restart, and runs no key twice while it keeps its records', async () => {
    const redis: PrivateRedis = await privateRedis();
    await redis.start();
    cleanups.push(() => redis.shutdown());
    const pool = await startPool({
      framework: 'fastify',
      store: 'redis',
      workers: 3,
      namespace: freshNamespace('flt'),
      env: { REDIS_URL: redis.url },
    });
    cleanups.push(() => pool.stop());
    const urls = pool.workers.map((w) => w.url);

    const traffic = startTraffic({ urls, prefix: 'outage', loops: 4, pauseMs: 20, hangMs: HANG_MS });
    await waitFor('150 answers with the store up', () => traffic.outcomes.length >= 150, 60_000);
    const tShutdown = performance.now();
    await redis.shutdown();
    const tDown = performance.now();
    // Longer than core's store bound, so that requests sent early in the outage surely time out before it ends.
    await sleep(8_000);
    const tRestart = performance.now();
    await redis.start();
    const tUp = performance.now();
    await waitFor(
      'a fresh 201 for a request sent after the restart',
      () => traffic.outcomes.some((o) => o.sentAt >= tUp && isExecution(o)),
      30_000,
    );
    const tRecovered = performance.now();
    await sleep(3_000);
    const streamed = await traffic.stop();

    // Keys whose every request was sent after the server answered PING again: one more duplicate each, which
    // must replay the stored answer.
    const byKey = tallyByKey(streamed);
    const afterKeys = [...byKey.values()].filter((t) => t.outcomes.every((o) => o.sentAt >= tUp));
    const retries = await Promise.all(
      afterKeys.filter((t) => t.executions > 0).map((t, i) => sendOrder(urls, i, t.key, HANG_MS)),
    );
    const outcomes = [...streamed, ...retries];
    const tally = tallyByKey(outcomes);

    // Nothing hangs, every failure is a fail-closed 503 problem+json.
    const errors = outcomes.filter((o) => o.status === 0);
    expect(errors.map((o) => o.error)).toEqual([]);
    const unavailable = expectProblem503s(outcomes);
    expect(Object.keys(statusCounts(outcomes)).sort()).toEqual(expect.arrayContaining(['201', '503']));
    const duringOutage = outcomes.filter((o) => o.sentAt >= tDown && o.sentAt < tRestart);
    // Sent while the server was down and timed out before it came back: nothing could be reserved, all 503. (A
    // request sent within core's bound of the restart, e.g. a reserve ioredis had already sent as the connection
    // dropped, may be resent once it reconnects and succeed.)
    const surelyDown = duringOutage.filter((o) => o.sentAt < tRestart - CORE_TIMEOUT_MS);
    expect(surelyDown.length).toBeGreaterThan(0);
    expect(surelyDown.filter((o) => o.status !== 503)).toEqual([]);
    const worst503 = worstLatency(outcomes.filter((o) => o.status === 503));
    const worstAll = worstLatency(outcomes);
    expect(worst503).toBeLessThanOrEqual(CORE_TIMEOUT_MS + MARGIN_MS);
    expect(worstAll).toBeLessThanOrEqual(CORE_TIMEOUT_MS + MARGIN_MS);

    // Executions seen by clients (fresh 201s) are exactly those the workers counted.
    const fresh = outcomes.filter(isExecution).length;
    expect(await totalExecutions(pool.workers)).toBe(fresh);
    expect(alive(pool.workers)).toBe(3);

    // Recovered: fresh 201s for requests sent after the restart.
    const recovered = outcomes.filter((o) => o.sentAt >= tUp && isExecution(o)).length;
    expect(recovered).toBeGreaterThan(0);

    // Keys entirely before the outage (every request answered before SHUTDOWN): exactly one execution, one body.
    const beforeKeys = [...tally.values()].filter((t) => t.outcomes.every((o) => o.answeredAt < tShutdown));
    for (const t of beforeKeys) {
      expect(t.executions, t.key).toBe(1);
      expect(t.bodies.size, t.key).toBe(1);
    }
    // Keys entirely after the restart: at most one execution, every 201 the same bytes, and the retry replayed.
    const after = [...tally.values()].filter((t) => t.outcomes.every((o) => o.sentAt >= tUp));
    for (const t of after) {
      expect(t.executions, t.key).toBeLessThanOrEqual(1);
      expect(t.bodies.size, t.key).toBeLessThanOrEqual(1);
    }
    expect(retries.filter((o) => !(o.status === 201 && o.replayed))).toEqual([]);
    // Keys that straddle the outage: the store lived twice (before the SHUTDOWN, after the empty restart) and each
    // life runs a key at most once; a second execution is the record the empty restart lost (or a commit that
    // failed during the outage, answered 201 but not stored).
    const straddling = [...tally.values()].filter((t) => !beforeKeys.includes(t) && !after.includes(t));
    for (const t of straddling) expect(t.executions, t.key).toBeLessThanOrEqual(2);
    const doubles = (list: typeof straddling) => list.filter((t) => t.executions > 1).length;

    console.log(
      '[faults] redis outage:',
      JSON.stringify({
        workers: 3,
        framework: 'fastify',
        requests: outcomes.length,
        statuses: statusCounts(outcomes),
        faults: 'SHUTDOWN NOSAVE once, down 4 s, restarted empty on the same port',
        downWithinMs: Math.round(tDown - tShutdown),
        recoveredMsAfterRestart: Math.round(tRecovered - tRestart),
        sentDuringOutage: duringOutage.length,
        surelyDown503: surelyDown.length,
        duringOutageStatuses: statusCounts(duringOutage),
        fail503: unavailable,
        worst503Ms: worst503,
        worstAnyMs: worstAll,
        worstDuringOutageMs: worstLatency(duringOutage),
        executions: fresh,
        keys: tally.size,
        keysBefore: beforeKeys.length,
        doubleBefore: doubles(beforeKeys),
        keysAfter: after.length,
        doubleAfter: doubles(after),
        replayedRetriesAfter: retries.length,
        keysStraddling: straddling.length,
        doubleStraddling: doubles(straddling),
      }),
    );
  });

  it('H48: a stalled Redis (CLIENT PAUSE 9000 ALL) answers 503 within the core store timeout, not when the pause ends, and the late reservations are given back', async () => {
    const redis = await privateRedis();
    await redis.start();
    cleanups.push(() => redis.shutdown());
    const pool = await startPool({
      framework: 'koa',
      store: 'redis',
      workers: 2,
      namespace: freshNamespace('flt'),
      env: { REDIS_URL: redis.url },
    });
    cleanups.push(() => pool.stop());
    const urls = pool.workers.map((w) => w.url);

    const warm = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sendOrder(urls, i, `warm-${i}`, HANG_MS)),
    );
    expect(warm.map((o) => o.status)).toEqual(Array(6).fill(201));

    // Longer than core's bound and its margin: the 503s must come before the pause ends.
    const PAUSE_MS = 9_000;
    expect(await redis.cli('client', 'pause', String(PAUSE_MS), 'all')).toBe('OK');
    const tPause = performance.now();
    const keys = Array.from({ length: 12 }, (_, i) => `stall-${i}`);
    const stalled = await Promise.all(keys.map((key, i) => sendOrder(urls, i, key, HANG_MS)));
    expect(stalled.filter((o) => o.status !== 503)).toEqual([]);
    expectProblem503s(stalled);
    const worst = worstLatency(stalled);
    expect(worst).toBeLessThanOrEqual(CORE_TIMEOUT_MS + MARGIN_MS);
    const answeredBeforePauseEnd = stalled.every((o) => o.answeredAt < tPause + PAUSE_MS);
    expect(answeredBeforePauseEnd).toBe(true);

    // After the pause the queued reservations ran late; the store gave them back, so a retry executes at once
    // (a 409 would mean a key locked for a whole lease by a reservation nobody holds).
    await sleep(Math.max(0, tPause + PAUSE_MS + 1_000 - performance.now()));
    const retried = await Promise.all(keys.map((key, i) => sendOrder(urls, i + 1, key, HANG_MS)));
    expect(retried.map((o) => `${o.key} ${o.status}${o.replayed ? ' replayed' : ''}`)).toEqual(
      keys.map((key) => `${key} 201`),
    );
    const replays = await Promise.all(keys.map((key, i) => sendOrder(urls, i, key, HANG_MS)));
    expect(replays.filter((o) => !(o.status === 201 && o.replayed))).toEqual([]);
    for (const [i, o] of replays.entries()) expect(o.body, o.key).toBe(retried[i]?.body);
    const all = [...warm, ...stalled, ...retried, ...replays];
    const fresh = all.filter(isExecution).length;
    expect(await totalExecutions(pool.workers)).toBe(fresh);
    expect(fresh).toBe(6 + keys.length);

    console.log(
      '[faults] redis pause:',
      JSON.stringify({
        workers: 2,
        framework: 'koa',
        requests: all.length,
        statuses: statusCounts(all),
        faults: `CLIENT PAUSE ${PAUSE_MS} ALL once`,
        stalled503: stalled.length,
        worst503Ms: worst,
        fastest503Ms: Math.round(Math.min(...stalled.map(latency))),
        retriedAfterPause201: retried.filter(isExecution).length,
        executions: fresh,
        doubleExecutions: [...tallyByKey(all).values()].filter((t) => t.executions > 1).length,
      }),
    );
  });

  it('H48: PostgreSQL stalled behind a table lock answers 503 within the core store timeout, not when the lock goes; afterwards no key runs twice and a reservation that landed late is held at most one lease', async () => {
    const namespace = freshNamespace('flt');
    const table = `idempo_ref_${namespace}`;
    const locker = new pg.Client({
      connectionString: DATABASE_URL,
      application_name: 'idempo-faults-locker',
    });
    await locker.connect();
    cleanups.push(async () => {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.query(`DROP TABLE IF EXISTS public.${table}`);
      await locker.end();
    });
    const pool = await startPool({ framework: 'hono', store: 'postgres', workers: 2, namespace });
    cleanups.push(() => pool.stop());
    const urls = pool.workers.map((w) => w.url);

    const warm = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sendOrder(urls, i, `warm-${i}`, HANG_MS)),
    );
    expect(warm.map((o) => o.status)).toEqual(Array(6).fill(201));

    const HOLD_MS = 9_000;
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE public.${table} IN ACCESS EXCLUSIVE MODE`);
    const tLock = performance.now();
    const keys = Array.from({ length: 12 }, (_, i) => `locked-${i}`);
    const stalled = await Promise.all(keys.map((key, i) => sendOrder(urls, i, key, HANG_MS)));
    await sleep(Math.max(0, tLock + HOLD_MS - performance.now()));
    await locker.query('ROLLBACK');
    const tUnlock = performance.now();

    // Reservations that were waiting for the lock may commit once it goes, under tokens nobody holds. The store
    // tries to give them back (PostgresStore #undoReservation) but runs that release at once, while the lock is
    // still held, so it can fail: such a key answers 409 until its lease (30 s) ends. Measured and printed: the
    // retry of each key is a fresh 201 or that 409, never a 503 and never a second execution.
    await sleep(1_000);
    const retried = await Promise.all(keys.map((key, i) => sendOrder(urls, i + 1, key, HANG_MS)));
    const executed = retried.filter(isExecution);
    const orphans = retried.filter((o) => o.status === 409);
    const replays = await Promise.all(executed.map((o, i) => sendOrder(urls, i, o.key, HANG_MS)));
    const all = [...warm, ...stalled, ...retried, ...replays];
    const fresh = all.filter(isExecution).length;
    const worst = worstLatency(stalled);
    console.log(
      '[faults] postgres lock:',
      JSON.stringify({
        workers: 2,
        framework: 'hono',
        requests: all.length,
        statuses: statusCounts(all),
        faults: `ACCESS EXCLUSIVE lock on the table held ${Math.round(tUnlock - tLock)} ms`,
        stalledStatuses: statusCounts(stalled),
        worst503Ms: worst,
        retriedStatuses: statusCounts(retried),
        orphanReservations409: orphans.map((o) => o.key),
        executions: fresh,
        doubleExecutions: [...tallyByKey(all).values()].filter((t) => t.executions > 1).length,
      }),
    );

    expect(stalled.filter((o) => o.status !== 503)).toEqual([]);
    expectProblem503s(stalled);
    expect(worst).toBeLessThanOrEqual(CORE_TIMEOUT_MS + MARGIN_MS);
    expect(stalled.every((o) => o.answeredAt < tUnlock)).toBe(true);
    expect(retried.filter((o) => !isExecution(o) && o.status !== 409)).toEqual([]);
    expect(executed.length + orphans.length).toBe(keys.length);
    expect(replays.filter((o) => !(o.status === 201 && o.replayed))).toEqual([]);
    for (const [i, o] of replays.entries()) expect(o.body, o.key).toBe(executed[i]?.body);
    expect(await totalExecutions(pool.workers)).toBe(fresh);
    expect(fresh).toBe(6 + executed.length);
    // The orphans are in-flight rows whose lease ends within the 30 s default: held, not stuck.
    const held = await locker.query<{ n: string }>(
      `SELECT count(*) AS n FROM public.${table} WHERE state = 'in-flight' AND lease_expires_at <= now() + interval '30 seconds'`,
    );
    expect(Number(held.rows[0]?.n)).toBe(orphans.length);
  });

  /*
   * This test found that the reference app's pg.Pool had no 'error' listener: a terminated IDLE pooled connection
   * made pg-pool emit an unhandled 'error' and every worker exited (57P01). Fixed in apps/reference/src/stores.ts.
   */
  it('H48/E37: PostgreSQL backends terminated mid-run answer 503 or succeed, within bounded time, and no key runs twice', async () => {
    const namespace = freshNamespace('flt');
    const table = `idempo_ref_${namespace}`;
    const killer = new pg.Client({
      connectionString: DATABASE_URL,
      application_name: 'idempo-faults-killer',
    });
    await killer.connect();
    cleanups.push(async () => {
      await killer.query(`DROP TABLE IF EXISTS public.${table}`);
      await killer.end();
    });
    const pool = await startPool({ framework: 'hono', store: 'postgres', workers: 3, namespace });
    cleanups.push(() => pool.stop());
    const urls = pool.workers.map((w) => w.url);

    const traffic = startTraffic({ urls, prefix: 'pgkill', loops: 4, pauseMs: 10, hangMs: HANG_MS });
    await waitFor('60 answers before the first kill', () => traffic.outcomes.length >= 60, 60_000);
    let kills = 0;
    let rounds = 0;
    const until = performance.now() + 8_000;
    while (performance.now() < until) {
      const result = await killer.query<{ killed: boolean }>(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
        [`idempo-reference-${namespace}`],
      );
      kills += result.rows.filter((r) => r.killed).length;
      rounds++;
      await sleep(300);
    }
    await sleep(1_000);
    const streamed = await traffic.stop();
    // One more duplicate of every key, after the faults.
    const keys = [...tallyByKey(streamed).keys()];
    const retries = await Promise.all(keys.map((key, i) => sendOrder(urls, i, key, HANG_MS)));
    const outcomes = [...streamed, ...retries];
    const tally = tallyByKey(outcomes);

    const unavailable = outcomes.filter((o) => o.status === 503).length;
    const worst = worstLatency(outcomes.filter((o) => o.status !== 0));
    const fresh = outcomes.filter(isExecution).length;
    const withA201 = [...tally.values()].filter((t) => t.bodies.size > 0);
    const doubles = [...tally.values()].filter((t) => t.executions > 1);
    console.log(
      '[faults] postgres terminate:',
      JSON.stringify({
        workers: 3,
        framework: 'hono',
        workersAlive: alive(pool.workers),
        workerExits: pool.workers.map((w) => w.child.exitCode ?? w.child.signalCode),
        workerErrors: pool.workers.map(
          (w) => /Unhandled 'error' event[\s\S]*?\n(error: [^\n]*)/.exec(w.stderr())?.[1] ?? '',
        ),
        requests: outcomes.length,
        statuses: statusCounts(outcomes),
        faults: `${kills} backends terminated in ${rounds} rounds every 300 ms`,
        fail503: unavailable,
        worstMs: worst,
        executions: fresh,
        keys: tally.size,
        keysWithA201: withA201.length,
        doubleExecutions: doubles.length,
      }),
    );

    expect(kills).toBeGreaterThan(0);
    expect(alive(pool.workers)).toBe(3);
    expect(outcomes.filter((o) => o.status === 0).map((o) => o.error)).toEqual([]);
    expectProblem503s(outcomes);
    expect(worst).toBeLessThanOrEqual(CORE_TIMEOUT_MS + MARGIN_MS);
    expect(await totalExecutions(pool.workers)).toBe(fresh);
    expect(doubles.map((t) => t.key)).toEqual([]);
    expect(fresh).toBe(withA201.length);
    for (const t of withA201) expect(t.bodies.size, t.key).toBe(1);
  });
});
