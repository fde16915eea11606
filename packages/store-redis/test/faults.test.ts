/**
 * Faults on a private redis-server (never the shared one): the server stopped, the server paused (slow), the
 * client closed, the offline queue off. Every operation must reject with a typed store error from @idempo/core
 * within its bound plus a margin, never hang, never leave a reservation nobody holds; after a restart the store
 * works again on the same client. The bound of reserve, complete, release and extend is core's (they are called
 * as core's engine calls them, through `boundStore`: `storeTimeoutMs` and its deadline); that of get, delete and
 * stats is the store's `timeoutMs`.
 */
import { once } from 'node:events';
import { StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import { boundStore } from '@idempo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { type PrivateRedis, redisCli, startPrivateRedis } from './support/redis-server.js';

/** Core's `storeTimeoutMs` for the calls core makes, and the store's `timeoutMs` for get, delete and stats. */
const TIMEOUT_MS = 500;
/** Timers, event loop and two busy cores: what a rejection may take beyond its bound. */
const MARGIN_MS = 750;
const LONG = 60_000;

let server: PrivateRedis | undefined;

beforeAll(async () => {
  server = await startPrivateRedis('faults');
}, 60_000);

afterAll(async () => {
  await server?.destroy();
}, 60_000);

function privateServer(): PrivateRedis {
  if (!server) throw new Error('the private server did not start');
  return server;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function ready(client: AnyRedis): Promise<void> {
  if (client.status === 'ready') return;
  await Promise.race([
    once(client, 'ready'),
    sleep(30_000).then(() => {
      throw new Error(`client still ${client.status} after 30 s`);
    }),
  ]);
}

/** Runs `operation`, which must reject with a typed store error; returns the error's class and the time taken. */
async function expectTypedFailure(operation: () => Promise<unknown>): Promise<{ error: string; ms: number }> {
  const started = performance.now();
  let caught: unknown;
  try {
    await operation();
  } catch (error) {
    caught = error;
  }
  const ms = Math.round(performance.now() - started);
  expect(caught, 'the operation should have rejected').toBeInstanceOf(StoreUnavailableError);
  expect(ms, 'rejected within its bound + margin').toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  return { error: (caught as Error).constructor.name, ms };
}

async function token(store: RedisStore, key: string, leaseMs = LONG): Promise<string> {
  const result = await store.reserve(key, 'fp', leaseMs, LONG);
  if (result.kind !== 'reserved') throw new Error(`${key} was not reserved`);
  return result.token;
}

for (const io of IOREDIS_VERSIONS) {
  describe(`faults (${io.name}, timeoutMs ${TIMEOUT_MS})`, () => {
    const clients: AnyRedis[] = [];
    const connect = (options: Record<string, unknown> = {}) => {
      const client = io.redis(privateServer().url, options);
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    };
    const prefix = `faults:${io.name.replace(' ', '')}:`;

    afterAll(async () => {
      for (const client of clients) client.disconnect();
    });

    it("H48 server stopped: each operation rejects with a typed error within core's bound, even with a client that retries forever (a reserve at once, nothing queued [15.13]); after a restart it works again and no reservation is left", async () => {
      // maxRetriesPerRequest: null makes ioredis keep commands queued until the server is back: the bound is core's.
      const client = connect({ maxRetriesPerRequest: null });
      const store = new RedisStore({ client, prefix: `${prefix}stopped:`, timeoutMs: TIMEOUT_MS });
      const core = boundStore(store, TIMEOUT_MS);
      await ready(client);
      const held = await token(store, 'held');

      await privateServer().stop();
      const timings: Record<string, { error: string; ms: number }> = {};
      timings['reserve'] = await expectTypedFailure(() => core.reserve('queued', 'fp', LONG, LONG));
      timings['complete'] = await expectTypedFailure(() =>
        core.complete('held', held, Uint8Array.of(1), LONG),
      );
      timings['extend'] = await expectTypedFailure(() => core.extend('held', held, LONG));
      timings['release'] = await expectTypedFailure(() => core.release('held', held));
      console.info(`${io.name}: server stopped, client retrying forever\n${JSON.stringify(timings)}`);
      // The reserve is never queued: refused at once while the client is reconnecting, or, when it finds the client
      // in one of its 'connecting' attempts (a loaded machine), refused when that attempt fails or when no 'ready'
      // came within 90% of the time left to its deadline. The others wait in the offline queue and core times them
      // out. That no reserve ran at all is checked after the restart.
      expect(['StoreUnavailableError', 'StoreTimeoutError']).toContain(timings['reserve']?.error);
      expect(timings['reserve']?.ms).toBeLessThan(TIMEOUT_MS);
      for (const operation of ['complete', 'extend', 'release'])
        expect(timings[operation]?.error, operation).toBe('StoreTimeoutError');

      await privateServer().start();
      await ready(client);
      // The restarted server's statistics start at zero: the queued complete, extend and release of 'held' ran
      // and found no record (the server lost it, nothing saved), and no reserve ran, so nothing was deleted.
      let stats = '';
      for (let i = 0; i < 50 && !/cmdstat_evalsha:calls=3,|cmdstat_eval:calls=3,/.test(stats); i++) {
        await sleep(100);
        stats = String(await client.info('commandstats'));
      }
      expect(stats, 'no late reservation to release').not.toMatch(/cmdstat_del:/);
      expect(await client.exists(store.redisKey('queued'))).toBe(0);
      const fresh = await token(store, 'queued');
      expect(await store.complete('queued', fresh, Uint8Array.of(7), LONG)).toBe(true);
      await client.del(store.redisKey('queued'), store.redisKey('held'));
    });

    it("H48 server paused (slow): each operation rejects with StoreTimeoutError within core's bound; what ran late is documented behaviour, the late reservation given back by core", async () => {
      const client = connect();
      const admin = connect();
      const store = new RedisStore({ client, prefix: `${prefix}paused:`, timeoutMs: TIMEOUT_MS });
      const core = boundStore(store, TIMEOUT_MS);
      await Promise.all([ready(client), ready(admin)]);
      const toComplete = await token(store, 'complete');
      const toExtend = await token(store, 'extend', 1_000);
      const toRelease = await token(store, 'release');
      await admin.config('RESETSTAT');

      await redisCli(privateServer().port, 'client', 'pause', '1500', 'ALL');
      const timings: Record<string, { error: string; ms: number }> = {};
      const results = await Promise.all([
        expectTypedFailure(() => core.reserve('late', 'fp', LONG, LONG)),
        expectTypedFailure(() => core.complete('complete', toComplete, Uint8Array.of(1, 2, 3), LONG)),
        expectTypedFailure(() => core.extend('extend', toExtend, LONG)),
        expectTypedFailure(() => core.release('release', toRelease)),
      ]);
      [timings['reserve'], timings['complete'], timings['extend'], timings['release']] = results;
      console.info(`${io.name}: server paused 1500 ms\n${JSON.stringify(timings)}`);
      for (const { error } of results) expect(error).toBe(new StoreTimeoutError('').constructor.name);

      // After the pause the four commands run, in order. The late reserve reaches core (the store's call resolves
      // after its deadline, the store releasing nothing itself), and core gives it back.
      let stats = '';
      for (let i = 0; i < 50 && !/cmdstat_del:calls=2/.test(stats); i++) {
        await sleep(100);
        stats = String(await admin.info('commandstats'));
      }
      expect(stats, 'the late release and core undoing the late reservation: two DELs').toMatch(
        /cmdstat_del:calls=2,/,
      );
      expect(core.lateReleases, 'one late reservation given back').toHaveLength(1);
      expect(await core.lateReleases[0]).toBe(true);
      expect(await client.exists(store.redisKey('late')), 'no reservation nobody holds').toBe(0);
      // The late complete was written (its caller was told it failed; a retry replays this response).
      const replay = await store.reserve('complete', 'fp', LONG, LONG);
      expect(replay).toMatchObject({ kind: 'existing', state: 'completed' });
      // The late extend moved the lease (it would have ended after 1 s).
      await sleep(1_100);
      expect(await store.reserve('extend', 'fp', LONG, LONG)).toMatchObject({ state: 'in-flight' });
      expect(await store.release('extend', toExtend)).toBe(true);
      // The late release deleted its record.
      expect(await client.exists(store.redisKey('release'))).toBe(0);
      await client.del(store.redisKey('complete'));
    });

    it('client closed by its owner: operations reject at once with StoreUnavailableError', async () => {
      const client = connect();
      const store = new RedisStore({ client, prefix: `${prefix}closed:`, timeoutMs: TIMEOUT_MS });
      await ready(client);
      await client.quit();
      const { error, ms } = await expectTypedFailure(() => store.reserve('k', 'fp', LONG, LONG));
      expect(error).toBe('StoreUnavailableError');
      expect(ms).toBeLessThan(TIMEOUT_MS);
    });

    it('offline queue off and the server down: operations reject at once, nothing is queued', async () => {
      const client = connect({ enableOfflineQueue: false });
      const store = new RedisStore({ client, prefix: `${prefix}no-queue:`, timeoutMs: TIMEOUT_MS });
      await ready(client);
      await privateServer().stop();
      try {
        for (let i = 0; i < 50 && client.status === 'ready'; i++) await sleep(20);
        const { error, ms } = await expectTypedFailure(() => store.reserve('k', 'fp', LONG, LONG));
        expect(error).toBe('StoreUnavailableError');
        expect(ms).toBeLessThan(TIMEOUT_MS);
      } finally {
        await privateServer().start();
      }
      await ready(client);
      expect((await store.reserve('k', 'fp', LONG, LONG)).kind).toBe('reserved');
      await client.del(store.redisKey('k'));
    });

    it('operations: get, delete and stats reject like the others: StoreTimeoutError within timeoutMs when the server is paused or stopped, StoreUnavailableError at once when the client is closed', async () => {
      const client = connect({ maxRetriesPerRequest: null });
      const admin = connect();
      const store = new RedisStore({ client, prefix: `${prefix}ops:`, timeoutMs: TIMEOUT_MS });
      await Promise.all([ready(client), ready(admin)]);
      await token(store, 'held');
      await token(store, 'to-delete');
      const operations = {
        get: () => store.get('held'),
        delete: () => store.delete('to-delete', { force: true }),
        'delete, no force': () => store.delete('held'),
        stats: () => store.stats(),
      };

      await redisCli(privateServer().port, 'client', 'pause', '1500', 'ALL');
      const paused = await Promise.all(Object.values(operations).map((op) => expectTypedFailure(op)));
      console.info(`${io.name}: operations, server paused 1500 ms\n${JSON.stringify(paused)}`);
      for (const { error } of paused) expect(error).toBe('StoreTimeoutError');
      // After the pause the late (forced) delete runs: what the operator asked for.
      for (let i = 0; i < 50 && (await admin.exists(store.redisKey('to-delete'))) === 1; i++)
        await sleep(100);
      expect(await admin.exists(store.redisKey('to-delete'))).toBe(0);
      // The late delete without force decided when it ran, by the server's clock: the lease runs, the record stays.
      expect(await store.get('held')).toMatchObject({ state: 'in-flight' });

      await privateServer().stop();
      try {
        const stopped = await Promise.all(Object.values(operations).map((op) => expectTypedFailure(op)));
        console.info(`${io.name}: operations, server stopped\n${JSON.stringify(stopped)}`);
        for (const { error } of stopped) expect(error).toBe('StoreTimeoutError');
      } finally {
        await privateServer().start();
      }
      await ready(client);
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });

      await client.quit();
      for (const op of Object.values(operations)) {
        const { error, ms } = await expectTypedFailure(op);
        expect(error).toBe('StoreUnavailableError');
        expect(ms).toBeLessThan(TIMEOUT_MS);
      }
    });
  });
}
