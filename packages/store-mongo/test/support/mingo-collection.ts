/**
 * A collection whose filters and update pipelines are EVALUATED by mingo (a MongoDB query-language evaluator),
 * with every document, filter and pipeline passed through the driver's real BSON serialiser on the way in and
 * out, as the wire would. It is not a MongoDB server: it checks the semantics of what the store sends (the
 * `$replaceWith`/`$cond` takeover, `$literal`, `$$NOW`, `$expr`, upsert from the `_id` equality) and the
 * outcome mapping, not the server's concurrency control. Each operation runs atomically after a yield to the
 * event loop, so concurrent callers interleave between operations, as they do against a server. `clockSkewMs`
 * gives the "server" a clock of its own, so that a test can tell the server's clock from this machine's.
 */

import { Aggregator, Query } from 'mingo';
import { BSON } from 'mongodb';
import type { MongoCollection, MongoDocument } from '../../src/index.js';

const wire = <T>(value: T): T => BSON.deserialize(BSON.serialize({ v: value }))['v'] as T;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Counts of each method called, to prove one call per operation. */
export interface CallCounts {
  findOneAndUpdate: number;
  updateOne: number;
  deleteOne: number;
  findOne: number;
  aggregate: number;
  createIndex: number;
}

export class MingoCollection implements MongoCollection {
  readonly collectionName = 'mingo-evaluated';
  readonly documents = new Map<string, MongoDocument>();
  readonly calls: CallCounts = {
    findOneAndUpdate: 0,
    updateOne: 0,
    deleteOne: 0,
    findOne: 0,
    aggregate: 0,
    createIndex: 0,
  };
  /** The options of every `aggregate` call, in order. */
  readonly aggregateOptions: MongoDocument[] = [];
  readonly indexes: { keys: MongoDocument; options: MongoDocument }[] = [];
  /** Makes the next findOneAndUpdate fail with E11000 after writing nothing, as a lost upsert race does. */
  duplicateKeyOnce = false;
  /**
   * Milliseconds every operation works on the server before it answers (a slow server). An operation sent with a
   * shorter `maxTimeMS` gives up at it, failing with code 50 (MaxTimeMSExpired), as the server does.
   */
  delayMs = 0;
  /** Milliseconds every operation spends on the wire before it reaches the server (a slow network: no `maxTimeMS` bounds it). */
  latencyMs = 0;
  /** The `maxTimeMS` of every findOneAndUpdate, updateOne and deleteOne, in order (`undefined`: none sent). */
  readonly writeMaxTimeMS: (number | undefined)[] = [];
  /**
   * The server's clock minus this machine's, in milliseconds (a server whose clock is off). `0`, the default:
   * mingo evaluates `$$NOW` itself; otherwise every `$$NOW` of an operation is that one instant of the server's
   * clock (a value under `$literal` is data, left alone).
   */
  clockSkewMs = 0;

  async #before(maxTimeMS?: number): Promise<void> {
    await tick();
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (this.delayMs <= 0) return;
    if (maxTimeMS !== undefined && maxTimeMS > 0 && maxTimeMS < this.delayMs) {
      await sleep(maxTimeMS);
      throw Object.assign(new Error('operation exceeded time limit'), {
        code: 50,
        codeName: 'MaxTimeMSExpired',
      });
    }
    await sleep(this.delayMs);
  }

  /** `value` with `$$NOW` read on the server's clock, when it is off (`clockSkewMs`); called as the operation runs. */
  #onServerClock<T>(value: T): T {
    if (this.clockSkewMs === 0) return value;
    const now = new Date(Date.now() + this.clockSkewMs);
    const replace = (part: unknown): unknown => {
      if (part === '$$NOW') return now;
      if (Array.isArray(part)) return part.map(replace);
      if (part === null || typeof part !== 'object' || Object.getPrototypeOf(part) !== Object.prototype)
        return part;
      return Object.fromEntries(
        Object.entries(part).map(([name, inner]) => [name, name === '$literal' ? inner : replace(inner)]),
      );
    };
    return replace(value) as T;
  }

  #match(filter: MongoDocument): MongoDocument | undefined {
    const found = this.documents.get(filter['_id'] as string);
    return found && new Query(filter).test(found) ? found : undefined;
  }

  #apply(document: MongoDocument, update: MongoDocument[]): MongoDocument {
    const [after] = new Aggregator(update).run([document]) as MongoDocument[];
    if (!after || after['_id'] !== document['_id']) throw new Error('an update pipeline may not change _id');
    return wire(after);
  }

  async findOneAndUpdate(
    filter: MongoDocument,
    update: MongoDocument[],
    options: { upsert: boolean; returnDocument: 'after'; maxTimeMS?: number },
  ): Promise<MongoDocument | null> {
    this.calls.findOneAndUpdate++;
    this.writeMaxTimeMS.push(options.maxTimeMS);
    const [sentFilter, sentUpdate] = [wire(filter), wire(update)];
    await this.#before(options.maxTimeMS);
    const [f, u] = this.#onServerClock([sentFilter, sentUpdate]);
    if (this.duplicateKeyOnce) {
      this.duplicateKeyOnce = false;
      throw Object.assign(new Error('E11000 duplicate key error collection: mingo index: _id_'), {
        code: 11000,
      });
    }
    const found = this.#match(f);
    if (!found && !options.upsert) return null;
    const after = this.#apply(found ?? { _id: f['_id'] }, u);
    this.documents.set(after['_id'] as string, after);
    return wire(after);
  }

  async updateOne(
    filter: MongoDocument,
    update: MongoDocument[],
    options: { maxTimeMS?: number } = {},
  ): Promise<{ matchedCount: number }> {
    this.calls.updateOne++;
    this.writeMaxTimeMS.push(options.maxTimeMS);
    const [sentFilter, sentUpdate] = [wire(filter), wire(update)];
    await this.#before(options.maxTimeMS);
    const [f, u] = this.#onServerClock([sentFilter, sentUpdate]);
    const found = this.#match(f);
    if (!found) return { matchedCount: 0 };
    this.documents.set(found['_id'] as string, this.#apply(found, u));
    return { matchedCount: 1 };
  }

  async deleteOne(
    filter: MongoDocument,
    options: { maxTimeMS?: number } = {},
  ): Promise<{ deletedCount: number }> {
    this.calls.deleteOne++;
    this.writeMaxTimeMS.push(options.maxTimeMS);
    const sentFilter = wire(filter);
    await this.#before(options.maxTimeMS);
    const f = this.#onServerClock(sentFilter);
    const found = this.#match(f);
    if (!found) return { deletedCount: 0 };
    this.documents.delete(found['_id'] as string);
    return { deletedCount: 1 };
  }

  async findOne(
    filter: MongoDocument,
    options: { projection: MongoDocument },
  ): Promise<MongoDocument | null> {
    this.calls.findOne++;
    const [sentFilter, p] = [wire(filter), wire(options.projection)];
    await this.#before();
    const f = this.#onServerClock(sentFilter);
    const found = this.#match(f);
    return found ? wire(new Query(f).find<MongoDocument>([found], p).next()) : null;
  }

  /** Evaluates the pipeline over every document when the cursor is read, as the server does. */
  aggregate(
    pipeline: MongoDocument[],
    options: { maxTimeMS: number },
  ): { toArray(): Promise<MongoDocument[]> } {
    this.calls.aggregate++;
    this.aggregateOptions.push({ ...options });
    const p = wire(pipeline);
    return {
      toArray: async () => {
        await this.#before(options.maxTimeMS);
        return wire(new Aggregator(this.#onServerClock(p)).run<MongoDocument>([...this.documents.values()]));
      },
    };
  }

  async createIndex(
    keys: { exp: 1 },
    options: { name: string; expireAfterSeconds: number },
  ): Promise<string> {
    this.calls.createIndex++;
    if (!this.indexes.some((i) => i.options['name'] === options.name)) this.indexes.push({ keys, options });
    return options.name;
  }
}
