/**
 * What the store writes in Redis, read back with the `...Buffer` commands: the response field holds exactly the
 * bytes given (all 256 byte values, 1 MiB of random bytes), and the record has the documented layout.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { deleteKeys, REDIS_URL, runPrefix } from './support/shared-redis.js';

const LONG = 60_000;

for (const io of IOREDIS_VERSIONS) {
  describe(`the stored record (${io.name})`, () => {
    const client: AnyRedis = io.redis(REDIS_URL);
    const prefix = runPrefix(`bytes-${io.name.replace(' ', '')}`);
    const store = new RedisStore({ client, prefix });

    afterAll(async () => {
      await deleteKeys(client, prefix);
      await client.quit();
    });

    async function stored(key: string, response: Uint8Array): Promise<Buffer | null> {
      const result = await store.reserve(key, 'fp', LONG, LONG);
      if (result.kind !== 'reserved') throw new Error('not reserved');
      expect(await store.complete(key, result.token, response, LONG)).toBe(true);
      return client.hgetBuffer(store.redisKey(key), 'r');
    }

    it('holds all 256 byte values, in order, as written', async () => {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const raw = await stored('all-bytes', bytes);
      expect(raw).toBeInstanceOf(Buffer);
      expect(raw?.length).toBe(256);
      expect(Buffer.compare(raw as Buffer, Buffer.from(bytes))).toBe(0);
    });

    it('holds 1 MiB of random bytes exactly, and replays them exactly', async () => {
      const bytes = new Uint8Array(randomBytes(1024 * 1024));
      const raw = await stored('mib', bytes);
      expect(raw?.length).toBe(bytes.length);
      expect(Buffer.compare(raw as Buffer, Buffer.from(bytes))).toBe(0);
      const replay = await store.reserve('mib', 'fp', LONG, LONG);
      if (replay.kind !== 'existing' || replay.state !== 'completed') throw new Error('no replay');
      expect(Buffer.compare(Buffer.from(replay.response), Buffer.from(bytes))).toBe(0);
    });

    it('is one hash under the prefix: state, fingerprint, token, lease and creation (Redis ms); retention is the key TTL', async () => {
      const key = 'layout';
      const [seconds, micros] = (await client.time()) as [string | number, string | number];
      const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const result = await store.reserve(key, 'fp-\u00e9', 30_000, 3_600_000);
      if (result.kind !== 'reserved') throw new Error('not reserved');
      const record = await client.hgetall(store.redisKey(key));
      expect(Object.keys(record).sort()).toEqual(['c', 'f', 'l', 's', 't']);
      expect(record).toMatchObject({ s: 'f', f: 'fp-\u00e9', t: result.token });
      expect(Number(record['l']) - redisNow).toBeGreaterThanOrEqual(30_000);
      expect(Number(record['l']) - redisNow).toBeLessThan(35_000);
      // Created at: the same Redis clock reading as the lease, written by the same HSET.
      expect(Number(record['c']) - redisNow).toBeGreaterThanOrEqual(0);
      expect(Number(record['c']) - redisNow).toBeLessThan(5_000);
      expect(Number(record['l']) - Number(record['c'])).toBe(30_000);
      const ttl = await client.pttl(store.redisKey(key));
      expect(ttl).toBeGreaterThan(3_590_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);

      expect(await store.complete(key, result.token, Uint8Array.of(1), 120_000)).toBe(true);
      expect(await client.hget(store.redisKey(key), 's')).toBe('c');
      expect(await client.hget(store.redisKey(key), 'c'), 'complete keeps when it was reserved').toBe(
        record['c'],
      );
      const retention = await client.pttl(store.redisKey(key));
      expect(retention, 'complete sets the retention from now').toBeGreaterThan(110_000);
      expect(retention).toBeLessThanOrEqual(120_000);
    });
  });
}
