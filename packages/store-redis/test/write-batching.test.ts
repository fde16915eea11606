/**
 * Write batching (src/write-batching.ts): over a standalone ioredis client, the commands the store sends in one
 * tick leave in one socket write, and a lone command is written by the end of its tick.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { deleteKeys, REDIS_URL, runPrefix } from './support/shared-redis.js';

interface CountedSocket {
  _write: (...args: unknown[]) => unknown;
  _writev: (...args: unknown[]) => unknown;
}

/** Counts the socket's writes (`_write`, one chunk) and `_writev` (several) from now on. */
function countWrites(client: AnyRedis): { writes: number; chunks: number } {
  const socket = (client as unknown as { stream: CountedSocket }).stream;
  const counts = { writes: 0, chunks: 0 };
  const write = socket._write;
  const writev = socket._writev;
  socket._write = function (this: unknown, ...args: unknown[]) {
    counts.writes++;
    counts.chunks++;
    return write.apply(this, args);
  };
  socket._writev = function (this: unknown, ...args: unknown[]) {
    counts.writes++;
    counts.chunks += (args[0] as unknown[]).length;
    return writev.apply(this, args);
  };
  return counts;
}

for (const io of IOREDIS_VERSIONS) {
  describe(`RedisStore over ${io.name}: one socket write per tick`, () => {
    let client: AnyRedis;
    const prefix = runPrefix('batching');
    beforeAll(async () => {
      client = io.redis(REDIS_URL);
      await client.ping();
    });
    afterAll(async () => {
      await deleteKeys(client, prefix);
      await client.quit();
    });

    it('the reserves of one tick are written together, and each one is answered', async () => {
      const store = new RedisStore({ client, prefix });
      await store.reserve('warm', 'fp', 30_000, 60_000); // loads the script on this connection
      const counts = countWrites(client);
      const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
      const results = await Promise.all(keys.map((key) => store.reserve(key, 'fp', 30_000, 60_000)));
      expect(results.every((result) => result.kind === 'reserved')).toBe(true);
      expect(counts).toEqual({ writes: 1, chunks: 20 });
    });

    it('a lone call is written before the next tick, and a later tick makes a write of its own', async () => {
      const store = new RedisStore({ client, prefix });
      const counts = countWrites(client);
      const first = store.reserve('lone-1', 'fp', 30_000, 60_000);
      await new Promise<void>((resolve) => process.nextTick(resolve));
      expect(counts.writes).toBe(1);
      await first;
      await store.reserve('lone-2', 'fp', 30_000, 60_000);
      expect(counts).toEqual({ writes: 2, chunks: 2 });
    });
  });
}
