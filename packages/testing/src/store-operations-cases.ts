import type { IdempotencyStore } from '@idempo/core';
import type { StoredRecord, StoreStats } from '@idempo/core/store';
import { expect, it } from 'vitest';
import { assertSameBytes, utf8 } from './bytes.js';
import { expectCompleted, expectInFlight, reserveNew } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/** The operations a store may have: an operator's view of its records. */
type Operations = IdempotencyStore & Required<Pick<IdempotencyStore, 'get' | 'delete' | 'stats'>>;

/** How far a database's clock may be from this process's (the instants it reports come from its clock). */
const CLOCK_SKEW_MS = 2_000;

const KEYS: readonly (keyof StoredRecord)[] = [
  'state',
  'fingerprint',
  'createdAt',
  'leaseExpiresAt',
  'expiresAt',
  'response',
];

function operations(store: IdempotencyStore): Operations {
  const missing = (['get', 'delete', 'stats'] as const).filter((name) => typeof store[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `storeSuite: the store has no ${missing.join(', ')}(); implement the operations, or pass { operations: false }`,
    );
  }
  return store as Operations;
}

/** Asserts that `record` is a record, with no field beyond the contract's (a token above all), and returns it. */
function expectRecord(record: StoredRecord | undefined): StoredRecord {
  expect(record, 'get should have found the record').toBeDefined();
  if (record === undefined) throw new Error('unreachable');
  for (const key of Object.keys(record)) {
    expect(KEYS, `get returns only StoredRecord fields (never a token), got ${key}`).toContain(key);
  }
  expect(record.expiresAt).toBeInstanceOf(Date);
  return record;
}

/** `actual` is `expected` ms after `from`, within `tolerance`. */
function expectAfter(
  actual: Date | undefined,
  from: Date,
  expected: number,
  tolerance: number,
  what: string,
) {
  expect(actual, what).toBeInstanceOf(Date);
  const gap = (actual as Date).getTime() - from.getTime();
  expect(Math.abs(gap - expected), `${what}: ${gap} ms after, expected ${expected}`).toBeLessThanOrEqual(
    tolerance,
  );
}

/** Operations: `get`, `delete` and `stats`, what a support team or the `idempo` CLI does with a store. */
export function defineOperationsCases(ctx: StoreSuiteContext): void {
  const long = () => ctx.ms(LONG_MS);
  const ops = () => operations(ctx.store());
  // Two reads of the database's clock a few ms apart: a lease of L reads as L within this margin.
  const tolerance = () => ctx.ms(100) + 50;

  it(
    'ops get finds nothing for a key never reserved, and delete deletes nothing',
    async () => {
      const store = ops();
      const key = ctx.key('ops-none');
      expect(await store.get(key)).toBeUndefined();
      expect(await store.delete(key)).toBe('not-found');
      expect(await store.delete(key, { force: true })).toBe('not-found');
      await reserveNew(store, key, 'fp-a', long(), long());
    },
    ctx.timeout,
  );

  it(
    'ops get shows an in-flight record: state, fingerprint, when it was made, its lease and retention, no response',
    async () => {
      const store = ops();
      const key = ctx.key('ops-in-flight');
      const before = Date.now();
      await reserveNew(store, key, 'fp-in-flight', ctx.ms(30_000), ctx.ms(90_000));
      const after = Date.now();
      const record = expectRecord(await store.get(key));
      expect(record.state).toBe('in-flight');
      expect(record.fingerprint).toBe('fp-in-flight');
      expect(record.response).toBeUndefined();
      expect(record.createdAt, 'createdAt').toBeInstanceOf(Date);
      const created = record.createdAt as Date;
      expect(created.getTime()).toBeGreaterThanOrEqual(before - CLOCK_SKEW_MS);
      expect(created.getTime()).toBeLessThanOrEqual(after + CLOCK_SKEW_MS);
      expectAfter(record.leaseExpiresAt, created, ctx.ms(30_000), tolerance(), 'leaseExpiresAt');
      expectAfter(record.expiresAt, created, ctx.ms(90_000), tolerance(), 'expiresAt');
    },
    ctx.timeout,
  );

  it(
    'ops get shows a completed record with its response bytes exactly, a retention counted from completion, no lease',
    async () => {
      const store = ops();
      const key = ctx.key('ops-completed');
      const token = await reserveNew(store, key, 'fp-done', long(), long());
      const response = Uint8Array.from([0, 255, 10, 13, 0, 1, 128, 0]);
      expect(await store.complete(key, token, response, ctx.ms(45_000))).toBe(true);
      const record = expectRecord(await store.get(key));
      expect(record.state).toBe('completed');
      expect(record.fingerprint).toBe('fp-done');
      expect(record.leaseExpiresAt).toBeUndefined();
      assertSameBytes(record.response, response, 'the response get returns');
      expect(record.createdAt).toBeInstanceOf(Date);
      const completedAt = (record.expiresAt as Date).getTime() - ctx.ms(45_000);
      expect(Math.abs(completedAt - Date.now())).toBeLessThanOrEqual(CLOCK_SKEW_MS);
      expect(completedAt + tolerance()).toBeGreaterThanOrEqual((record.createdAt as Date).getTime());
      // What get returned is a copy: changing it changes nothing stored.
      (record.response as Uint8Array)[0] = 7;
      expectCompleted(await store.reserve(key, 'fp-done', long(), long()), 'fp-done', response);
    },
    ctx.timeout,
  );

  it(
    'ops E35 get reads and never writes: a lease-ended record is shown, not taken over, and its holder still completes',
    async () => {
      const store = ops();
      const key = ctx.key('ops-lease-ended');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(100), long());
      await ctx.wait(250);
      const record = expectRecord(await store.get(key));
      expect(record.state).toBe('in-flight');
      expect((record.leaseExpiresAt as Date).getTime()).toBeLessThan(
        (record.createdAt as Date).getTime() + ctx.ms(250),
      );
      expect(await store.get(key)).toEqual(record);
      const response = utf8('finished late, nobody took over');
      expect(await store.complete(key, token, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    'ops E35 the heartbeat moves the lease get shows; a takeover makes a new record with a new createdAt',
    async () => {
      const store = ops();
      const key = ctx.key('ops-heartbeat');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(150), long());
      const first = expectRecord(await store.get(key));
      await ctx.wait(60);
      expect(await store.extend(key, token, ctx.ms(5_000))).toBe(true);
      const extended = expectRecord(await store.get(key));
      expect(extended.createdAt).toEqual(first.createdAt);
      expect((extended.leaseExpiresAt as Date).getTime()).toBeGreaterThan(
        (first.leaseExpiresAt as Date).getTime(),
      );
      expect(await store.extend(key, token, ctx.ms(100))).toBe(true);
      await ctx.wait(250);
      await reserveNew(store, key, 'fp-b', long(), long());
      const taken = expectRecord(await store.get(key));
      expect(taken.fingerprint).toBe('fp-b');
      expect((taken.createdAt as Date).getTime()).toBeGreaterThan((first.createdAt as Date).getTime());
    },
    ctx.timeout,
  );

  it(
    'ops G44 G45 get finds nothing past retention, and delete deletes nothing there',
    async () => {
      const store = ops();
      const done = ctx.key('ops-expired-completed');
      const running = ctx.key('ops-expired-in-flight');
      const token = await reserveNew(store, done, 'fp-a', long(), ctx.ms(150));
      expect(await store.complete(done, token, utf8('short'), ctx.ms(150))).toBe(true);
      // An in-flight record lives at least its lease: both end here.
      await reserveNew(store, running, 'fp-a', ctx.ms(100), ctx.ms(150));
      expect(await store.get(done)).toBeDefined();
      expect(await store.get(running)).toBeDefined();
      await ctx.wait(350);
      expect(await store.get(done)).toBeUndefined();
      expect(await store.get(running)).toBeUndefined();
      expect(await store.delete(done)).toBe('not-found');
      expect(await store.delete(running)).toBe('not-found');
      await reserveNew(store, done, 'fp-b', long(), long());
    },
    ctx.timeout,
  );

  it(
    'ops E34 delete keeps an in-flight record whose lease runs (its handler may be running) unless forced',
    async () => {
      const store = ops();
      const key = ctx.key('ops-delete-running');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const before = expectRecord(await store.get(key));
      expect(await store.delete(key)).toBe('in-flight');
      expect(await store.delete(key, { force: false })).toBe('in-flight');
      expect(await store.get(key)).toEqual(before);
      expectInFlight(await store.reserve(key, 'fp-a', long(), long()), 'fp-a');
      const response = utf8('still the holder');
      expect(await store.complete(key, token, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    'ops E34 delete with force unsticks a running key: the old holder is fenced out and the next reserve runs afresh',
    async () => {
      const store = ops();
      const key = ctx.key('ops-delete-forced');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      expect(await store.delete(key, { force: true })).toBe('deleted');
      expect(await store.get(key)).toBeUndefined();
      expect(await store.delete(key, { force: true })).toBe('not-found');
      expect(await store.extend(key, token, long())).toBe(false);
      expect(await store.complete(key, token, utf8('stale'), long())).toBe(false);
      expect(await store.release(key, token)).toBe(false);
      const next = await reserveNew(store, key, 'fp-b', long(), long());
      expect(next).not.toBe(token);
      expect(await store.complete(key, token, utf8('stale'), long())).toBe(false);
      const response = utf8('the second run');
      expect(await store.complete(key, next, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-b', long(), long()), 'fp-b', response);
    },
    ctx.timeout,
  );

  it(
    'ops E35 delete frees a lease-ended in-flight record without force, and fences its holder out',
    async () => {
      const store = ops();
      const key = ctx.key('ops-delete-lease-ended');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(100), long());
      await ctx.wait(250);
      expect(await store.delete(key)).toBe('deleted');
      expect(await store.get(key)).toBeUndefined();
      expect(await store.complete(key, token, utf8('stale'), long())).toBe(false);
      await reserveNew(store, key, 'fp-b', long(), long());
    },
    ctx.timeout,
  );

  it(
    'ops delete drops a completed record: the next request with the key runs again',
    async () => {
      const store = ops();
      const key = ctx.key('ops-delete-completed');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      expect(await store.complete(key, token, utf8('first'), long())).toBe(true);
      expect(await store.delete(key)).toBe('deleted');
      expect(await store.get(key)).toBeUndefined();
      await reserveNew(store, key, 'fp-a', long(), long());
    },
    ctx.timeout,
  );

  it(
    "ops E35 delete decides and deletes atomically: racing a takeover, it never deletes the new holder's record",
    async () => {
      const store = ops();
      const keys = Array.from({ length: 40 }, (_, i) => ctx.key(`ops-delete-race-${i}`));
      await Promise.all(keys.map((key) => reserveNew(store, key, 'fp-old', ctx.ms(100), long())));
      await ctx.wait(250);
      // Each lease has ended: a retry's reserve takes the key over while an operator deletes it, at once.
      const outcomes = await Promise.all(
        keys.map(async (key, i) => {
          // Both orders of sending: over one connection a store answers in the order it was sent, and a delete
          // that reads, then deletes in a second step, loses only when it is sent first.
          const reserve = () => store.reserve(key, 'fp-new', long(), long());
          const remove = () => store.delete(key);
          const [reserved, deleted] =
            i % 2 === 0
              ? await Promise.all([reserve(), remove()])
              : await Promise.all([remove(), reserve()]).then(([d, r]) => [r, d] as const);
          return { key, reserved, deleted };
        }),
      );
      for (const { key, reserved, deleted } of outcomes) {
        expect(reserved.kind, 'the retry takes the key over, or finds it deleted: it runs either way').toBe(
          'reserved',
        );
        // Deleted first: the retry reserved an empty key. Taken over first: the new lease runs, delete kept it.
        expect(['deleted', 'in-flight']).toContain(deleted);
        const record = expectRecord(await store.get(key));
        expect(record.fingerprint, 'the new holder keeps its record').toBe('fp-new');
        expect(record.state).toBe('in-flight');
      }
    },
    ctx.timeout,
  );

  it(
    'ops stats counts the live records of a store of its own by state: in flight, lease ended, completed',
    async () => {
      const store = operations(await ctx.factory());
      try {
        const stats = (expected: StoreStats) => expect(store.stats()).resolves.toEqual(expected);
        const keys = new Map<string, string>();
        const key = (label: string) => {
          if (!keys.has(label)) keys.set(label, ctx.key(`ops-stats-${label}`));
          return keys.get(label) as string;
        };
        await stats({ inFlight: 0, leaseExpired: 0, completed: 0 });
        const base = store;
        await reserveNew(base, key('running-1'), 'fp', long(), long());
        await reserveNew(base, key('running-2'), 'fp', long(), long());
        await reserveNew(base, key('crashed'), 'fp', ctx.ms(100), long());
        await reserveNew(base, key('retention-ends'), 'fp', ctx.ms(100), ctx.ms(150));
        for (const label of ['done-1', 'done-2', 'done-3', 'done-short', 'deleted']) {
          const token = await reserveNew(base, key(label), 'fp', long(), long());
          const ttl = label === 'done-short' ? ctx.ms(150) : long();
          expect(await store.complete(key(label), token, utf8(label), ttl)).toBe(true);
        }
        expect(await store.delete(key('deleted'))).toBe('deleted');
        await ctx.wait(350);
        await stats({ inFlight: 2, leaseExpired: 1, completed: 3 });
      } finally {
        await store.close?.();
      }
    },
    ctx.timeout,
  );
}
