/**
 * The operations (`get`, `delete`, `stats`) beyond the conformance suite, against the shared Redis through
 * ioredis 6 and 5: records of both in-flight forms (`n`, written by the native reserve; `f`, by a script), the hash
 * of the store before issue 17, prefixes full of glob characters, the client's own `keyPrefix`, scans of several
 * batches, damaged and foreign records.
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

    it('an in-flight record of either form (n from the native reserve, f from a script): get, stats, complete and delete read the same instants; a hash of the store before issue 17 is refused (WRONGTYPE)', async () => {
      const store = storeUnder('forms');
      const now = await redisNow(client);
      // f: instants absolute. n: instants from the key's expiry (px 90 s, so created at = expiry - 90 s).
      await client.set(store.redisKey('f-form'), `f|tok-f|${now}|${now + 30_000}|fp-f`, 'PX', 90_000);
      await client.set(store.redisKey('n-form'), 'n|tok-n|90000|30000|fp-n', 'PX', 90_000);
      const expiresN = Number(await client.call('PEXPIRETIME', store.redisKey('n-form')));
      expect(await store.get('f-form')).toMatchObject({
        state: 'in-flight',
        fingerprint: 'fp-f',
        createdAt: new Date(now),
        leaseExpiresAt: new Date(now + 30_000),
      });
      expect(await store.get('n-form')).toMatchObject({
        state: 'in-flight',
        fingerprint: 'fp-n',
        createdAt: new Date(expiresN - 90_000),
        leaseExpiresAt: new Date(expiresN - 60_000),
        expiresAt: new Date(expiresN),
      });
      expect(await store.stats()).toEqual({ inFlight: 2, leaseExpired: 0, completed: 0 });
      expect(await store.delete('n-form')).toBe('in-flight');
      expect(await store.reserve('n-form', 'fp', LONG, LONG)).toMatchObject({
        state: 'in-flight',
        fingerprint: 'fp-n',
      });
      expect(await store.complete('n-form', 'tok-n', Uint8Array.of(42), LONG)).toBe(true);
      expect(await store.get('n-form')).toMatchObject({
        state: 'completed',
        fingerprint: 'fp-n',
        createdAt: new Date(expiresN - 90_000),
        response: Uint8Array.of(42),
      });
      expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 1 });
      // An n record whose lease ended by the key's expiry (px 90 s, lease 1 ms): stats and reserve read it as ended.
      await client.set(store.redisKey('n-ended'), 'n|tok-e|90000|1|fp-e', 'PX', 90_000);
      await sleep(20);
      expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 1, completed: 1 });
      expect((await store.reserve('n-ended', 'fp', LONG, LONG)).kind).toBe('reserved');
      expect(await store.complete('n-ended', 'tok-e', Uint8Array.of(1), LONG)).toBe(false);

      // The hash of the store before issue 17: every operation refuses it, nothing written; stats skips it.
      const old = store.redisKey('old-hash');
      await client.hset(old, 's', 'f', 'f', 'fp-old', 't', 'old-token', 'l', String(now + 30_000));
      await client.pexpire(old, 90_000);
      await expect(store.reserve('old-hash', 'fp', LONG, LONG)).rejects.toThrow(/WRONGTYPE/);
      await expect(store.complete('old-hash', 'old-token', Uint8Array.of(1), LONG)).rejects.toThrow(
        /WRONGTYPE/,
      );
      await expect(store.get('old-hash')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.delete('old-hash')).rejects.toThrow(/WRONGTYPE/);
      expect(await store.stats()).toEqual({ inFlight: 2, leaseExpired: 0, completed: 1 });
      expect(await client.hget(old, 't')).toBe('old-token');
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
      /** An in-flight record as a script writes it, with its lease end set by hand on the server's clock. */
      const put = async (key: string, lease: number) => {
        await client.set(store.redisKey(key), `f|token-${key}|${now}|${lease}|fp`, 'PX', LONG);
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
      expect((await client.get(store.redisKey('running')))?.split('|')[1]).toBe('token-running');
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
        expect((await client.get(`${keyPrefix}store:a`))?.slice(0, 2)).toBe('n|');
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

    it('stats skips what is not a record: a hash under the prefix, a string of another state, a key deleted meanwhile', async () => {
      const store = storeUnder('foreign');
      await store.reserve('real', 'fp', LONG, LONG);
      await client.hset(store.redisKey('a-hash'), 's', 'f');
      await client.set(store.redisKey('unknown-state'), 'x|1');
      await client.set(store.redisKey('empty'), '');
      expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 0 });
      // get and delete see no record in a string of another state (reserve would replace it); delete drops it.
      expect(await store.get('unknown-state')).toBeUndefined();
      expect(await store.delete('unknown-state')).toBe('not-found');
      expect(await client.exists(store.redisKey('unknown-state'))).toBe(0);
      expect(await store.get('empty')).toBeUndefined();
      // A value of another type is refused as reserve refuses it (WRONGTYPE).
      await expect(store.get('a-hash')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.delete('a-hash')).rejects.toThrow(/WRONGTYPE/);
    });

    it('get refuses a damaged record with CorruptRecordError; stats and delete read a damaged in-flight record as a lease long ended', async () => {
      const store = storeUnder('damaged');
      const put = async (key: string, value: string) => {
        await client.set(store.redisKey(key), value, 'PX', LONG);
      };
      await put('no-fingerprint', 'f|tok|1000|9999999999999');
      await put('no-response', 'c|1000|9|fp');
      await put('bad-created', 'f|tok|yesterday|9999999999999|fp');
      await client.set(store.redisKey('no-retention'), 'f|tok|1000|9999999999999|fp');
      for (const key of ['no-fingerprint', 'no-response', 'bad-created']) {
        await expect(store.get(key), key).rejects.toBeInstanceOf(CorruptRecordError);
      }
      await expect(store.get('no-retention')).rejects.toThrow(/no retention/);
      // no-retention has a running lease; the two damaged in-flight ones count as ended.
      expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 2, completed: 1 });
      expect(await store.delete('bad-created')).toBe('deleted');
      expect(await store.delete('no-retention')).toBe('in-flight');
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
