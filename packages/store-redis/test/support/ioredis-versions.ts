/** The two ioredis majors the store supports, side by side: `ioredis` (6.x) and the alias `ioredis5`. */
import { createRequire } from 'node:module';
import { Cluster as Cluster6, Redis as Redis6 } from 'ioredis';
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';

/** A `Redis` client of either major, as the tests use it. */
export type AnyRedis = Redis5 | Redis6;
/** A `Cluster` client of either major. */
export type AnyCluster = Cluster5 | Cluster6;

/** One ioredis major: its version and constructors. */
export interface IoredisVersion {
  readonly name: string;
  readonly version: string;
  readonly redis: (url: string, options?: Record<string, unknown>) => AnyRedis;
  readonly cluster: (ports: readonly number[], options?: Record<string, unknown>) => AnyCluster;
}

const require = createRequire(import.meta.url);
const versionOf = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;

const nodes = (ports: readonly number[]) => ports.map((port) => ({ host: '127.0.0.1', port }));

/** ioredis 6 and ioredis 5, newest first. */
export const IOREDIS_VERSIONS: readonly IoredisVersion[] = [
  {
    name: 'ioredis 6',
    version: versionOf('ioredis'),
    redis: (url, options = {}) => new Redis6(url, options),
    cluster: (ports, options = {}) => new Cluster6(nodes(ports), options),
  },
  {
    name: 'ioredis 5',
    version: versionOf('ioredis5'),
    redis: (url, options = {}) => new Redis5(url, options),
    cluster: (ports, options = {}) => new Cluster5(nodes(ports), options),
  },
];
