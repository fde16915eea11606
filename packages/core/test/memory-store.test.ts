import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, StoreCapacityError } from '../src/errors.js';
import { handOver, takeOver } from '../src/handed-over.js';
import { MemoryStore } from '../src/memory-store.js';
import type { IdempotencyStore } from '../src/store.js';
import { ReferenceMemoryStore } from './memory-store-reference.js';

function clockStore(options: { maxEntries?: number; maxBytes?: number } = {}) {
  let t = 1_000;
  const store = new MemoryStore({ ...options, now: () => t });
  return { store, tick: (ms: number) => (t += ms) };
}

const reserved = async (store: MemoryStore, key: string, leaseMs = 1_000, ttlMs = 10_000) => {
  const r = await store.reserve(key, 'fp', leaseMs, ttlMs);
  if (r.kind !== 'reserved') throw new Error(`${key} not reserved`);
  return r.token;
};

describe('MemoryStore', () => {
  it('validates its options', () => {
    expect(() => new MemoryStore({ maxEntries: 0 })).toThrow(InvalidOptionsError);
    expect(() => new MemoryStore({ maxBytes: 1.5 })).toThrow(InvalidOptionsError);
  });

  it('E35 G45 decides lease and retention expiry on read with its clock', async () => {
    const { store, tick } = clockStore();
    const first = await reserved(store, 'k', 100, 1_000);
    tick(99);
    expect((await store.reserve('k', 'fp', 100, 1_000)).kind).toBe('existing');
    tick(1);
    const second = await reserved(store, 'k', 100, 1_000);
    expect(second).not.toBe(first);
    expect(await store.complete('k', first, new Uint8Array([1]), 1_000)).toBe(false);
    expect(await store.complete('k', second, new Uint8Array([2]), 500)).toBe(true);
    tick(499);
    expect(await store.reserve('k', 'fp', 100, 1_000)).toMatchObject({ state: 'completed' });
    tick(1);
    expect((await store.reserve('k', 'fp', 100, 1_000)).kind).toBe('reserved');
  });

  it('an in-flight record past its retention can no longer be completed', async () => {
    const { store, tick } = clockStore();
    const token = await reserved(store, 'k', 100, 200);
    tick(200);
    expect(await store.complete('k', token, new Uint8Array(1), 1_000)).toBe(false);
    expect(await store.extend('k', token, 100)).toBe(false);
  });

  it('copies the response it is given', async () => {
    const { store } = clockStore();
    const token = await reserved(store, 'k');
    const body = new Uint8Array([1, 2, 3]);
    await store.complete('k', token, body, 1_000);
    body[0] = 9;
    const r = await store.reserve('k', 'fp', 1, 1);
    expect(r.kind === 'existing' && r.state === 'completed' && [...r.response]).toEqual([1, 2, 3]);
  });

  it('evicts completed records oldest first when maxEntries is reached, never live in-flight ones', async () => {
    const { store } = clockStore({ maxEntries: 3 });
    for (const k of ['a', 'b']) await store.complete(k, await reserved(store, k), new Uint8Array(1), 10_000);
    await reserved(store, 'c');
    await reserved(store, 'd'); // evicts a
    expect(store.size).toBe(3);
    expect((await store.reserve('b', 'fp', 1_000, 10_000)).kind).toBe('existing');
    expect((await store.reserve('c', 'fp', 1_000, 10_000)).kind).toBe('existing');
    // a was evicted, so it is free; reserving it evicts b, the last completed record.
    expect((await store.reserve('a', 'fp', 1_000, 10_000)).kind).toBe('reserved');
    await expect(store.reserve('e', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreCapacityError);
    expect((await store.reserve('c', 'fp', 1_000, 10_000)).kind).toBe('existing');
  });

  it('frees abandoned in-flight records (lease over) and expired ones before evicting live ones', async () => {
    const { store, tick } = clockStore({ maxEntries: 2 });
    await reserved(store, 'crashed', 100, 10_000);
    await store.complete('done', await reserved(store, 'done', 100, 10_000), new Uint8Array(1), 10_000);
    tick(150);
    await reserved(store, 'new');
    expect((await store.reserve('done', 'fp', 100, 10_000)).kind).toBe('existing');
  });

  it('bounds bytes and refuses a response larger than maxBytes', async () => {
    const { store } = clockStore({ maxBytes: 2_000 });
    const t1 = await reserved(store, 'a');
    expect(await store.complete('a', t1, new Uint8Array(1_000), 10_000)).toBe(true);
    const t2 = await reserved(store, 'b');
    expect(await store.complete('b', t2, new Uint8Array(1_000), 10_000)).toBe(true);
    expect(store.bytes).toBeLessThanOrEqual(2_000);
    expect((await store.reserve('a', 'fp', 1, 1)).kind).toBe('reserved');
    const t3 = await reserved(store, 'c');
    await expect(store.complete('c', t3, new Uint8Array(5_000), 10_000)).rejects.toBeInstanceOf(
      StoreCapacityError,
    );
  });

  it('is atomic under concurrent async callers', async () => {
    const store = new MemoryStore();
    const results = await Promise.all(
      Array.from({ length: 500 }, () => store.reserve('race', 'fp', 1_000, 10_000)),
    );
    expect(results.filter((r) => r.kind === 'reserved')).toHaveLength(1);
  });

  it('close() empties it', async () => {
    const { store } = clockStore();
    await reserved(store, 'a');
    await store.close();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });
});

describe('MemoryStore regressions', () => {
  it('completing a record whose lease is over evicts others to make room, never that record', async () => {
    const { store, tick } = clockStore({ maxBytes: 2_000 });
    const token = await reserved(store, 'a', 1_000, 100_000);
    tick(4_000);
    for (const k of ['b', 'c'])
      await store.complete(k, await reserved(store, k, 100_000, 100_000), new Uint8Array(300), 100_000);
    expect(await store.complete('a', token, new Uint8Array(1_400), 100_000)).toBe(true);
    const r = await store.reserve('a', 'fp', 1_000, 100_000);
    expect(r.kind === 'existing' && r.state === 'completed' && r.response.length).toBe(1_400);
    expect(store.bytes).toBeLessThanOrEqual(2_000);
    expect(store.size).toBe(1);
  });

  it('a completion that cannot fit beside live reservations fails and the holder keeps its record', async () => {
    const { store, tick } = clockStore({ maxBytes: 2_000 });
    const token = await reserved(store, 'a', 1_000, 100_000);
    tick(4_000);
    for (const k of ['b', 'c', 'd']) await reserved(store, k, 100_000, 100_000);
    await expect(store.complete('a', token, new Uint8Array(1_400), 100_000)).rejects.toBeInstanceOf(
      StoreCapacityError,
    );
    expect(store.size).toBe(4);
    expect(await store.complete('a', token, new Uint8Array(10), 100_000)).toBe(true);
  });

  it('a caller that writes to a replayed response cannot change later replays', async () => {
    const { store } = clockStore();
    await store.complete('k', await reserved(store, 'k'), new TextEncoder().encode('hello'), 10_000);
    const first = await store.reserve('k', 'fp', 1, 1);
    if (first.kind !== 'existing' || first.state !== 'completed') throw new Error('not completed');
    first.response[0] = 0x4a;
    const second = await store.reserve('k', 'fp', 1, 1);
    expect(
      second.kind === 'existing' && second.state === 'completed' && new TextDecoder().decode(second.response),
    ).toBe('hello');
  });

  it('copies what it is given, except a buffer handed over by its only holder (the engine), kept as it is', async () => {
    const { store } = clockStore();
    const replayed = async (key: string) => {
      const r = await store.reserve(key, 'fp', 1, 1);
      if (r.kind !== 'existing' || r.state !== 'completed') throw new Error('not completed');
      return new TextDecoder().decode(r.response);
    };
    const given = new TextEncoder().encode('given');
    await store.complete('given', await reserved(store, 'given'), given, 10_000);
    given[0] = 0x47;
    expect(await replayed('given')).toBe('given');
    const handed = handOver(new TextEncoder().encode('handed'));
    await store.complete('handed', await reserved(store, 'handed'), handed, 10_000);
    expect(takeOver(handed)).toBe(false); // taken by the store
    handed[0] = 0x48; // what the engine never does: the store kept this very buffer
    expect(await replayed('handed')).toBe('Handed');
  });
});

describe('handOver / takeOver', () => {
  it('lets one taker, and only one, take a buffer that was handed over', () => {
    const buffer = new Uint8Array(1);
    expect(takeOver(buffer)).toBe(false);
    expect(handOver(buffer)).toBe(buffer);
    expect(takeOver(buffer)).toBe(true);
    expect(takeOver(buffer)).toBe(false);
  });
});

describe('MemoryStore against its earlier version', () => {
  type Op =
    | { op: 'reserve'; key: number; lease: number; ttl: number }
    | { op: 'complete'; key: number; holder: number; size: number; ttl: number }
    | { op: 'release' | 'extend'; key: number; holder: number }
    | { op: 'tick'; ms: number };
  const key = fc.nat(7);
  const ops = fc.array(
    fc.oneof(
      fc.record({
        op: fc.constant('reserve' as const),
        key,
        lease: fc.integer({ min: 1, max: 50 }),
        ttl: fc.integer({ min: 1, max: 60 }),
      }),
      fc.record({
        op: fc.constant('complete' as const),
        key,
        holder: fc.nat(3),
        size: fc.nat(400),
        ttl: fc.integer({ min: 1, max: 60 }),
      }),
      fc.record({ op: fc.constantFrom('release' as const, 'extend' as const), key, holder: fc.nat(3) }),
      fc.record({ op: fc.constant('tick' as const), ms: fc.nat(40) }),
    ),
    { maxLength: 120 },
  );

  /** Runs `ops` on a store; tokens are named by the order they were handed out, so that two stores compare. */
  async function run(make: (now: () => number) => IdempotencyStore, list: Op[]) {
    let t = 1_000;
    const store = make(() => t) as IdempotencyStore & { size: number; bytes: number };
    const tokens: string[][] = Array.from({ length: 8 }, () => []);
    const log: unknown[] = [];
    for (const o of list) {
      let result: unknown;
      try {
        if (o.op === 'tick') result = t += o.ms;
        else if (o.op === 'reserve') {
          const r = await store.reserve(`k${o.key}`, `fp${o.key % 3}`, o.lease, o.ttl);
          if (r.kind === 'reserved') {
            (tokens[o.key] as string[]).unshift(r.token);
            result = 'reserved';
          } else
            result = r.state === 'completed' ? [r.fingerprint, [...r.response]] : [r.fingerprint, r.state];
        } else {
          const token = (tokens[o.key] as string[])[o.holder] ?? 'nobody';
          if (o.op === 'complete') {
            const bytes = new Uint8Array(o.size).fill(o.key + o.size);
            result = await store.complete(`k${o.key}`, token, bytes, o.ttl);
          } else if (o.op === 'release') result = await store.release(`k${o.key}`, token);
          else result = await store.extend(`k${o.key}`, token, 30);
        }
      } catch (e) {
        result = `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      log.push([o, result, store.size, store.bytes]);
    }
    return log;
  }

  it('answers, evicts and accounts as it did, for any sequence of calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        ops,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 300, max: 3_000 }),
        async (list, maxEntries, maxBytes) => {
          const options = (now: () => number) => ({ maxEntries, maxBytes, now });
          expect(await run((now) => new MemoryStore(options(now)), list)).toEqual(
            await run((now) => new ReferenceMemoryStore(options(now)), list),
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
