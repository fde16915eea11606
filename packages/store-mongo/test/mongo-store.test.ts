/** What the store sends and how it reads the answers, over the mingo-evaluated collection and on plain values. */
import { InvalidOptionsError, StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import type { StoredRecord } from '@idempo/core/store';
import { boundStore } from '@idempo/testing';
import { BSON } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { MongoStore, TTL_INDEX_NAME } from '../src/index.js';
import {
  completeUpdate,
  deleteOperation,
  extendUpdate,
  getOperation,
  heldFilter,
  reserveOperation,
  statsPipeline,
} from '../src/record.js';
import { reserveResult, responseBytes, storedRecord, storeStats } from '../src/replies.js';
import { MingoCollection } from './support/mingo-collection.js';
import { previousVersionInFlight, previousVersionRecord } from './support/previous-version.js';

const setup = (timeoutMs?: number) => {
  const collection = new MingoCollection();
  const store = new MongoStore(timeoutMs === undefined ? { collection } : { collection, timeoutMs });
  return { collection, store };
};

/** The record `get` returns for `key`; the test fails when there is none. */
async function found(store: MongoStore, key: string): Promise<StoredRecord> {
  const record = await store.get(key);
  if (record === undefined) throw new Error(`get found no record of ${key}`);
  return record;
}

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
    expect(collection.calls).toEqual({
      findOneAndUpdate: 3,
      updateOne: 2,
      deleteOne: 1,
      findOne: 0,
      aggregate: 0,
      createIndex: 0,
    });
  });

  it('get is one findOne, stats one aggregate; delete one deleteOne that decides, then a read-only findOne when it deleted nothing, and a deleteOne of a dead leftover when there is no live record', async () => {
    const { collection, store } = setup();
    await store.reserve('k', 'fp', 60_000, 60_000);
    const before = { ...collection.calls };
    expect((await store.get('k'))?.state).toBe('in-flight');
    expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 0 });
    expect(collection.calls).toEqual({ ...before, findOne: 1, aggregate: 1 });
    /** What `delete` answered, and the calls it made. */
    const deleting = async (force?: boolean) => {
      const { deleteOne, findOne } = collection.calls;
      const result = await store.delete('k', force === undefined ? undefined : { force });
      return {
        result,
        deleteOne: collection.calls.deleteOne - deleteOne,
        findOne: collection.calls.findOne - findOne,
      };
    };
    expect(await deleting()).toEqual({ result: 'in-flight', deleteOne: 1, findOne: 1 });
    expect(await deleting(true)).toEqual({ result: 'deleted', deleteOne: 1, findOne: 0 });
    expect(await deleting()).toEqual({ result: 'not-found', deleteOne: 2, findOne: 1 });
    expect(await deleting(true)).toEqual({ result: 'not-found', deleteOne: 2, findOne: 0 });
    const held = await store.reserve('k', 'fp', 60_000, 60_000);
    if (held.kind !== 'reserved') throw new Error('not reserved');
    expect(await store.complete('k', held.token, new Uint8Array([1]), 60_000)).toBe(true);
    expect(await deleting(false)).toEqual({ result: 'deleted', deleteOne: 1, findOne: 0 });
  });

  it("E35 delete started just before or just after a takeover of a lease-ended key never deletes the new holder's record", async () => {
    // The evaluated collection runs operations in the order they were sent, so both orders are certain here:
    // a delete that read first and deleted later (check then act) would delete the new holder's record.
    const { collection, store } = setup();
    const keys = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    await Promise.all(keys.map((key) => store.reserve(key, 'fp-old', 1, 60_000)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const outcomes = await Promise.all(
      keys.map(async (key, i) => {
        const deleteFirst = i % 2 === 0;
        const takeover = () => store.reserve(key, 'fp-new', 60_000, 60_000);
        const [deleted, reserved] = deleteFirst
          ? await Promise.all([store.delete(key), takeover()])
          : await Promise.all([takeover(), store.delete(key)]).then(([r, d]) => [d, r] as const);
        return { key, deleteFirst, deleted, reserved: reserved.kind };
      }),
    );
    for (const { key, deleteFirst, deleted, reserved } of outcomes) {
      expect({ deleted, reserved }).toEqual({
        deleted: deleteFirst ? 'deleted' : 'in-flight',
        reserved: 'reserved',
      });
      expect(collection.documents.get(key)?.['fp'], 'the new holder keeps its record').toBe('fp-new');
    }
  });

  it("E34 delete judges the lease by the server's clock, never this machine's: running there, the record is kept unless forced; ended there, it is deleted", async () => {
    const { collection, store } = setup();
    const hour = 3_600_000;
    collection.clockSkewMs = -hour; // the server's clock is an hour behind this machine's
    const held = await store.reserve('running', 'fp', 60_000, 2 * hour);
    if (held.kind !== 'reserved') throw new Error('not reserved');
    const record = await found(store, 'running');
    expect((record.leaseExpiresAt as Date).getTime(), 'ended by this machine').toBeLessThan(Date.now());
    expect(await store.delete('running')).toBe('in-flight');
    expect(await store.delete('running', { force: false })).toBe('in-flight');
    expect(await store.get('running')).toEqual(record);
    expect(await store.delete('running', { force: true })).toBe('deleted');
    expect(collection.documents.has('running')).toBe(false);
    expect(await store.complete('running', held.token, new Uint8Array([1]), 60_000)).toBe(false);

    collection.clockSkewMs = hour; // now an hour ahead
    const now = Date.now();
    collection.documents.set('ended', {
      _id: 'ended',
      fp: 'fp',
      tok: 'old-token',
      st: 'in-flight',
      created: new Date(now),
      lease: new Date(now + 60_000), // runs for a minute more by this machine, ended an hour ago by the server
      exp: new Date(now + 2 * hour),
      res: null,
    });
    expect(await store.delete('ended')).toBe('deleted');
    expect(collection.documents.has('ended')).toBe(false);
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

  it('E35 get reads and never writes: a lease-ended record is left byte-identical, and the token never leaves the server', async () => {
    const { collection, store } = setup();
    await store.reserve('k', 'fp', 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = BSON.serialize(collection.documents.get('k') as BSON.Document);
    const record = await found(store, 'k');
    expect(record.state).toBe('in-flight');
    expect((record.leaseExpiresAt as Date).getTime()).toBeLessThan(Date.now());
    expect(BSON.serialize(collection.documents.get('k') as BSON.Document)).toEqual(before);
    const { filter, projection } = getOperation('k');
    const projected = await collection.findOne(filter, { projection });
    expect(Object.keys(projected ?? {}).sort()).toEqual(['created', 'exp', 'fp', 'lease', 'res', 'st']);
  });

  it('a record of the previous version (no created) reads with createdAt undefined, counts, is kept by delete while its lease runs, is deleted once completed and is taken over with one', async () => {
    const { collection, store } = setup();
    const now = Date.now();
    for (const record of [
      previousVersionRecord('running', now, 'in-flight', 30_000),
      previousVersionRecord('crashed', now, 'in-flight', -1_000),
      previousVersionRecord('done', now, 'completed', -1_000, new Uint8Array([4, 2])),
    ]) {
      collection.documents.set(record._id, record);
    }
    expect(await store.get('running')).toEqual(previousVersionInFlight(now, 30_000));
    expect(await store.delete('running')).toBe('in-flight');
    const done = await found(store, 'done');
    expect(done).toMatchObject({ state: 'completed', createdAt: undefined, leaseExpiresAt: undefined });
    expect([...(done.response as Uint8Array)]).toEqual([4, 2]);
    expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 1, completed: 1 });
    expect(await store.complete('running', 'old-token', new Uint8Array([1]), 10_000)).toBe(true);
    const takeover = await store.reserve('crashed', 'fp-new', 1_000, 10_000);
    expect(takeover.kind).toBe('reserved');
    const taken = await found(store, 'crashed');
    expect(taken.createdAt).toBeInstanceOf(Date);
    expect(Math.abs((taken.createdAt as Date).getTime() - Date.now())).toBeLessThan(1_000);
    expect(await store.delete('done')).toBe('deleted');
    expect(collection.documents.has('done')).toBe(false);
  });

  it('G45 delete removes a record past retention the TTL index has not removed yet, answering not-found, and never matches a live one', async () => {
    const { collection, store } = setup();
    const past = new Date(Date.now() - 1_000);
    collection.documents.set('expired', {
      _id: 'expired',
      fp: 'f',
      tok: 't',
      st: 'completed',
      lease: past,
      exp: past,
      res: new Uint8Array([1]),
    });
    expect(await store.get('expired')).toBeUndefined();
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
    expect(await store.delete('expired')).toBe('not-found');
    expect(collection.documents.has('expired')).toBe(false);
    collection.documents.set('forced', {
      _id: 'forced',
      fp: 'f',
      tok: 't',
      st: 'in-flight',
      lease: past,
      exp: past,
      res: null,
    });
    expect(await store.delete('forced', { force: true })).toBe('not-found');
    expect(collection.documents.has('forced')).toBe(false);
    await store.reserve('live', 'fp', 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await collection.deleteOne(deleteOperation('live', false).leftover)).toEqual({ deletedCount: 0 });
    expect(collection.documents.has('live')).toBe(true);
  });

  it('stats bounds the server with maxTimeMS = timeoutMs', async () => {
    const { collection, store } = setup(1_234);
    await store.stats();
    expect(collection.aggregateOptions).toEqual([{ maxTimeMS: 1_234 }]);
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

  it("H48 a slow server, the calls bounded by core: the server gives up at the deadline's maxTimeMS (StoreTimeoutError), nothing written", async () => {
    const { collection, store } = setup();
    const core = boundStore(store, 50);
    collection.delayMs = 150;
    const started = performance.now();
    await expect(core.reserve('k', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(core.complete('k', 't', new Uint8Array(1), 1_000)).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(core.extend('k', 't', 1_000)).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(core.release('k', 't')).rejects.toBeInstanceOf(StoreTimeoutError);
    expect(performance.now() - started).toBeLessThan(1_000);
    for (const maxTimeMS of collection.writeMaxTimeMS) {
      expect(maxTimeMS).toBeGreaterThan(0);
      expect(maxTimeMS).toBeLessThanOrEqual(50);
    }
    collection.delayMs = 0;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(collection.documents.has('k')).toBe(false);
    expect(core.lateReleases).toHaveLength(0);
  });

  it('H48 a slow network, the calls bounded by core: a reservation that lands after its deadline is given back by core, the store releasing nothing itself', async () => {
    const { collection, store } = setup();
    collection.latencyMs = 150;
    // Its own call, given a deadline that passes while the answer is on the wire: the store gives nothing back.
    const direct = await store.reserve('d', 'fp', 1_000, 10_000, { deadline: Date.now() + 50 });
    expect(direct.kind).toBe('reserved');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(collection.documents.get('d')).toMatchObject({ st: 'in-flight' });
    const core = boundStore(store, 50);
    await expect(core.reserve('k', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreTimeoutError);
    // The network recovers while the late answer is on its way: core's release of it goes through.
    collection.latencyMs = 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(core.lateReleases).toHaveLength(1);
    expect(await core.lateReleases[0]).toBe(true);
    expect(collection.documents.has('k')).toBe(false);
    expect((await store.reserve('k', 'fp', 1_000, 10_000)).kind).toBe('reserved');
  });

  it('with a deadline, reserve, complete, release and extend send the time left as maxTimeMS; without one, none', async () => {
    const { collection, store } = setup();
    const first = await store.reserve('k', 'fp', 1_000, 10_000, { deadline: Date.now() + 3_000 });
    if (first.kind !== 'reserved') throw new Error('not reserved');
    await store.extend('k', first.token, 1_000, { deadline: Date.now() + 3_000 });
    await store.complete('k', first.token, new Uint8Array(1), 1_000, { deadline: Date.now() + 3_000 });
    const other = await store.reserve('j', 'fp', 1_000, 10_000);
    if (other.kind !== 'reserved') throw new Error('not reserved');
    await store.release('j', other.token, { deadline: Date.now() + 3_000 });
    const [reserve, extend, complete, plain, release] = collection.writeMaxTimeMS;
    for (const maxTimeMS of [reserve, extend, complete, release]) {
      expect(maxTimeMS).toBeGreaterThan(2_500);
      expect(maxTimeMS).toBeLessThanOrEqual(3_000);
    }
    expect(plain).toBeUndefined();
  });

  it('a deadline that has passed: StoreTimeoutError, nothing sent', async () => {
    const { collection, store } = setup();
    const past = { deadline: Date.now() - 1 };
    await expect(store.reserve('k', 'fp', 1_000, 10_000, past)).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(store.complete('k', 't', new Uint8Array(1), 1_000, past)).rejects.toThrow(
      /nothing was sent/,
    );
    await expect(store.extend('k', 't', 1_000, past)).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(store.release('k', 't', past)).rejects.toBeInstanceOf(StoreTimeoutError);
    expect(collection.calls).toMatchObject({ findOneAndUpdate: 0, updateOne: 0, deleteOne: 0 });
  });

  it('H48 the operations calls (get, delete, stats) fail with StoreTimeoutError within timeoutMs on a slow server', async () => {
    const { collection, store } = setup(50);
    collection.delayMs = 150;
    const started = performance.now();
    for (const operation of [store.get('x'), store.delete('x'), store.stats()]) {
      await expect(operation).rejects.toBeInstanceOf(StoreTimeoutError);
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('driver errors become StoreUnavailableError with the cause', async () => {
    const cause = new Error('connection <monitor> to 127.0.0.1:27017 closed');
    const store = new MongoStore({
      collection: {
        collectionName: 'broken',
        findOneAndUpdate: () => Promise.reject(cause),
        updateOne: () => Promise.reject(cause),
        deleteOne: () => Promise.reject(cause),
        findOne: () => Promise.reject(cause),
        aggregate: () => ({ toArray: () => Promise.reject(cause) }),
        createIndex: () => Promise.reject(cause),
      },
    });
    const error = await store.reserve('k', 'fp', 1, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toBe(cause);
    await expect(store.release('k', 't')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ensureIndexes()).rejects.toBeInstanceOf(StoreUnavailableError);
    for (const operation of [store.get('k'), store.delete('k'), store.stats()]) {
      const failed = await operation.catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(StoreUnavailableError);
      expect((failed as Error).cause).toBe(cause);
    }
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
    const { findOne: _, ...withoutFindOne } = new MingoCollection();
    expect(() => new MongoStore({ collection: withoutFindOne as never })).toThrow(/findOne/);
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
      getOperation('k').filter,
      ...[false, true].flatMap((force) => {
        const { deletable, live, leftover } = deleteOperation('k', force);
        return [deletable, live.filter, leftover];
      }),
      statsPipeline(),
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

  it('get refuses malformed records and copies the response out of the driver buffer', () => {
    const at = new Date();
    const record = { fp: 'f', st: 'in-flight', created: at, lease: at, exp: at, res: null };
    expect(storedRecord(null)).toBeUndefined();
    expect(storedRecord(record)?.createdAt).toBe(at);
    expect(() => storedRecord({ ...record, fp: 1 })).toThrow(StoreUnavailableError);
    expect(() => storedRecord({ ...record, st: 'odd' })).toThrow(/unknown state/);
    expect(() => storedRecord({ ...record, lease: 'soon' })).toThrow(/lease/);
    expect(() => storedRecord({ ...record, exp: null })).toThrow(/exp/);
    expect(() => storedRecord({ ...record, created: 5 })).toThrow(/created/);
    expect(() => storedRecord({ ...record, st: 'completed' })).toThrow(StoreUnavailableError);
    const bytes = new Uint8Array([1, 2, 3]);
    const completed = storedRecord({ ...record, st: 'completed', res: bytes });
    expect(completed?.response).toEqual(bytes);
    expect(completed?.response).not.toBe(bytes);
  });

  it('stats sums the groups and refuses a state it does not know', () => {
    expect(storeStats([])).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
    expect(
      storeStats([
        { _id: 'completed', n: 4 },
        { _id: 'inFlight', n: 2 },
        { _id: 'leaseExpired', n: 1 },
      ]),
    ).toEqual({ inFlight: 2, leaseExpired: 1, completed: 4 });
    expect(() => storeStats([{ _id: 'odd', n: 1 }])).toThrow(/unknown state odd/);
    expect(() => storeStats([{ _id: 'completed', n: '1' }])).toThrow(/no count/);
  });
});
