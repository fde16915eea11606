import { InvalidOptionsError } from '@idempo/core';
import type { MongoCollection, MongoDatabase } from './collection.js';

/** Default collection name when the store is given a database. */
export const DEFAULT_COLLECTION = 'idempo_records';
/** Default bound of one operation, in ms. Keep it below core's `storeTimeoutMs` (5000). */
export const DEFAULT_TIMEOUT_MS = 2_000;

/** Options of {@link MongoStore}: a collection, or a database and a collection name. */
export type MongoStoreOptions = (
  | {
      /** The collection to keep records in (a driver `Collection`). */
      readonly collection: MongoCollection;
    }
  | {
      /** The database (a driver `Db`); the store uses `db.collection(collectionName)`. */
      readonly db: MongoDatabase;
      /** Default `'idempo_records'`. */
      readonly collectionName?: string;
    }
) & {
  /** The longest wait for one operation; then it rejects with `StoreTimeoutError`. Default `2000`. */
  readonly timeoutMs?: number;
};

/** The collection and the bound, validated. */
export function resolveMongoStoreOptions(options: MongoStoreOptions): {
  collection: MongoCollection;
  timeoutMs: number;
} {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new InvalidOptionsError(
      `MongoStore: timeoutMs must be a positive integer, got ${String(timeoutMs)}`,
    );
  }
  const collection =
    'collection' in options
      ? options.collection
      : options.db?.collection(options.collectionName ?? DEFAULT_COLLECTION);
  for (const method of [
    'findOneAndUpdate',
    'updateOne',
    'deleteOne',
    'findOne',
    'aggregate',
    'createIndex',
  ] as const) {
    if (typeof collection?.[method] !== 'function') {
      throw new InvalidOptionsError(
        `MongoStore: give it a driver Collection (or db); ${method}() is missing`,
      );
    }
  }
  return { collection, timeoutMs };
}
