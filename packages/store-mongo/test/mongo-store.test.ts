/** What the store sends and how it reads the answers, over the mingo-evaluated collection and on plain values. */
import { InvalidOptionsError, StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import { BSON } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { MongoStore, TTL_INDEX_NAME } from '../src/index.js';
import { completeUpdate, extendUpdate, heldFilter, reserveOperation } from '../src/record.js';
import { reserveResult, responseBytes } from '../src/replies.js';
import { MingoCollection } from './support/mingo-collection.js';

const setup = (timeoutMs?: number) => {
  const collection = new MingoCollection();
  const store = new MongoStore(timeoutMs === undefined ? { collection } : { collection, timeoutMs });
  return { collection, store };
};

function containsDate(value: unknown): boolean {
  if (value instanceof Date) return true;
  if (Array.isArray(value)) return value.some(containsDate);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array))
    return Object.values(value).some(containsDate);
  return false;
}

describe('MongoStore operations', () => {
  it('each operation is ONE driver call (reserve, replay, complete, extend, release)', async () => {
    const { collection, store } = setup();
    const first = await store.reserve('k', 'fp', 1_000, 10_000);
    if (first.kind !== 'reserved') throw new Error('not reserved');
    expect(await store.extend('k', first.token, 1_000)).toBe(true);
    expect(await store.complete('k', first.token, new Uint8Array([1]), 10_000)).toBe(true);
    expect((await store.reserve('k', 'fp', 1_000, 10_000)).kind).toBe('existing');
    const other = await store.reserve('j', 'fp', 1_000, 10_000);
    if (other.kind !== 'reserved') throw new Error('not reserved');
    expect(await store.release('j', other.token)).toBe(true);
    expect(collection.calls).toEqual({ findOneAndUpdate: 3, updateOne: 2, deleteOne: 1, createIndex: 0 });
  });

  it('a replay or an in-flight duplicate leaves the document exactly as it was', async () => {
    const { collection, store } = setup();
    const first = await store.reserve('k', 'fp', 1_000, 10_000);
    const before = BSON.serialize(collection.documents.get('k') as BSON.Document);
    expect(await store.reserve('k', 'other', 1_000, 10_000)).toEqual({
      kind: 'existing',
      state: 'in-flight',
      fingerprint: 'fp',
    });
    expect(BSON.serialize(collection.documents.get('k') as BSON.Document)).toEqual(before);
    if (first.kind === 'reserved') await store.complete('k', first.token, new Uint8Array([9, 8]), 10_000);
    const completed = BSON.serialize(collection.documents.get('k') as BSON.Document);
    await store.reserve('k', 'fp', 1_000, 10_000);
    expect(BSON.serialize(collection.documents.get('k') as BSON.Document)).toEqual(completed);
  });

  it('values that start with $ are data, never field paths ($literal)', async () => {
    const { store } = setup();
    const first = await store.reserve('$k', '$fp', 1_000, 10_000);
    expect(first.kind).toBe('reserved');
    expect(await store.reserve('$k', '$other', 1_000, 10_000)).toMatchObject({ fingerprint: '$fp' });
  });

  it('the duplicate-key race (E11000) is answered by running the same call once more', async () => {
    const { collection, store } = setup();
    const first = await store.reserve('k', 'fp', 1_000, 10_000);
    collection.duplicateKeyOnce = true;
    expect(await store.reserve('k', 'fp', 1_000, 10_000)).toEqual({
      kind: 'existing',
      state: 'in-flight',
      fingerprint: 'fp',
    });
    expect(collection.calls.findOneAndUpdate).toBe(3);
    collection.duplicateKeyOnce = true;
    const fresh = await store.reserve('new', 'fp', 1_000, 10_000);
    expect(fresh.kind).toBe('reserved');
    expect(first.kind).toBe('reserved');
  });

  it('H48 a slow server fails the call with StoreTimeoutError within timeoutMs, and a late reservation is given back', async () => {
    const { collection, store } = setup(50);
    collection.delayMs = 150;
    const started = performance.now();
    await expect(store.reserve('k', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreTimeoutError);
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(store.complete('k', 't', new Uint8Array(1), 1_000)).rejects.toBeInstanceOf(
      StoreTimeoutError,
    );
    collection.delayMs = 0;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(collection.documents.has('k')).toBe(false);
    expect((await store.reserve('k', 'fp', 1_000, 10_000)).kind).toBe('reserved');
  });

  it('driver errors become StoreUnavailableError with the cause', async () => {
    const cause = new Error('connection <monitor> to 127.0.0.1:27017 closed');
    const store = new MongoStore({
      collection: {
        collectionName: 'broken',
        findOneAndUpdate: () => Promise.reject(cause),
        updateOne: () => Promise.reject(cause),
        deleteOne: () => Promise.reject(cause),
        createIndex: () => Promise.reject(cause),
      },
    });
    const error = await store.reserve('k', 'fp', 1, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toBe(cause);
    await expect(store.release('k', 't')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ensureIndexes()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('ensureIndexes creates the TTL index on the retention expiry, idempotently', async () => {
    const { collection, store } = setup();
    await store.ensureIndexes();
    await store.ensureIndexes();
    expect(collection.indexes).toEqual([
      { keys: { exp: 1 }, options: { name: TTL_INDEX_NAME, expireAfterSeconds: 0 } },
    ]);
  });

  it('refuses bad options and durations', async () => {
    expect(() => new MongoStore({ collection: {} as never })).toThrow(InvalidOptionsError);
    expect(() => new MongoStore({ collection: new MingoCollection(), timeoutMs: 0 })).toThrow(
      InvalidOptionsError,
    );
    const { store } = setup();
    await expect(store.reserve('k', 'fp', 0, 1)).rejects.toThrow(RangeError);
    await expect(store.extend('k', 't', Number.NaN)).rejects.toThrow(RangeError);
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('what the store sends', () => {
  it('uses the server clock ($$NOW) and never a Date from the application', () => {
    const reserve = reserveOperation('k', 'fp', 't', 100, 1_000);
    for (const part of [
      reserve.filter,
      reserve.update,
      heldFilter('k', 't'),
      completeUpdate(new Uint8Array(1), 5),
      extendUpdate(5),
    ]) {
      expect(containsDate(part)).toBe(false);
      expect(JSON.stringify(part).includes('$$NOW') || JSON.stringify(part) === '{"_id":"k"}').toBe(true);
    }
  });

  it('reserve is matched on the key alone, so a replay is one call, never a duplicate-key error', () => {
    expect(reserveOperation('k', 'fp', 't', 1, 1).filter).toEqual({ _id: 'k' });
  });
});

describe('reading answers', () => {
  it('reads BSON Binary (as the driver returns it) and plain bytes', () => {
    const binary = BSON.deserialize(BSON.serialize({ b: new Uint8Array([0, 255, 7]) }))['b'];
    expect([...responseBytes(binary)]).toEqual([0, 255, 7]);
    expect([...responseBytes(new Uint8Array([1]))]).toEqual([1]);
    expect(() => responseBytes(null)).toThrow(StoreUnavailableError);
  });

  it('refuses malformed documents rather than guessing', () => {
    expect(() => reserveResult(null, 't')).toThrow(StoreUnavailableError);
    expect(() => reserveResult({ _id: 'k', fp: 'f' }, 't')).toThrow(StoreUnavailableError);
    expect(() => reserveResult({ _id: 'k', fp: 'f', tok: 'x', st: 'odd' }, 't')).toThrow(/unknown state/);
    expect(() => reserveResult({ _id: 'k', fp: 'f', tok: 'x', st: 'completed', res: null }, 't')).toThrow(
      StoreUnavailableError,
    );
    expect(reserveResult({ _id: 'k', fp: 'f', tok: 't', st: 'in-flight' }, 't')).toEqual({
      kind: 'reserved',
      token: 't',
    });
  });
});
