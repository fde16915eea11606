/**
 * The Redis store: the store contract (`IdempotencyStore` in `@idempo/core`) over ioredis (5 or 6) or node-redis
 * (`redis` 4 or 5), standalone or Cluster. Every operation but `stats` is one Lua script, so one round trip, atomic on the
 * server, on one key; `stats` scans (record-stats.ts). See lua-scripts.ts for the scripts and README.md for the
 * failure behaviour.
 */
import { randomUUID } from 'node:crypto';
import { type IdempotencyStore, StoreUnavailableError } from '@idempo/core';
import {
  type DeleteOptions,
  type DeleteResult,
  durationArgument,
  type ReserveResult,
  type StoreCallOptions,
  type StoredRecord,
  type StoreStats,
  withStoreErrors,
  withStoreTimeout,
} from '@idempo/core/store';
import { isReady, type ReadinessSource, whenReady } from './client-readiness.js';
import type { NodeRedisClient, NodeRedisCluster } from './node-redis-client.js';
import {
  countNodeRedisRecords,
  isNodeRedis,
  nodeRedisReadiness,
  nodeRedisScripts,
} from './node-redis-client.js';
import { type RedisStoreOptions, resolveRedisStoreOptions } from './options.js';
import { nativeReservation } from './record.js';
import { countRecords } from './record-stats.js';
import { defineScripts, type RedisClient, type StoreScripts } from './redis-client.js';
import { parseDeleteReply, parseGetReply, parseReserveReply, parseWrittenReply } from './replies.js';

/** A duration argument as the integer string the scripts take (`PEXPIRE`, lease arithmetic). */
function milliseconds(name: string, value: number): string {
  return String(durationArgument('RedisStore', name, value));
}

/** Whether `error` is the reply of a server that does not know an option of `SET` (`NX` with `GET`). */
function isSyntaxError(error: unknown): boolean {
  return error instanceof Error && /^ERR syntax error/i.test(error.message);
}

/** The scripts core calls, bounded by core; the others (`get`, `delete`) are bounded by `timeoutMs`. */
type HotScript = 'complete' | 'release' | 'extend';

/**
 * An {@link IdempotencyStore} over Redis or Valkey through a client you own: ioredis 5 or 6 (`Redis`, `Cluster`)
 * or node-redis 4 or 5 (`createClient()`, `createCluster()`, connected by you), the same behaviour on each.
 *
 * - `reserve`, `complete`, `release`, `extend`, `get` and `delete` are one Lua script each: one round trip, O(1),
 *   one key. `stats` scans every key under the prefix (SCAN, in batches): a tool for operators.
 * - Leases are checked against the Redis server's clock; retention is the key's own expiry.
 * - A failure rejects with `StoreUnavailableError` (from `@idempo/core`). `reserve`, `complete`, `release` and
 *   `extend` arm no timer: core bounds them (`storeTimeoutMs`), answers `StoreTimeoutError` and releases a
 *   reservation that lands after its deadline. `get`, `delete` and every round trip of `stats` settle within
 *   `timeoutMs`, no answer in time rejecting with `StoreTimeoutError`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createIdempotency } from '@idempo/core/adapter';
 * import { RedisStore } from '@idempo/store-redis';
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const idempotency = createIdempotency({ store: new RedisStore({ client: redis }) });
 * ```
 */
export class RedisStore implements IdempotencyStore {
  readonly #client: RedisClient | NodeRedisClient | NodeRedisCluster;
  readonly #readiness: ReadinessSource;
  readonly #scripts: StoreScripts;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  #closed = false;
  /** Whether the server takes `SET ... NX GET` (Redis >= 7.0, Valkey): off for good after a syntax error. */
  #native = true;

  /**
   * Defines the scripts on the client (no round trip: they are loaded on first use). An ioredis client is told
   * from a node-redis one by its shape (`defineCommand`; `sendCommand` and `isOpen`). Throws `InvalidOptionsError`.
   */
  constructor(options: RedisStoreOptions) {
    const resolved = resolveRedisStoreOptions(options);
    const client = resolved.client;
    if (isNodeRedis(client)) {
      this.#scripts = nodeRedisScripts(client);
      this.#readiness = nodeRedisReadiness(client);
    } else {
      this.#scripts = defineScripts(client);
      this.#readiness = client;
    }
    this.#client = client;
    this.#prefix = resolved.prefix;
    this.#timeoutMs = resolved.timeoutMs;
  }

  /** The prefix of every record's Redis key. */
  get prefix(): string {
    return this.#prefix;
  }

  /** The longest wait for one `get` or `delete`, or one round trip of `stats`, in milliseconds. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** The Redis key of the record of storage key `key`. */
  redisKey(key: string): string {
    return this.#prefix + key;
  }

  /**
   * Reserves `key` with a new token (`crypto.randomUUID()`), or returns the live record as it is: one EVALSHA of
   * the reserve script. A lease that ended (on the Redis clock) or a record past its retention is taken over. The
   * new record's key expires after `max(leaseMs, ttlMs)`.
   *
   * Never queued while Redis is unreachable: when the client is reconnecting (or closed) it rejects at once with
   * `StoreUnavailableError`, nothing sent; while a connection is being opened it waits for `ready` within 90% of
   * the time left until `options.deadline` (then `StoreTimeoutError`, nothing sent), or, with no deadline, until
   * the attempt succeeds or fails. A `lazyConnect` client that never connected is sent the call, which connects
   * it. No timer of its own otherwise: core bounds the call and gives back a reservation that lands late.
   */
  async reserve(
    key: string,
    fingerprint: string,
    leaseMs: number,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<ReserveResult> {
    this.#open();
    const redisKey = this.redisKey(key);
    const token = randomUUID();
    const lease = durationArgument('RedisStore', 'leaseMs', leaseMs);
    const ttl = durationArgument('RedisStore', 'ttlMs', ttlMs);
    return withStoreErrors('RedisStore: reserve', async () => {
      // Sent only on a connection that is up (client-readiness.ts): a reserve left in ioredis' offline queue would
      // run after Redis comes back, long after its caller was answered, and hold the key until its late release.
      // The common case (connected) sends at once, without a wait of its own.
      if (!isReady(this.#readiness)) await whenReady(this.#readiness, options?.deadline);
      if (this.#native) {
        // One native command: a new key is reserved, an existing record comes back as it is.
        const px = String(Math.max(lease, ttl));
        const value = nativeReservation(token, px, String(lease), fingerprint);
        const reply = await this.#scripts.setIfAbsent(redisKey, value, px).catch((error: unknown) => {
          if (!isSyntaxError(error)) throw error;
          this.#native = false; // a server before Redis 7.0: SET NX GET is a syntax error there
          return undefined;
        });
        if (reply !== undefined) {
          const result = parseReserveReply(reply, token, false);
          if (result) return result;
        }
      }
      // Another holder's record, in flight: only the script can tell by the Redis clock if its lease ended.
      const reply = await this.#scripts.reserve(redisKey, fingerprint, token, String(lease), String(ttl));
      const result = parseReserveReply(reply, token, true);
      if (!result) throw new StoreUnavailableError('RedisStore: reserve answered an unexpected reply');
      return result;
    });
  }

  /**
   * Stores `response` (copied) and marks the record completed for `ttlMs` from now, only while it is in flight
   * with `token`: one EVALSHA. `false`: nothing was written.
   */
  async complete(
    key: string,
    token: string,
    response: Uint8Array,
    ttlMs: number,
    _options?: StoreCallOptions,
  ): Promise<boolean> {
    const ttl = milliseconds('ttlMs', ttlMs);
    // A copy: a command queued while disconnected is written later, and must carry the bytes of this call.
    return parseWrittenReply('complete', await this.#hot('complete', key, token, Buffer.from(response), ttl));
  }

  /** Deletes the record only while it is in flight with `token`: one EVALSHA. `false`: nothing was written. */
  async release(key: string, token: string, _options?: StoreCallOptions): Promise<boolean> {
    return parseWrittenReply('release', await this.#hot('release', key, token));
  }

  /**
   * Moves the lease to `leaseMs` from now (Redis clock) only while the record is in flight with `token`, and the
   * key's expiry to at least as far (never shortening it): one EVALSHA. `false`: nothing was written.
   */
  async extend(key: string, token: string, leaseMs: number, _options?: StoreCallOptions): Promise<boolean> {
    const lease = milliseconds('leaseMs', leaseMs);
    return parseWrittenReply('extend', await this.#hot('extend', key, token, lease));
  }

  /**
   * The record of `key` as it is now (its token excepted), or `undefined` when there is none or its retention has
   * ended: one EVALSHA of a script that only reads. Instants are on the Redis server's clock; `createdAt` is
   * `undefined` for a record written by a version of this store that did not keep it. The response is a copy.
   */
  async get(key: string): Promise<StoredRecord | undefined> {
    return parseGetReply(await this.#bounded('get', key));
  }

  /**
   * Deletes the record of `key` so that the next request with it runs afresh, deciding and deleting in one
   * EVALSHA, by the Redis server's clock: `'deleted'` when a live record was deleted (completed, in flight with its
   * lease ended, or in flight with `force`; its holder's `complete`, `release` and `extend` then return `false`),
   * `'in-flight'` when nothing was deleted because the record is in flight and its lease still runs (its handler
   * may be running), `'not-found'` when there was no live record. `options.force` (default `false`): delete an
   * in-flight record whose lease still runs too; pass it only when that handler is known to be dead.
   */
  async delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    return parseDeleteReply(await this.#bounded('delete', key, options.force === true ? '1' : '0'));
  }

  /**
   * Counts the live records under the prefix by state, on every master of a Cluster: SCAN `MATCH` (the prefix
   * glob-escaped) in batches of about 500 keys, each batch read with one pipeline (`TIME`, then `GETRANGE` of the record's head and `PTTL` per
   * key) and compared with that server's clock. O(keys in the database) on the server, about 500 keys in memory
   * at a time; each round trip is bounded by `timeoutMs`. Records that change during the scan may or may not be
   * counted.
   */
  async stats(): Promise<StoreStats> {
    this.#open();
    const client = this.#client;
    if (isNodeRedis(client)) return countNodeRedisRecords(client, this.#prefix, this.#timeoutMs);
    return countRecords(client, this.#prefix, this.#timeoutMs);
  }

  /** Stops the store: later calls reject with `StoreUnavailableError`. The client stays open: it is yours. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new StoreUnavailableError('RedisStore: the store is closed');
  }

  /** One EVALSHA of a script core calls on the record of `key`, unbounded here (core bounds it); its raw reply. */
  async #hot(operation: HotScript, key: string, ...args: (string | Buffer)[]): Promise<unknown> {
    this.#open();
    const redisKey = this.redisKey(key);
    return withStoreErrors(`RedisStore: ${operation}`, () => this.#scripts[operation](redisKey, ...args));
  }

  /** One EVALSHA of an operations script on the record of `key`, bounded by `timeoutMs`; its raw reply. */
  async #bounded(operation: 'get' | 'delete', key: string, ...args: string[]): Promise<unknown> {
    this.#open();
    const redisKey = this.redisKey(key);
    return withStoreTimeout(
      `RedisStore: ${operation}`,
      () => this.#scripts[operation](redisKey, ...args),
      this.#timeoutMs,
    );
  }
}
