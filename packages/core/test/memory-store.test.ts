import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, StoreCapacityError } from '../src/errors.js';
import { MEMORY_RECORD_OVERHEAD, MEMORY_RESPONSE_OVERHEAD, MemoryStore } from '../src/memory-store.js';
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

  it('[15.3] a full store (maxEntries) refuses a new key with StoreCapacityError and still replays every old one', async () => {
    const { store } = clockStore({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c'])
      await store.complete(k, await reserved(store, k), new Uint8Array([k.charCodeAt(0)]), 10_000);
    await expect(store.reserve('d', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreCapacityError);
    expect(store.size).toBe(3);
    for (const k of ['a', 'b', 'c']) {
      const r = await store.reserve(k, 'fp', 1_000, 10_000);
      expect(r.kind === 'existing' && r.state === 'completed' && [...r.response]).toEqual([k.charCodeAt(0)]);
    }
  });

  it('[15.3] another caller storing large answers cannot push a paid request out: past maxBytes new keys get StoreCapacityError, the paid one replays', async () => {
    const { store } = clockStore({ maxBytes: 64 * 1024 });
    const paid = new TextEncoder().encode('{"charged":"9.99 EUR"}');
    await store.complete('paid', await reserved(store, 'paid'), paid, 10_000);
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      try {
        await store.complete(`big-${i}`, await reserved(store, `big-${i}`), new Uint8Array(4_000), 10_000);
      } catch (error) {
        expect(error).toBeInstanceOf(StoreCapacityError);
        refused++;
      }
    }
    expect(refused, 'the big answers past the cap were refused at reserve').toBeGreaterThan(80);
    expect(store.bytes).toBeLessThanOrEqual(64 * 1024 + 4_000 + MEMORY_RESPONSE_OVERHEAD);
    const r = await store.reserve('paid', 'fp', 1_000, 10_000);
    expect(r.kind === 'existing' && r.state === 'completed' && [...r.response]).toEqual([...paid]);
  });

  it('[15.3] expired records are reclaimed to make room: completed past retention and in flight past lease, never a live one', async () => {
    const { store, tick } = clockStore({ maxEntries: 3 });
    await store.complete('short', await reserved(store, 'short', 100, 100), new Uint8Array(1), 500);
    await reserved(store, 'crashed', 100, 10_000);
    await store.complete('long', await reserved(store, 'long', 100, 10_000), new Uint8Array(1), 10_000);
    await expect(store.reserve('new-1', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreCapacityError);
    tick(150); // the crashed holder's lease is over
    await reserved(store, 'new-1');
    expect(store.size).toBe(3);
    await expect(store.reserve('new-2', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreCapacityError);
    tick(400); // the short retention is over
    await reserved(store, 'new-2');
    expect((await store.reserve('long', 'fp', 100, 10_000)).kind).toBe('existing');
    expect((await store.reserve('new-1', 'fp', 100, 10_000)).kind).toBe('existing');
    await expect(store.reserve('new-3', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreCapacityError);
  });

  it('[15.3] a completion past maxBytes is stored all the same (its request has run), and new keys are refused until room is back', async () => {
    const record = MEMORY_RECORD_OVERHEAD + 1 + 2; // key 'a'..'c', fingerprint 'fp'
    const { store, tick } = clockStore({ maxBytes: 3 * record + 1_000 });
    const tokens = [await reserved(store, 'a'), await reserved(store, 'b'), await reserved(store, 'c')];
    expect(await store.complete('a', tokens[0] as string, new Uint8Array(700), 5_000)).toBe(true);
    // b's response does not fit beside a's: it is stored all the same, past maxBytes.
    expect(await store.complete('b', tokens[1] as string, new Uint8Array(700), 10_000)).toBe(true);
    expect(store.bytes).toBeGreaterThan(3 * record + 1_000);
    await expect(store.reserve('d', 'fp', 1_000, 10_000)).rejects.toBeInstanceOf(StoreCapacityError);
    expect(await store.complete('c', tokens[2] as string, new Uint8Array(10), 10_000)).toBe(true);
    for (const k of ['a', 'b', 'c']) expect((await store.reserve(k, 'fp', 1, 1)).kind).toBe('existing');
    tick(5_000); // a expires: room again
    await reserved(store, 'd');
    expect((await store.reserve('b', 'fp', 1, 1)).kind).toBe('existing');
  });

  it('bounds bytes and refuses a response larger than maxBytes', async () => {
    const { store } = clockStore({ maxBytes: 2_000 });
    const t1 = await reserved(store, 'a');
    expect(await store.complete('a', t1, new Uint8Array(1_000), 10_000)).toBe(true);
    expect(store.bytes).toBe(MEMORY_RECORD_OVERHEAD + 3 + MEMORY_RESPONSE_OVERHEAD + 1_000);
    const t2 = await reserved(store, 'b');
    await expect(store.complete('b', t2, new Uint8Array(2_000), 10_000)).rejects.toBeInstanceOf(
      StoreCapacityError,
    );
    expect((await store.reserve('b', 'fp', 1, 1)).kind).toBe('existing');
  });

  it('[15.2] an in-flight record is kept at least its lease: reserve keeps it max(lease, ttl), extend moves that to now + lease, never back', async () => {
    const { store, tick } = clockStore();
    const token = await reserved(store, 'k', 2_000, 1_000);
    expect((await store.get('k'))?.expiresAt).toEqual(new Date(3_000));
    tick(1_500); // past reserve + ttl: the lease still runs
    expect((await store.reserve('k', 'fp', 100, 100)).kind).toBe('existing');
    tick(400);
    expect(await store.extend('k', token, 2_000)).toBe(true);
    expect(await store.get('k')).toMatchObject({
      leaseExpiresAt: new Date(4_900),
      expiresAt: new Date(4_900),
    });
    expect(await store.extend('k', token, 100)).toBe(true);
    expect(await store.get('k')).toMatchObject({
      leaseExpiresAt: new Date(3_000),
      expiresAt: new Date(4_900),
    });
    tick(1_000); // the short lease ended, nobody took over: the holder still completes
    expect(await store.complete('k', token, new Uint8Array([1]), 500)).toBe(true);
    expect((await store.get('k'))?.expiresAt).toEqual(new Date(4_400));
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
  it('completing a record whose lease is over drops expired records to make room, never that record', async () => {
    const { store, tick } = clockStore({ maxBytes: 2_000 });
    const token = await reserved(store, 'a', 1_000, 100_000);
    tick(4_000);
    for (const k of ['b', 'c'])
      await store.complete(k, await reserved(store, k, 100_000, 100_000), new Uint8Array(100), 1_000);
    tick(1_000);
    expect(await store.complete('a', token, new Uint8Array(1_000), 100_000)).toBe(true);
    const r = await store.reserve('a', 'fp', 1_000, 100_000);
    expect(r.kind === 'existing' && r.state === 'completed' && r.response.length).toBe(1_000);
    expect(store.bytes).toBeLessThanOrEqual(2_000);
    expect(store.size).toBe(1);
  });

  it('a completion beside live reservations that fill the store is stored and none of them is dropped', async () => {
    const { store, tick } = clockStore({ maxBytes: 2_000 });
    const token = await reserved(store, 'a', 1_000, 100_000);
    tick(4_000);
    for (const k of ['b', 'c', 'd']) await reserved(store, k, 100_000, 100_000);
    expect(await store.complete('a', token, new Uint8Array(1_400), 100_000)).toBe(true);
    expect(store.size).toBe(4);
    for (const k of ['b', 'c', 'd'])
      expect(await store.reserve(k, 'fp', 1, 1)).toMatchObject({ state: 'in-flight' });
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

  it('keeps the response it is given as it is: the store contract hands the buffer over', async () => {
    const { store } = clockStore();
    const given = new TextEncoder().encode('given');
    await store.complete('given', await reserved(store, 'given'), given, 10_000);
    given[0] = 0x47; // what the engine never does: the store kept this very buffer
    const r = await store.reserve('given', 'fp', 1, 1);
    if (r.kind !== 'existing' || r.state !== 'completed') throw new Error('not completed');
    expect(new TextDecoder().decode(r.response)).toBe('Given');
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
        fc.integer({ min: 300, max: 4_000 }),
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
