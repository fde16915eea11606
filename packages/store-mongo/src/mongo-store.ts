import { randomUUID } from 'node:crypto';
import type { IdempotencyStore } from '@idempo/core';
import {
  checkDeadline,
  type DeleteOptions,
  type DeleteResult,
  durationArgument,
  type ReserveResult,
  type StoreCallOptions,
  type StoredRecord,
  type StoreStats,
  StoreTimeoutError,
  storeUnavailable,
  withStoreTimeout,
} from '@idempo/core/store';
import type { MongoCollection, MongoWriteOptions } from './collection.js';
import { type MongoStoreOptions, resolveMongoStoreOptions } from './options.js';
import {
  completeUpdate,
  deleteOperation,
  extendUpdate,
  getOperation,
  heldFilter,
  reserveOperation,
  statsPipeline,
  TTL_INDEX_NAME,
} from './record.js';
import { isDuplicateKey, isMaxTimeExpired, reserveResult, storedRecord, storeStats } from './replies.js';

function duration(name: string, ms: number): number {
  return durationArgument('MongoStore', name, ms);
}

/**
 * The server-side bound of a call core made: `maxTimeMS`, the time left until its deadline. Throws
 * `StoreTimeoutError` when the deadline has passed (nothing is sent); no bound without a deadline.
 */
function serverBound(operation: string, options: StoreCallOptions | undefined): MongoWriteOptions {
  const maxTimeMS = checkDeadline(operation, options);
  return maxTimeMS === undefined ? {} : { maxTimeMS };
}

/**
 * Runs one driver call and turns its failure into core's store errors: the server giving up at `maxTimeMS`
 * (code 50) is a `StoreTimeoutError`, anything else a `StoreUnavailableError`, the driver's error as `cause`.
 */
async function driverCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isMaxTimeExpired(error)) {
      throw new StoreTimeoutError(`${operation}: the server gave up at its maxTimeMS`, { cause: error });
    }
    throw storeUnavailable(operation, error);
  }
}

/**
 * An {@link IdempotencyStore} over a MongoDB collection (driver 6 or 7; MongoDB 4.2 or later, standalone or replica
 * set; no transactions).
 *
 * @example
 * ```ts
 * import { MongoClient } from 'mongodb';
 * import { createIdempotency } from '@idempo/core/adapter';
 * import { MongoStore } from '@idempo/store-mongo';
 *
 * const client = await MongoClient.connect(process.env.MONGODB_URL!);
 * const store = new MongoStore({ db: client.db('app') });
 * await store.ensureIndexes();
 * const idempotency = createIdempotency({ store });
 * ```
 *
 * `reserve` is ONE `findOneAndUpdate` (an update pipeline matched on the key, upserting), `complete`, `release`
 * and `extend` one token-checked `updateOne`/`deleteOne` each. Leases and retention use the server's `$$NOW`.
 * The operations: `get` is one `findOne`, `delete` one `deleteOne` that decides and deletes (then, when it deleted
 * nothing, a read-only `findOne` and a `deleteOne` of a record past retention), `stats` one `aggregate`.
 * A failure rejects with `StoreUnavailableError`. `reserve`, `complete`, `release` and `extend` arm no timer: core
 * bounds them (`storeTimeoutMs`) and gives back a reservation that lands late; the store gives the server the
 * time left to their deadline as `maxTimeMS`, and sends nothing once it has passed. `get`, `delete` and `stats`
 * fail with `StoreTimeoutError` or `StoreUnavailableError` within `timeoutMs`. `close()` leaves the driver's
 * client open: it is yours.
 */
export class MongoStore implements IdempotencyStore {
  readonly #collection: MongoCollection;
  readonly #timeoutMs: number;

  /** Validates the options (throws `InvalidOptionsError`); opens nothing. */
  constructor(options: MongoStoreOptions) {
    const resolved = resolveMongoStoreOptions(options);
    this.#collection = resolved.collection;
    this.#timeoutMs = resolved.timeoutMs;
  }

  /**
   * Creates the TTL index on the retention expiry (`exp`), so that MongoDB deletes expired records (its TTL
   * monitor runs about once a minute; expiry is still decided on every read). Idempotent.
   */
  async ensureIndexes(): Promise<void> {
    await withStoreTimeout(
      'MongoStore: ensureIndexes',
      () => this.#collection.createIndex({ exp: 1 }, { name: TTL_INDEX_NAME, expireAfterSeconds: 0 }),
      Math.max(this.#timeoutMs, 10_000),
    );
  }

  /**
   * ONE `findOneAndUpdate` in the common case. Two concurrent first reservations of a key may race on the insert;
   * the loser's duplicate-key error (E11000) is answered by running the same call once more, which then finds the
   * winner's record. With `options.deadline`, each call carries the time left as `maxTimeMS`.
   */
  async reserve(
    key: string,
    fingerprint: string,
    leaseMs: number,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<ReserveResult> {
    const token = randomUUID();
    const { filter, update } = reserveOperation(
      key,
      fingerprint,
      token,
      duration('leaseMs', leaseMs),
      duration('ttlMs', ttlMs),
    );
    const operation = 'MongoStore: reserve';
    const call = () =>
      this.#collection.findOneAndUpdate(filter, update, {
        upsert: true,
        returnDocument: 'after',
        ...serverBound(operation, options),
      });
    const document = await driverCall(operation, async () => {
      try {
        return await call();
      } catch (error) {
        if (isDuplicateKey(error)) return call();
        throw error;
      }
    });
    return reserveResult(document, token);
  }

  /** Stores the response and completes the record, only while `token` holds it. One `updateOne`. */
  async complete(
    key: string,
    token: string,
    response: Uint8Array,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    const update = completeUpdate(response, duration('ttlMs', ttlMs));
    const operation = 'MongoStore: complete';
    const result = await driverCall(operation, () =>
      this.#collection.updateOne(heldFilter(key, token), update, serverBound(operation, options)),
    );
    return result.matchedCount === 1;
  }

  /** Deletes the in-flight record, only while `token` holds it. One `deleteOne`. */
  async release(key: string, token: string, options?: StoreCallOptions): Promise<boolean> {
    const operation = 'MongoStore: release';
    const result = await driverCall(operation, () =>
      this.#collection.deleteOne(heldFilter(key, token), serverBound(operation, options)),
    );
    return result.deletedCount === 1;
  }

  /** Moves the lease to `leaseMs` from now, only while `token` holds the record. One `updateOne`. */
  async extend(key: string, token: string, leaseMs: number, options?: StoreCallOptions): Promise<boolean> {
    const update = extendUpdate(duration('leaseMs', leaseMs));
    const operation = 'MongoStore: extend';
    const result = await driverCall(operation, () =>
      this.#collection.updateOne(heldFilter(key, token), update, serverBound(operation, options)),
    );
    return result.matchedCount === 1;
  }

  /**
   * The live record of `key` (within retention, lease over or not), or `undefined`. One `findOne` whose filter
   * compares the retention with the server's `$$NOW` and whose projection leaves the token out; it writes
   * nothing. `createdAt` is `undefined` for a record written by a version of the store that did not keep it.
   */
  async get(key: string): Promise<StoredRecord | undefined> {
    const { filter, projection } = getOperation(key);
    const document = await withStoreTimeout(
      'MongoStore: get',
      () => this.#collection.findOne(filter, { projection }),
      this.#timeoutMs,
    );
    return storedRecord(document);
  }

  /**
   * Deletes the record of `key` unless its handler may still be running, deciding by the server's clock (never
   * this machine's). One `deleteOne` decides and deletes in one atomic step: it matches the live record unless it
   * is in flight with its lease running and `force` is not set, so a retry that has just taken a lease-ended key
   * over keeps its record. `'deleted'` when it deleted one. Otherwise a read-only `findOne` tells `'in-flight'` (a
   * live record was kept) from `'not-found'` (with `force` there is nothing to tell: no live record), and for
   * `'not-found'` a last `deleteOne` removes a record past retention that the TTL index has not removed yet, never a
   * live one.
   */
  async delete(key: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    const force = options.force === true;
    const { deletable, live, leftover } = deleteOperation(key, force);
    return withStoreTimeout(
      'MongoStore: delete',
      async (): Promise<DeleteResult> => {
        if ((await this.#collection.deleteOne(deletable)).deletedCount === 1) return 'deleted';
        if (
          !force &&
          (await this.#collection.findOne(live.filter, { projection: live.projection })) !== null
        ) {
          return 'in-flight';
        }
        await this.#collection.deleteOne(leftover);
        return 'not-found';
      },
      this.#timeoutMs,
    );
  }

  /**
   * Counts of the live records of the collection, by state. One `aggregate` (`$match` on retention against
   * `$$NOW`, `$group` by state and lease) that the server runs over every record and answers with at most three
   * documents; `maxTimeMS` is `timeoutMs`, so the server stops where the store stops waiting. For a large
   * collection, give the store that runs it a larger `timeoutMs`.
   */
  async stats(): Promise<StoreStats> {
    const groups = await withStoreTimeout(
      'MongoStore: stats',
      () =>
        driverCall('MongoStore: stats', () =>
          this.#collection.aggregate(statsPipeline(), { maxTimeMS: this.#timeoutMs }).toArray(),
        ),
      this.#timeoutMs,
    );
    return storeStats(groups);
  }

  /** Nothing to free: the driver's client is the caller's. */
  async close(): Promise<void> {}
}
