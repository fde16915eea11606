/** The two node-redis majors the store supports, side by side: `redis` (5.x) and the alias `redis4`. */
import { createRequire } from 'node:module';
import { createClient as createClient5, createCluster as createCluster5 } from 'redis';
import { createClient as createClient4, createCluster as createCluster4 } from 'redis4';
import type { NodeRedisClient, NodeRedisCluster } from '../../src/index.js';

/** A connected node-redis client, as the tests use it: the store's shape plus `quit`/`close`. */
export type AnyNodeRedis = NodeRedisClient & {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
};
/** A node-redis cluster of either major. */
export type AnyNodeRedisCluster = NodeRedisCluster & {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
};

/** One node-redis major: its version and factories (unconnected clients). */
export interface NodeRedisVersion {
  readonly name: string;
  readonly version: string;
  readonly client: (url: string, options?: Record<string, unknown>) => AnyNodeRedis;
  readonly cluster: (ports: readonly number[]) => AnyNodeRedisCluster;
}

const require = createRequire(import.meta.url);
const versionOf = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;
const rootNodes = (ports: readonly number[]) => ports.map((port) => ({ url: `redis://127.0.0.1:${port}` }));

/** node-redis 5 and node-redis 4, newest first. */
export const NODE_REDIS_VERSIONS: readonly NodeRedisVersion[] = [
  {
    name: 'node-redis 5',
    version: versionOf('redis'),
    client: (url, options = {}) => createClient5({ url, ...options }) as unknown as AnyNodeRedis,
    cluster: (ports) => createCluster5({ rootNodes: rootNodes(ports) }) as unknown as AnyNodeRedisCluster,
  },
  {
    name: 'node-redis 4',
    version: versionOf('redis4'),
    client: (url, options = {}) => createClient4({ url, ...options }) as unknown as AnyNodeRedis,
    cluster: (ports) => createCluster4({ rootNodes: rootNodes(ports) }) as unknown as AnyNodeRedisCluster,
  },
];
