/**
 * node-redis (`redis` 5 and 4) beside ioredis: the whole conformance suite (operations included) against the
 * shared Redis, the record layout and the script calls (one EVALSHA per operation, the same record an ioredis
 * client reads), and the connection gate on a private redis-server: a reserve while Redis is down is refused,
 * never queued to run after the restart.
 */
import { StoreUnavailableError } from '@idempo/core';
import { storeSuite } from '@idempo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { type AnyNodeRedis, NODE_REDIS_VERSIONS } from './support/node-redis-versions.js';
import { type PrivateRedis, redisCli, startPrivateRedis } from './support/redis-server.js';
import { deleteKeys, REDIS_URL, runPrefix } from './support/shared-redis.js';

const LONG = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ioredis = IOREDIS_VERSIONS[0];
if (ioredis === undefined) throw new Error('no ioredis version');
const admin = ioredis.redis(REDIS_URL);
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(admin, prefix);
  await admin.quit();
});

let server: PrivateRedis | undefined;
beforeAll(async () => {
  server = await startPrivateRedis('node-redis');
}, 60_000);
afterAll(async () => {
  await server?.destroy();
}, 60_000);

for (const nr of NODE_REDIS_VERSIONS) {
  const clients: AnyNodeRedis[] = [];
  const connected = async (url = REDIS_URL, options: Record<string, unknown> = {}) => {
    const client = nr.client(url, options);
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  };
  afterAll(async () => {
    for (const client of clients) if (client.isOpen) await client.quit();
  });

  let shared: AnyNodeRedis | undefined;
  beforeAll(async () => {
    shared = await connected();
  });
  storeSuite(`RedisStore over ${nr.name} (${nr.version}), standalone`, () => {
    if (!shared) throw new Error('the client did not connect');
    const prefix = runPrefix(`suite-${nr.name.replace(' ', '')}`);
    prefixes.push(prefix);
    return new RedisStore({ client: shared, prefix });
  });

  describe(`RedisStore over ${nr.name}: the same records as over ioredis`, () => {
    it('a record written through node-redis is read through ioredis and back, bytes exact; the layout is the one string', async () => {
      const client = await connected();
      const prefix = runPrefix(`mixed-${nr.name.replace(' ', '')}`);
      prefixes.push(prefix);
      const viaNode = new RedisStore({ client, prefix });
      const viaIo = new RedisStore({ client: admin, prefix });
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const held = await viaNode.reserve('k', 'fp-\u00e9', LONG, LONG);
      if (held.kind !== 'reserved') throw new Error('not reserved');
      expect(await viaIo.reserve('k', 'fp-\u00e9', LONG, LONG)).toMatchObject({
        kind: 'existing',
        state: 'in-flight',
        fingerprint: 'fp-\u00e9',
      });
      expect(await viaNode.complete('k', held.token, bytes, LONG)).toBe(true);
      const record = await admin.getBuffer(viaNode.redisKey('k'));
      expect(record?.subarray(0, 2).toString()).toBe('c|');
      expect(
        Buffer.compare(record?.subarray(record.length - 256) ?? Buffer.alloc(0), Buffer.from(bytes)),
      ).toBe(0);
      const replay = await viaIo.reserve('k', 'fp-\u00e9', LONG, LONG);
      if (replay.kind !== 'existing' || replay.state !== 'completed') throw new Error('no replay');
      expect([...replay.response]).toEqual([...bytes]);
      const other = await viaIo.reserve('j', 'fp', LONG, LONG);
      if (other.kind !== 'reserved') throw new Error('not reserved');
      expect(await viaNode.extend('j', other.token, LONG)).toBe(true);
      expect(await viaNode.release('j', 'not-the-token')).toBe(false);
      expect(await viaNode.release('j', other.token)).toBe(true);
    });

    it('a reserve is one SET and a complete one EVALSHA once loaded, and a SCRIPT FLUSH costs one EVAL more (NOSCRIPT), as over ioredis', async () => {
      if (!server) throw new Error('the private server did not start');
      const client = await connected(server.url);
      const store = new RedisStore({ client, prefix: `rt:${nr.name.replace(' ', '')}:` });
      const warm = await store.reserve('warm', 'fp', LONG, LONG);
      if (warm.kind !== 'reserved') throw new Error('not reserved');
      await store.complete('warm', warm.token, Uint8Array.of(1), LONG);
      await redisCli(server.port, 'config', 'resetstat');
      for (let i = 0; i < 50; i++) {
        const r = await store.reserve(`k${i}`, 'fp', LONG, LONG);
        if (r.kind !== 'reserved') throw new Error('not reserved');
        await store.complete(`k${i}`, r.token, Uint8Array.of(i), LONG);
      }
      const stats = await redisCli(server.port, 'info', 'commandstats');
      expect(stats).toMatch(/cmdstat_evalsha:calls=50,.*failed_calls=0/);
      expect(stats).not.toMatch(/cmdstat_eval:/);
      // The reserves' SETs and the completes' (inside the script).
      expect(stats).toMatch(/cmdstat_set:calls=100,/);
      const held = await store.reserve('after-flush', 'fp', LONG, LONG);
      if (held.kind !== 'reserved') throw new Error('not reserved');
      await redisCli(server.port, 'script', 'flush');
      await redisCli(server.port, 'config', 'resetstat');
      expect(await store.complete('after-flush', held.token, Uint8Array.of(1), LONG)).toBe(true);
      const flushed = await redisCli(server.port, 'info', 'commandstats');
      expect(flushed).toMatch(/cmdstat_evalsha:calls=1,.*failed_calls=1/);
      expect(flushed).toMatch(/cmdstat_eval:calls=1,/);
    });

    it('[15.13] a reserve while Redis is down is refused, never queued: after the restart the key is free', async () => {
      if (!server) throw new Error('the private server did not start');
      const client = await connected(server.url, { socket: { reconnectStrategy: () => 50 } });
      const prefix = `gate:${nr.name.replace(' ', '')}:`;
      const store = new RedisStore({ client, prefix });
      expect((await store.reserve('warm', 'fp', LONG, LONG)).kind).toBe('reserved');
      await server.stop();
      try {
        for (let i = 0; i < 100 && client.isReady; i++) await sleep(20);
        const refused = await store.reserve('k', 'fp', LONG, LONG, { deadline: Date.now() + 500 });
        expect.unreachable(`reserved while down: ${JSON.stringify(refused)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
      } finally {
        await server.start();
      }
      for (let i = 0; i < 200 && !client.isReady; i++) await sleep(25);
      await sleep(200);
      expect((await store.reserve('k', 'fp', LONG, LONG)).kind, 'no late reservation holds the key').toBe(
        'reserved',
      );
    });

    it('a closed client is refused at once: StoreUnavailableError, nothing sent', async () => {
      const client = await connected();
      const store = new RedisStore({ client, prefix: runPrefix('closed') });
      await client.quit();
      await expect(store.reserve('k', 'fp', LONG, LONG)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.complete('k', 't', Uint8Array.of(1), LONG)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    });
  });
}
