/**
 * RedisStore beyond the conformance suite, against the shared Redis: options, close(), the Redis server's clock,
 * a re-sent reserve, damaged records, and two stores on one client.
 */
import { randomUUID } from 'node:crypto';
import { CorruptRecordError, InvalidOptionsError, StoreUnavailableError } from '@idempo/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS, type RedisClient, RedisStore } from '../src/index.js';
import { nativeReservation } from '../src/record.js';
import { SCRIPT_NAMES } from '../src/redis-client.js';
import { parseReserveReply } from '../src/replies.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { deleteKeys, REDIS_URL, runPrefix } from './support/shared-redis.js';

const LONG = 60_000;

describe('RedisStore options', () => {
  const client = { defineCommand: () => undefined } as RedisClient;

  it('defaults: prefix "idempo:", timeoutMs 2000', () => {
    expect(DEFAULT_PREFIX).toBe('idempo:');
    expect(DEFAULT_TIMEOUT_MS).toBe(2_000);
  });

  it('refuses a missing or foreign client, a bad prefix and a bad timeoutMs with InvalidOptionsError', () => {
    expect(() => new RedisStore(undefined as never)).toThrow(InvalidOptionsError);
    expect(() => new RedisStore({} as never)).toThrow(InvalidOptionsError);
    expect(() => new RedisStore({ client: {} as RedisClient })).toThrow(InvalidOptionsError);
    // defineCommand that adds nothing: not an ioredis client.
    expect(() => new RedisStore({ client })).toThrow(/Buffer variant/);
    expect(() => new RedisStore({ client, prefix: 1 as never })).toThrow(InvalidOptionsError);
    for (const timeoutMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new RedisStore({ client, timeoutMs })).toThrow(InvalidOptionsError);
    }
  });
});

for (const io of IOREDIS_VERSIONS) {
  describe(`RedisStore (${io.name})`, () => {
    const client: AnyRedis = io.redis(REDIS_URL);
    const prefix = runPrefix(`store-${io.name.replace(' ', '')}`);
    const store = new RedisStore({ client, prefix });

    afterAll(async () => {
      vi.restoreAllMocks();
      await deleteKeys(client, prefix);
      await client.quit();
    });

    it('exposes its prefix, timeoutMs and the Redis key of a storage key', () => {
      expect(store.prefix).toBe(prefix);
      expect(store.timeoutMs).toBe(2_000);
      expect(store.redisKey('abc')).toBe(`${prefix}abc`);
      expect(new RedisStore({ client }).prefix).toBe('idempo:');
    });

    it('close() stops the store but leaves the client open', async () => {
      const closing = new RedisStore({ client, prefix });
      await closing.close();
      await expect(closing.reserve('closed', 'fp', LONG, LONG)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(closing.complete('closed', 't', new Uint8Array(0), LONG)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(closing.release('closed', 't')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(closing.extend('closed', 't', LONG)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await client.ping()).toBe('PONG');
      expect(client.status).toBe('ready');
      expect((await store.reserve('after-close', 'fp', LONG, LONG)).kind).toBe('reserved');
    });

    it('two stores on one client share the scripts; different prefixes are different records', async () => {
      const other = new RedisStore({ client, prefix: `${prefix}other:` });
      expect((await store.reserve('shared', 'fp-1', LONG, LONG)).kind).toBe('reserved');
      expect((await other.reserve('shared', 'fp-2', LONG, LONG)).kind).toBe('reserved');
      expect(await store.reserve('shared', 'fp-3', LONG, LONG)).toMatchObject({ fingerprint: 'fp-1' });
    });

    it('refuses durations that are not positive numbers (RangeError) and rounds fractions up', async () => {
      for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.reserve('bad', 'fp', bad, LONG)).rejects.toBeInstanceOf(RangeError);
        await expect(store.reserve('bad', 'fp', LONG, bad)).rejects.toBeInstanceOf(RangeError);
        await expect(store.extend('bad', 't', bad)).rejects.toBeInstanceOf(RangeError);
        await expect(store.complete('bad', 't', new Uint8Array(0), bad)).rejects.toBeInstanceOf(RangeError);
      }
      const result = await store.reserve('fraction', 'fp', 0.5, 1_000.2);
      expect(result.kind).toBe('reserved');
      expect(await client.pttl(store.redisKey('fraction'))).toBeLessThanOrEqual(1_001);
    });

    it('[15.2] the key of an in-flight record expires no sooner than its lease: reserve sets max(lease, ttl), extend moves it to at least the lease, never shorter; complete sets the retention', async () => {
      const key = store.redisKey('key-expiry');
      const r = await store.reserve('key-expiry', 'fp', 20_000, 5_000);
      if (r.kind !== 'reserved') throw new Error('not reserved');
      expect(await client.pttl(key)).toBeGreaterThan(19_000);
      expect(await store.extend('key-expiry', r.token, 40_000)).toBe(true);
      expect(await client.pttl(key)).toBeGreaterThan(39_000);
      expect(await store.extend('key-expiry', r.token, 1_000)).toBe(true);
      expect(await client.pttl(key), 'a shorter lease leaves the expiry alone').toBeGreaterThan(39_000);
      expect(await store.complete('key-expiry', r.token, Uint8Array.of(1), 3_000)).toBe(true);
      expect(await client.pttl(key)).toBeLessThanOrEqual(3_000);
    });

    it('a burst of reserves while the connection is being opened shares one listener per event, and each is sent once it is ready', async () => {
      const opening = io.redis(REDIS_URL);
      try {
        expect(opening.status).toBe('connecting');
        const before = ['ready', 'close', 'end'].map((event) => opening.listenerCount(event));
        const burst = new RedisStore({ client: opening, prefix: `${prefix}burst:` });
        const reserves = Array.from({ length: 50 }, (_, i) =>
          burst.reserve(`k${i}`, 'fp', LONG, LONG, { deadline: Date.now() + 5_000 }),
        );
        await Promise.resolve();
        expect(['ready', 'close', 'end'].map((event) => opening.listenerCount(event))).toEqual(
          before.map((count) => count + 1),
        );
        const results = await Promise.all(reserves);
        expect(results.every((result) => result.kind === 'reserved')).toBe(true);
        expect(['ready', 'close', 'end'].map((event) => opening.listenerCount(event))).toEqual(before);
      } finally {
        await opening.quit();
      }
    });

    it('leases run on the Redis server clock: a skewed application clock changes nothing', async () => {
      const now = Date.now();
      vi.spyOn(Date, 'now').mockReturnValue(now + 86_400_000);
      vi.spyOn(performance, 'now').mockReturnValue(performance.now() + 86_400_000);
      try {
        const first = await store.reserve('clock', 'fp', 300, LONG);
        expect(first.kind).toBe('reserved');
        expect(await store.reserve('clock', 'fp', 300, LONG)).toMatchObject({ state: 'in-flight' });
      } finally {
        vi.restoreAllMocks();
      }
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect((await store.reserve('clock', 'fp', 300, LONG)).kind).toBe('reserved');
    });

    it('a reserve re-sent by ioredis after a lost reply (same token) is still the caller’s reservation', async () => {
      const reserve = (client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[
        `${SCRIPT_NAMES.reserve}Buffer`
      ];
      if (!reserve) throw new Error('the reserve script is not defined on the client');
      const key = store.redisKey('resent');
      const token = randomUUID();
      // The reserve script, sent twice with one token: nil (the caller holds the key) both times.
      expect(await reserve.call(client, key, 'fp', token, LONG, LONG)).toBeNull();
      expect(await reserve.call(client, key, 'fp', token, LONG, LONG)).toBeNull();
      // The native reserve, sent twice: nil, then the caller's own record, which is read as reserved.
      const nativeKey = store.redisKey('resent-native');
      const nativeToken = randomUUID();
      const value = nativeReservation(nativeToken, String(LONG), String(LONG), 'fp');
      expect(await client.setBuffer(nativeKey, value, 'PX', LONG, 'NX', 'GET')).toBeNull();
      const again = await client.setBuffer(nativeKey, value, 'PX', LONG, 'NX', 'GET');
      expect(parseReserveReply(again, nativeToken, false)).toEqual({ kind: 'reserved', token: nativeToken });
      // Anyone else still sees it in flight.
      expect(await store.reserve('resent', 'fp-other', LONG, LONG)).toMatchObject({
        kind: 'existing',
        state: 'in-flight',
        fingerprint: 'fp',
      });
      expect(await store.complete('resent', token, Uint8Array.of(9), LONG)).toBe(true);
    });

    it("the client's own keyPrefix option is applied by ioredis in front of the store's prefix", async () => {
      const prefixed = io.redis(REDIS_URL, { keyPrefix: `${prefix}kp:` });
      try {
        const inner = new RedisStore({ client: prefixed, prefix: 'store:' });
        const result = await inner.reserve('k', 'fp', LONG, LONG);
        expect(result.kind).toBe('reserved');
        expect((await client.get(`${prefix}kp:store:k`))?.slice(0, 2)).toBe('n|');
      } finally {
        await prefixed.quit();
      }
    });

    it('a damaged record is refused with CorruptRecordError or taken over; a value of another type with StoreUnavailableError', async () => {
      // A completed record whose response cannot be read.
      await client.set(store.redisKey('no-response'), 'c|1000|9|fp', 'PX', LONG);
      await expect(store.reserve('no-response', 'fp', LONG, LONG)).rejects.toBeInstanceOf(CorruptRecordError);
      // An in-flight record without its lease reads as a lease long ended, as before: taken over.
      await client.set(store.redisKey('no-lease'), 'f|tok|1000|', 'PX', LONG);
      expect((await store.reserve('no-lease', 'fp', LONG, LONG)).kind).toBe('reserved');
      // A hash (the record of the store before issue 17) or any other type: WRONGTYPE, nothing written.
      await client.hset(
        store.redisKey('a-hash'),
        's',
        'f',
        'f',
        'fp',
        't',
        'x',
        'l',
        String(Date.now() + LONG),
      );
      const error = await store.reserve('a-hash', 'fp', LONG, LONG).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(String((error as Error).message)).toMatch(/WRONGTYPE/);
      expect(await client.hget(store.redisKey('a-hash'), 't')).toBe('x');
      // A string of no state this store writes is replaced by a reservation.
      await client.set(store.redisKey('unknown-state'), 'x|junk');
      expect((await store.reserve('unknown-state', 'fp', LONG, LONG)).kind).toBe('reserved');
      expect((await client.get(store.redisKey('unknown-state')))?.slice(0, 2)).toBe('f|');
    });
  });
}
