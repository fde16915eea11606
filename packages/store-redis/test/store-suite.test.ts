/**
 * The shared conformance suite (`storeSuite` from @idempo/testing), operations included, against the shared
 * Redis, through ioredis 6 and ioredis 5, each with and without `enableAutoPipelining` (which the README
 * recommends). Every store the suite makes gets a random prefix of its own (the `stats` case counts everything
 * under it), and every one of those prefixes is deleted afterwards.
 */
import { storeSuite } from '@idempo/testing';
import { afterAll, expect } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { deleteKeys, REDIS_URL, runPrefix } from './support/shared-redis.js';

const clients: Array<{ client: AnyRedis; prefixes: string[] }> = [];

for (const io of IOREDIS_VERSIONS) {
  for (const enableAutoPipelining of [false, true]) {
    const label = `suite-${io.name.replace(' ', '')}${enableAutoPipelining ? '-ap' : ''}`;
    let used: { client: AnyRedis; prefixes: string[] } | undefined;
    const how = enableAutoPipelining ? 'standalone, enableAutoPipelining' : 'standalone';
    storeSuite(`RedisStore over ${io.name} (${io.version}), ${how}`, () => {
      if (!used) {
        used = { client: io.redis(REDIS_URL, { enableAutoPipelining }), prefixes: [] };
        clients.push(used);
      }
      const prefix = runPrefix(label);
      used.prefixes.push(prefix);
      return new RedisStore({ client: used.client, prefix });
    });
  }
}

afterAll(async () => {
  for (const { client, prefixes } of clients) {
    // The suite's store, the `stats` case's and the `close()` case's: each wrote records under its own prefix.
    expect(prefixes.length).toBeGreaterThanOrEqual(3);
    for (const prefix of prefixes) {
      expect(await deleteKeys(client, prefix), `keys under ${prefix}`).toBeGreaterThan(0);
    }
    await client.quit();
  }
});
