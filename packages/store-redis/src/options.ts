/** The options of {@link RedisStore} and their validation. */
import { InvalidOptionsError } from '@idempo/core';
import type { RedisClient } from './redis-client.js';

/** Options of `RedisStore`. */
export interface RedisStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` instance (ioredis 5 or 6) that you create, configure and close. The store
   * never connects, quits or disconnects it. Required.
   */
  readonly client: RedisClient;
  /**
   * Prepended to every storage key: the record of key `k` is the hash `prefix + k`. Default `'idempo:'`. Do not
   * put a `{hash tag}` in it on Redis Cluster: it would pin every record to one slot.
   */
  readonly prefix?: string;
  /**
   * Longest wait, in milliseconds, for one operation. Past it the operation rejects with `StoreTimeoutError`
   * (a failure rejects with `StoreUnavailableError` as soon as it happens). Keep it below core's
   * `storeTimeoutMs` (default 5000) so the store's own timeout, which cleans up late reservations, fires first.
   * Default `2000`.
   */
  readonly timeoutMs?: number;
}

/** The options after validation, defaults filled in. */
export interface ResolvedRedisStoreOptions {
  readonly client: RedisClient;
  readonly prefix: string;
  readonly timeoutMs: number;
}

/** Default of {@link RedisStoreOptions.prefix}. */
export const DEFAULT_PREFIX = 'idempo:';
/** Default of {@link RedisStoreOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 2_000;

/** Validates `options` and fills in the defaults. Throws `InvalidOptionsError`. */
export function resolveRedisStoreOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('RedisStore: options { client } are required');
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') {
    throw new InvalidOptionsError(`RedisStore: prefix must be a string, got ${typeof prefix}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidOptionsError(
      `RedisStore: timeoutMs must be a positive integer, got ${String(timeoutMs)}`,
    );
  }
  return { client: options.client, prefix, timeoutMs };
}
