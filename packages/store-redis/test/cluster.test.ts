/**
 * The conformance suite through an ioredis `Cluster` client (ioredis 6 and 5) and a node-redis cluster
 * (`createCluster`, node-redis 5 and 4) against a private 3-master Redis Cluster that this file starts on free
 * loopback ports and stops afterwards.
 */
import { storeSuite } from '@idempo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyCluster, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { type AnyNodeRedisCluster, NODE_REDIS_VERSIONS } from './support/node-redis-versions.js';
import { type PrivateCluster, startPrivateCluster } from './support/redis-cluster.js';
import { redisCli } from './support/redis-server.js';
import { runPrefix } from './support/shared-redis.js';

let cluster: PrivateCluster | undefined;
const clients: AnyCluster[] = [];
const nodeRedisClusters: AnyNodeRedisCluster[] = [];

function ports(): readonly number[] {
  if (!cluster) throw new Error('the cluster did not start');
  return cluster.ports;
}

/** Reserves, extends and completes each key in turn: each operation on its own key alone, on its own slot. */
async function completeEach(store: RedisStore, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const reserved = await store.reserve(key, 'fp', 60_000, 60_000);
    if (reserved.kind !== 'reserved') throw new Error(`${key} not reserved`);
    expect(await store.extend(key, reserved.token, 60_000)).toBe(true);
    expect(await store.complete(key, reserved.token, Uint8Array.of(0, 255), 60_000)).toBe(true);
  }
}

beforeAll(async () => {
  cluster = await startPrivateCluster();
}, 120_000);

afterAll(async () => {
  for (const client of clients) await client.quit().catch(() => undefined);
  for (const client of nodeRedisClusters) await client.quit().catch(() => undefined);
  await cluster?.destroy();
}, 120_000);

for (const io of IOREDIS_VERSIONS) {
  let client: AnyCluster | undefined;
  const connect = () => {
    if (!client) {
      client = io.cluster(ports());
      clients.push(client);
    }
    return client;
  };

  // A new prefix per store: the `stats` case counts every record under its store's prefix, on every master.
  storeSuite(`RedisStore over ${io.name} (${io.version}), Cluster of 3 masters`, () => {
    return new RedisStore({ client: connect(), prefix: runPrefix('cluster') });
  });

  describe(`RedisStore over ${io.name} Cluster: records spread over every master`, () => {
    it('keys land on all three masters, each operation on its own key alone (no hash tags needed)', async () => {
      const store = new RedisStore({ client: connect(), prefix: runPrefix('spread') });
      const keys = Array.from({ length: 60 }, (_, i) => `spread-${i}`);
      await completeEach(store, keys);
      const slots = new Set<number>();
      for (const key of keys) {
        slots.add(Number(await redisCli(ports()[0] as number, 'cluster', 'keyslot', store.redisKey(key))));
      }
      const perNode = await Promise.all(ports().map(async (port) => Number(await redisCli(port, 'dbsize'))));
      expect(slots.size).toBeGreaterThan(50);
      for (const count of perNode) expect(count).toBeGreaterThan(0);
      // stats scans every master: the 60 records are counted wherever they live; get and delete find their slot.
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 60 });
      expect(await store.get('spread-7')).toMatchObject({
        state: 'completed',
        response: Uint8Array.of(0, 255),
      });
      expect(await store.delete('spread-7')).toBe('deleted');
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 59 });
    });

    it('stats through a Cluster client not yet connected, with keyPrefix as a Cluster option or in redisOptions', async () => {
      const prefix = runPrefix('cluster-kp');
      for (const [keyPrefix, options] of [
        ['kp-cluster:', { keyPrefix: 'kp-cluster:' }],
        ['kp-nodes:', { redisOptions: { keyPrefix: 'kp-nodes:' } }],
      ] as const) {
        const writer = io.cluster(ports(), options);
        clients.push(writer);
        const store = new RedisStore({ client: writer, prefix });
        for (let i = 0; i < 30; i++) {
          const reserved = await store.reserve(`k${i}`, 'fp', 60_000, 60_000);
          if (reserved.kind !== 'reserved') throw new Error(`k${i} not reserved`);
          if (i % 2 === 0) await store.complete(`k${i}`, reserved.token, Uint8Array.of(i), 60_000);
        }
        expect(await connect().exists(`${keyPrefix}${prefix}k0`), keyPrefix).toBe(1);
        const fresh = io.cluster(ports(), options);
        clients.push(fresh);
        const reader = new RedisStore({ client: fresh, prefix });
        // It knows no master until it has connected: stats waits for that, then scans all three.
        expect(fresh.nodes('master'), keyPrefix).toHaveLength(0);
        expect(await reader.stats(), keyPrefix).toEqual({ inFlight: 15, leaseExpired: 0, completed: 15 });
        expect(fresh.nodes('master')).toHaveLength(3);
        expect(await reader.get('k4'), keyPrefix).toMatchObject({ response: Uint8Array.of(4) });
      }
    });
  });
}

for (const nr of NODE_REDIS_VERSIONS) {
  let client: AnyNodeRedisCluster | undefined;
  beforeAll(async () => {
    client = nr.cluster(ports());
    client.on('error', () => undefined);
    nodeRedisClusters.push(client);
    await client.connect();
  });
  const connected = () => {
    if (!client) throw new Error('the node-redis cluster did not connect');
    return client;
  };

  storeSuite(`RedisStore over ${nr.name} (${nr.version}), createCluster of 3 masters`, () => {
    return new RedisStore({ client: connected(), prefix: runPrefix('nr-cluster') });
  });

  describe(`RedisStore over ${nr.name} createCluster: records spread over every master`, () => {
    it('keys land on all three masters; stats counts them on every master; get and delete find their slot', async () => {
      const store = new RedisStore({ client: connected(), prefix: runPrefix('nr-spread') });
      const keys = Array.from({ length: 60 }, (_, i) => `spread-${i}`);
      await completeEach(store, keys);
      const perNode = await Promise.all(ports().map(async (port) => Number(await redisCli(port, 'dbsize'))));
      for (const count of perNode) expect(count).toBeGreaterThan(0);
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 60 });
      expect(await store.get('spread-7')).toMatchObject({
        state: 'completed',
        response: Uint8Array.of(0, 255),
      });
      expect(await store.delete('spread-7')).toBe('deleted');
      expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 59 });
    });
  });
}
