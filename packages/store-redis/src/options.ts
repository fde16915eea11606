/** The options of {@link RedisStore} and their validation. */
import { InvalidOptionsError } from '@idempo/core';
import { positiveIntegerOption, requireOptionsObject } from '@idempo/core/store';
import type { NodeRedisClient, NodeRedisCluster } from './node-redis-client.js';
import type { RedisClient } from './redis-client.js';

/** Options of `RedisStore`. */
export interface RedisStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` instance (ioredis 5 or 6), or a node-redis client or cluster (`redis` 4 or 5:
   * `createClient()`, `createCluster()`), that you create, configure, connect and close; told apart by shape.
   * The store never connects, quits or disconnects it. Required.
   */
  readonly client: RedisClient | NodeRedisClient | NodeRedisCluster;
  /**
   * Prepended to every storage key: the record of key `k` is the string `prefix + k`. Default `'idempo:'`. Do not
   * put a `{hash tag}` in it on Redis Cluster: it would pin every record to one slot.
   */
  readonly prefix?: string;
  /**
   * Longest wait, in milliseconds, for one of the operations calls `get` and `delete`, and for each round trip
   * of `stats`: the calls core never makes (the CLI and your tools do). Past it the call rejects with
   * `StoreTimeoutError`. `reserve`, `complete`, `release` and `extend` are not bounded by it: core bounds them
   * (its `storeTimeoutMs`) and passes their deadline on. Default `2000`.
   */
  readonly timeoutMs?: number;
}

/** The options after validation, defaults filled in. */
export interface ResolvedRedisStoreOptions {
  readonly client: RedisClient | NodeRedisClient | NodeRedisCluster;
  readonly prefix: string;
  readonly timeoutMs: number;
}

/** Default of {@link RedisStoreOptions.prefix}. */
export const DEFAULT_PREFIX = 'idempo:';
/** Default of {@link RedisStoreOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 2_000;

/** Validates `options` and fills in the defaults. Throws `InvalidOptionsError`. */
export function resolveRedisStoreOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  requireOptionsObject('RedisStore', options, '{ client }');
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') {
    throw new InvalidOptionsError(`RedisStore: prefix must be a string, got ${typeof prefix}`);
  }
  const timeoutMs = positiveIntegerOption('RedisStore', 'timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
  return { client: options.client, prefix, timeoutMs };
}
