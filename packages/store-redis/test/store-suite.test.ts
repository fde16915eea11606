/**
 * The shared conformance suite (`storeSuite` from @idempo/testing) against the shared Redis, through ioredis 6 and
 * ioredis 5, each with and without `enableAutoPipelining` (which the README recommends), each under a random prefix
 * that is deleted afterwards.
 */
import { storeSuite } from '@idempo/testing';
import { afterAll, expect } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { deleteKeys, REDIS_URL, runPrefix } from './support/shared-redis.js';

const clients: Array<{ client: AnyRedis; prefix: string }> = [];

for (const io of IOREDIS_VERSIONS) {
  for (const enableAutoPipelining of [false, true]) {
    const prefix = runPrefix(`suite-${io.name.replace(' ', '')}${enableAutoPipelining ? '-ap' : ''}`);
    let client: AnyRedis | undefined;
    const how = enableAutoPipelining ? 'standalone, enableAutoPipelining' : 'standalone';
    storeSuite(
      `RedisStore over ${io.name} (${io.version}), ${how}`,
      () => {
        if (!client) {
          client = io.redis(REDIS_URL, { enableAutoPipelining });
          clients.push({ client, prefix });
        }
        return new RedisStore({ client, prefix });
      },
      { operations: false },
    );
  }
}

afterAll(async () => {
  for (const { client, prefix } of clients) {
    const deleted = await deleteKeys(client, prefix);
    expect(deleted).toBeGreaterThan(0);
    await client.quit();
  }
});
