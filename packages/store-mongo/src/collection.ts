/**
 * The part of the official driver's `Collection` the store uses, as a structural type: any `Collection` of
 * mongodb 6 or 7 fits, and the published types do not pin a driver version.
 */

/** A BSON document as the store writes and reads it. */
export type MongoDocument = Record<string, unknown>;

/** The result of `updateOne`. */
export interface MongoUpdateResult {
  readonly matchedCount: number;
}

/** The result of `deleteOne`. */
export interface MongoDeleteResult {
  readonly deletedCount: number;
}

/** The cursor `aggregate` returns; the store reads it with `toArray` (its pipelines return a few documents). */
export interface MongoAggregationCursor {
  toArray(): Promise<MongoDocument[]>;
}

/** What the store gives the write calls: the server-side bound of a call core made with a deadline. */
export interface MongoWriteOptions {
  /** The time left until the call's deadline; absent without one. */
  readonly maxTimeMS?: number;
}

/** The collection methods the store calls. */
export interface MongoCollection {
  /** The collection's name (for messages). */
  readonly collectionName: string;
  findOneAndUpdate(
    filter: MongoDocument,
    update: MongoDocument[],
    options: MongoWriteOptions & { upsert: boolean; returnDocument: 'after' },
  ): Promise<MongoDocument | null>;
  updateOne(
    filter: MongoDocument,
    update: MongoDocument[],
    options?: MongoWriteOptions,
  ): Promise<MongoUpdateResult>;
  deleteOne(filter: MongoDocument, options?: MongoWriteOptions): Promise<MongoDeleteResult>;
  /** `get`, and `delete` after deleting nothing: one document, only the projected fields. */
  findOne(filter: MongoDocument, options: { projection: MongoDocument }): Promise<MongoDocument | null>;
  /** `stats`: one pipeline, bounded on the server by `maxTimeMS`. */
  aggregate(pipeline: MongoDocument[], options: { maxTimeMS: number }): MongoAggregationCursor;
  createIndex(keys: { exp: 1 }, options: { name: string; expireAfterSeconds: number }): Promise<string>;
}

/** The part of the driver's `Db` used when the store is given a database and a collection name. */
export interface MongoDatabase {
  collection(name: string): MongoCollection;
}
