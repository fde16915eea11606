/**
 * `@idempo/store-mongo`: the MongoDB store of idempo, over the official driver (6 or 7).
 *
 * @packageDocumentation
 */
export type {
  MongoAggregationCursor,
  MongoCollection,
  MongoDatabase,
  MongoDeleteResult,
  MongoDocument,
  MongoUpdateResult,
  MongoWriteOptions,
} from './collection.js';
export { MongoStore } from './mongo-store.js';
export { DEFAULT_COLLECTION, DEFAULT_TIMEOUT_MS, type MongoStoreOptions } from './options.js';
export { TTL_INDEX_NAME } from './record.js';
