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
      // The completed record ends with the response: `c|<createdAt>|<fingerprint bytes>|<fingerprint><response>`.
      const record = await client.getBuffer(store.redisKey(key));
      return record ? record.subarray(record.length - response.length) : null;
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

    it('is one string under the prefix: n|token|px|leaseMs|fingerprint, instants read from the key expiry (Redis ms); complete writes c|createdAt|length|fingerprint+response', async () => {
      const key = 'layout';
      const [seconds, micros] = (await client.time()) as [string | number, string | number];
      const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const result = await store.reserve(key, 'fp-\u00e9', 30_000, 3_600_000);
      if (result.kind !== 'reserved') throw new Error('not reserved');
      const redisKey = store.redisKey(key);
      expect(await client.type(redisKey)).toBe('string');
      expect(await client.get(redisKey)).toBe(`n|${result.token}|3600000|30000|fp-\u00e9`);
      // The key's expiry is the Redis clock at the reservation + px: created at and the lease end follow from it.
      const expires = Number(await client.call('PEXPIRETIME', redisKey));
      const createdAt = expires - 3_600_000;
      expect(createdAt - redisNow).toBeGreaterThanOrEqual(0);
      expect(createdAt - redisNow).toBeLessThan(5_000);
      expect(await store.get(key)).toMatchObject({
        createdAt: new Date(createdAt),
        leaseExpiresAt: new Date(createdAt + 30_000),
        expiresAt: new Date(expires),
      });

      expect(await store.complete(key, result.token, Uint8Array.of(1), 120_000)).toBe(true);
      const completed = await client.getBuffer(redisKey);
      expect(
        Buffer.compare(
          completed as Buffer,
          Buffer.concat([Buffer.from(`c|${createdAt}|5|fp-\u00e9`), Buffer.of(1)]),
        ),
        'complete keeps when it was reserved',
      ).toBe(0);
      const retention = await client.pttl(redisKey);
      expect(retention, 'complete sets the retention from now').toBeGreaterThan(110_000);
      expect(retention).toBeLessThanOrEqual(120_000);
    });

    it('extend rewrites the record with absolute instants (f|token|createdAt|leaseEnd|fingerprint), keeping its expiry', async () => {
      const key = 'extended';
      const result = await store.reserve(key, 'fp', 30_000, 3_600_000);
      if (result.kind !== 'reserved') throw new Error('not reserved');
      const redisKey = store.redisKey(key);
      const expires = Number(await client.call('PEXPIRETIME', redisKey));
      const [seconds, micros] = (await client.time()) as [string | number, string | number];
      const before = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      expect(await store.extend(key, result.token, 45_000)).toBe(true);
      const [token, created, lease, fingerprint] = ((await client.get(redisKey)) ?? '').slice(2).split('|');
      expect((await client.get(redisKey))?.slice(0, 2)).toBe('f|');
      expect([token, Number(created), fingerprint]).toEqual([result.token, expires - 3_600_000, 'fp']);
      expect(Number(lease) - before).toBeGreaterThanOrEqual(45_000);
      expect(Number(lease) - before).toBeLessThan(50_000);
      expect(Number(await client.call('PEXPIRETIME', redisKey)), 'the expiry is kept').toBe(expires);
    });
  });
}
