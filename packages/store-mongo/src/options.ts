import { InvalidOptionsError } from '@idempo/core';
import { positiveIntegerOption, requireOptionsObject } from '@idempo/core/store';
import type { MongoCollection, MongoDatabase } from './collection.js';

/** Default collection name when the store is given a database. */
export const DEFAULT_COLLECTION = 'idempo_records';
/** Default bound of one `get`, `delete` or `stats`, in ms. */
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
  /**
   * The longest wait, in ms, for one of the operations calls `get`, `delete` and `stats` (the calls core never
   * makes; `stats` also gives it to the server as `maxTimeMS`); then it rejects with `StoreTimeoutError`.
   * `reserve`, `complete`, `release` and `extend` are bounded by core (`storeTimeoutMs`), which passes their
   * deadline on: the server gets the time left as `maxTimeMS`. Default `2000`.
   */
  readonly timeoutMs?: number;
};

/** The collection and the bound, validated. */
export function resolveMongoStoreOptions(options: MongoStoreOptions): {
  collection: MongoCollection;
  timeoutMs: number;
} {
  requireOptionsObject('MongoStore', options, '{ collection } or { db }');
  const timeoutMs = positiveIntegerOption('MongoStore', 'timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
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
