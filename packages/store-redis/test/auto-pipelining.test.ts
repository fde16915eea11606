/**
 * `enableAutoPipelining` (recommended in the README): the commands of concurrent requests share one write to
 * Redis. The scripts must still load themselves when Redis has none (a restart, SCRIPT FLUSH), inside a pipeline.
 * On a private redis-server, since SCRIPT FLUSH is server-wide.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { type PrivateRedis, startPrivateRedis } from './support/redis-server.js';
import { runPrefix } from './support/shared-redis.js';

let server: PrivateRedis | undefined;
beforeAll(async () => {
  server = await startPrivateRedis('auto-pipelining');
}, 60_000);
afterAll(async () => {
  await server?.destroy();
}, 60_000);

for (const io of IOREDIS_VERSIONS) {
  describe(`RedisStore over ${io.name} with enableAutoPipelining`, () => {
    let client: AnyRedis;
    let other: AnyRedis;
    const prefix = runPrefix('autopipe');
    beforeAll(() => {
      if (!server) throw new Error('the private server did not start');
      client = io.redis(server.url, { enableAutoPipelining: true });
      other = io.redis(server.url);
    });
    afterAll(async () => {
      await client.quit();
      await other.quit();
    });

    it('64 concurrent reserves right after SCRIPT FLUSH: every one reserved, then every complete stored', async () => {
      const store = new RedisStore({ client, prefix });
      await store.reserve('warm', 'fp', 60_000, 60_000);
      await other.script('FLUSH');
      const keys = Array.from({ length: 64 }, (_, i) => `k${i}`);
      const reserved = await Promise.all(keys.map((key) => store.reserve(key, `fp-${key}`, 60_000, 60_000)));
      expect(reserved.map((r) => r.kind)).toEqual(keys.map(() => 'reserved'));
      await other.script('FLUSH');
      const completed = await Promise.all(
        keys.map((key, i) => {
          const r = reserved[i];
          return store.complete(key, r?.kind === 'reserved' ? r.token : '', Uint8Array.of(i), 60_000);
        }),
      );
      expect(completed).toEqual(keys.map(() => true));
      const replays = await Promise.all(keys.map((key) => store.reserve(key, `fp-${key}`, 60_000, 60_000)));
      expect(
        replays.map((r) => (r.kind === 'existing' && r.state === 'completed' ? [...r.response] : r)),
      ).toEqual(keys.map((_, i) => [i]));
    });

    it('32 concurrent reserves of ONE key still give exactly one reservation', async () => {
      const store = new RedisStore({ client, prefix });
      const results = await Promise.all(
        Array.from({ length: 32 }, () => store.reserve('one', 'fp', 60_000, 60_000)),
      );
      expect(results.filter((r) => r.kind === 'reserved')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'existing' && r.state === 'in-flight')).toHaveLength(31);
    });
  });
}
