/**
 * The operations (`get`, `delete`, `stats`) beyond the conformance suite, against the shared Redis through
 * ioredis 6 and 5: records written by the previous version of the store (no `c`), prefixes full of glob
 * characters, the client's own `keyPrefix`, scans of several batches, damaged and foreign records.
 */
import { CorruptRecordError, StoreUnavailableError } from '@idempo/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { deleteKeys, REDIS_URL, runPrefix } from './support/shared-redis.js';

const LONG = 60_000;

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Milliseconds of the Redis server's clock. */
async function redisNow(client: AnyRedis): Promise<number> {
  const [seconds, micros] = (await client.time()) as [string | number, string | number];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

for (const io of IOREDIS_VERSIONS) {
  describe(`RedisStore operations (${io.name})`, () => {
    const client: AnyRedis = io.redis(REDIS_URL);
    const base = runPrefix(`ops-${io.name.replace(' ', '')}`);
    /** A store under a prefix of its own: `stats` counts everything under it. Every key here is under `base`. */
    const storeUnder = (label: string) => new RedisStore({ client, prefix: `${base}${label}:` });

    afterAll(async () => {
      expect(await deleteKeys(client, base)).toBeGreaterThan(0);
      await client.quit();
    });

    it('a record written by the previous version (no c field): get reports createdAt undefined and the rest as stored; complete, stats and delete work on it', async () => {
      const store = storeUnder('old');
      const now = await redisNow(client);
      const inFlight = store.redisKey('old-in-flight');
      // Exactly what the previous reserve script wrote: HSET s f t l, then PEXPIRE.
      await client.hset(inFlight, 's', 'f', 'f', 'fp-old', 't', 'old-token', 'l', String(now + 30_000));
      await client.pexpire(inFlight, 90_000);
      const completed = store.redisKey('old-completed');
      await client.hset(completed, 's', 'c', 'f', 'fp-done', 't', 'other', 'l', String(now + 30_000));
      await client.hset(completed, 'r', Buffer.from([0, 255, 7]));
      await client.pexpire(completed, 45_000);

      const after = await redisNow(client);
      const record = await store.get('old-in-flight');
      expect(record).toEqual({
        state: 'in-flight',
        fingerprint: 'fp-old',
        createdAt: undefined,
        leaseExpiresAt: new Date(now + 30_000),
        expiresAt: expect.any(Date),
        response: undefined,
      });
      // The key's own expiry, on the Redis clock: PEXPIRE 90 s ran between `now` and `after`.
      const expires = record?.expiresAt.getTime() ?? 0;
      expect(expires).toBeGreaterThanOrEqual(now + 90_000);
      expect(expires).toBeLessThanOrEqual(after + 90_000);
      const done = await store.get('old-completed');
      expect(done).toMatchObject({ state: 'completed', fingerprint: 'fp-done', createdAt: undefined });
      expect(done?.leaseExpiresAt).toBeUndefined();
      expect([...(done?.response ?? [])]).toEqual([0, 255, 7]);
      expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 1 });

      // The new store completes the old holder's record: still no createdAt, and the response is there.
      expect(await store.complete('old-in-flight', 'old-token', Uint8Array.of(42), LONG)).toBe(true);
      expect(await store.get('old-in-flight')).toMatchObject({
        state: 'completed',
        fingerprint: 'fp-old',
        createdAt: undefined,
        response: Uint8Array.of(42),
      });
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 2 });
      expect(await store.delete('old-completed')).toBe('deleted');
      expect(await client.exists(completed)).toBe(0);
      // A takeover by this version writes createdAt.
      await client.hset(inFlight, 's', 'f', 'l', String(now - 1));
      expect((await store.reserve('old-in-flight', 'fp-new', LONG, LONG)).kind).toBe('reserved');
      expect((await store.get('old-in-flight'))?.createdAt).toBeInstanceOf(Date);
    });

    it('stats E35: a lease-ended record counts as leaseExpired until taken over; delete frees it without force (get would return it)', async () => {
      const store = storeUnder('lease-ended');
      const held = await store.reserve('crashed', 'fp', 50, LONG);
      if (held.kind !== 'reserved') throw new Error('not reserved');
      expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 0 });
      await sleep(150);
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 1, completed: 0 });
      const record = await store.get('crashed');
      expect(record?.state).toBe('in-flight');
      expect(record?.leaseExpiresAt?.getTime()).toBeLessThan(await redisNow(client));
      expect(await store.delete('crashed')).toBe('deleted');
      expect(await store.extend('crashed', held.token, LONG)).toBe(false);
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
    });

    it('E34 delete decides by the Redis clock: a lease running by TIME is kept without force and deleted with it, whatever Date.now says', async () => {
      const store = storeUnder('delete-clock');
      const now = await redisNow(client);
      /** An in-flight record as reserve writes it, with its lease `l` set by hand on the server's clock. */
      const put = async (key: string, lease: number) => {
        await client.hset(store.redisKey(key), 's', 'f', 'f', 'fp', 't', `token-${key}`, 'l', String(lease));
        await client.hset(store.redisKey(key), 'c', String(now));
        await client.pexpire(store.redisKey(key), LONG);
      };
      await put('running', now + 30_000);
      await put('ended', now - 1_000);
      const skew = async (ms: number, check: () => Promise<void>) => {
        vi.spyOn(Date, 'now').mockReturnValue(Date.now() + ms);
        try {
          await check();
        } finally {
          vi.restoreAllMocks();
        }
      };
      // The application's clock a day ahead: by it, the running lease has long ended. Redis's TIME says it runs.
      await skew(86_400_000, async () => {
        expect(await store.delete('running')).toBe('in-flight');
        expect(await store.delete('running', { force: false })).toBe('in-flight');
      });
      expect(await client.hget(store.redisKey('running'), 't')).toBe('token-running');
      expect(await store.get('running')).toMatchObject({ leaseExpiresAt: new Date(now + 30_000) });
      // A day behind: by it, the ended lease still runs. Redis's TIME says it ended: deleted without force.
      await skew(-86_400_000, async () => {
        expect(await store.delete('ended')).toBe('deleted');
        expect(await store.delete('running', { force: true })).toBe('deleted');
      });
      expect(await client.exists(store.redisKey('ended'), store.redisKey('running'))).toBe(0);
      // The forced-out holder writes nothing; the next request runs afresh.
      expect(await store.complete('running', 'token-running', Uint8Array.of(1), LONG)).toBe(false);
      expect(await store.delete('running', { force: true })).toBe('not-found');
      expect((await store.reserve('running', 'fp', LONG, LONG)).kind).toBe('reserved');
    });

    it('stats with a prefix full of glob characters (* ? [ ] \\) counts its own records and no other prefix’s', async () => {
      const glob = storeUnder('a*b?c[d]e\\f');
      // Prefixes the unescaped pattern `…a*b?c[d]e\f:*` matches (and it would miss glob's own keys: `[d]` is not `d`).
      const decoys = ['aXbYcdef', 'aZZbQcdef', 'a*b?cdef'].map((label) => storeUnder(label));
      for (const store of decoys) {
        const r = await store.reserve('k', 'fp', LONG, LONG);
        if (r.kind === 'reserved') await store.complete('k', r.token, Uint8Array.of(1), LONG);
      }
      expect(await glob.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
      await glob.reserve('mine-1', 'fp', LONG, LONG);
      await glob.reserve('mine-2', 'fp', LONG, LONG);
      expect(await glob.stats()).toEqual({ inFlight: 2, leaseExpired: 0, completed: 0 });
      for (const decoy of decoys) {
        expect(await decoy.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 1 });
      }
    });

    it("stats honours the client's own keyPrefix: ioredis puts it in front of every key, SCAN sees it", async () => {
      const keyPrefix = `${base}kp:`;
      const prefixed = io.redis(REDIS_URL, { keyPrefix });
      try {
        const inner = new RedisStore({ client: prefixed, prefix: 'store:' });
        const sibling = new RedisStore({ client, prefix: `${base}store:` });
        await inner.reserve('a', 'fp', LONG, LONG);
        const b = await inner.reserve('b', 'fp', LONG, LONG);
        if (b.kind === 'reserved') await inner.complete('b', b.token, Uint8Array.of(1), LONG);
        await sibling.reserve('not-counted', 'fp', LONG, LONG);
        expect(await client.hget(`${keyPrefix}store:a`, 's')).toBe('f');
        expect(await inner.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 1 });
        expect(await inner.get('b')).toMatchObject({ state: 'completed', response: Uint8Array.of(1) });
        expect(await inner.delete('a')).toBe('in-flight');
        expect(await inner.delete('a', { force: true })).toBe('deleted');
        expect(await inner.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 1 });
      } finally {
        await prefixed.quit();
      }
    });

    it('stats counts every one of 1,234 records, over several SCAN batches', async () => {
      const store = storeUnder('many');
      const n = 1_234;
      for (let i = 0; i < n; i += 100) {
        await Promise.all(
          Array.from({ length: Math.min(100, n - i) }, async (_, j) => {
            const key = `k${i + j}`;
            const r = await store.reserve(key, 'fp', LONG, LONG);
            if (r.kind === 'reserved' && (i + j) % 2 === 0)
              await store.complete(key, r.token, Uint8Array.of(1), LONG);
          }),
        );
      }
      expect(await store.stats()).toEqual({ inFlight: n / 2, leaseExpired: 0, completed: n / 2 });
    });

    it('stats skips what is not a record: a string under the prefix, a hash of another state, a key deleted meanwhile', async () => {
      const store = storeUnder('foreign');
      await store.reserve('real', 'fp', LONG, LONG);
      await client.set(store.redisKey('a-string'), 'not a hash');
      await client.hset(store.redisKey('unknown-state'), 's', 'x');
      await client.hset(store.redisKey('no-state'), 'junk', '1');
      expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 0 });
      // get and delete see no record in a hash of another state (reserve would replace it); delete drops it.
      expect(await store.get('unknown-state')).toBeUndefined();
      expect(await store.delete('unknown-state')).toBe('not-found');
      expect(await client.exists(store.redisKey('unknown-state'))).toBe(0);
      expect(await store.delete('no-state')).toBe('not-found');
      // A value of another type is refused as reserve refuses it (WRONGTYPE).
      await expect(store.get('a-string')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.delete('a-string')).rejects.toThrow(/WRONGTYPE/);
    });

    it('get refuses a damaged record with CorruptRecordError, and reads an in-flight record without a lease as a lease long ended', async () => {
      const store = storeUnder('damaged');
      const put = async (key: string, ...fields: string[]) => {
        await client.hset(store.redisKey(key), ...fields);
        await client.pexpire(store.redisKey(key), LONG);
      };
      await put('no-fingerprint', 's', 'f', 'l', '1');
      await put('no-response', 's', 'c', 'f', 'fp');
      await put('bad-created', 's', 'f', 'f', 'fp', 'l', '1', 'c', 'yesterday');
      await client.hset(store.redisKey('no-retention'), 's', 'f', 'f', 'fp', 'l', '1');
      await put('no-lease', 's', 'f', 'f', 'fp', 't', 'x');
      for (const key of ['no-fingerprint', 'no-response', 'bad-created', 'no-retention']) {
        await expect(store.get(key), key).rejects.toBeInstanceOf(CorruptRecordError);
      }
      expect(await store.get('no-lease')).toMatchObject({ state: 'in-flight', leaseExpiresAt: new Date(0) });
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 4, completed: 1 });
    });

    it('get, delete and stats of a closed store reject with StoreUnavailableError', async () => {
      const store = storeUnder('closed');
      await store.close();
      await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.delete('k')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.stats()).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
}
