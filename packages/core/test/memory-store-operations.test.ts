import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/memory-store.js';

function clockStore() {
  let t = 1_000_000;
  const store = new MemoryStore({ now: () => t, maxEntries: 3 });
  return { store, tick: (ms: number) => (t += ms) };
}

describe('MemoryStore operations, on its own clock', () => {
  it('get reports the exact instants of its clock, and a completed record drops its lease', async () => {
    const { store, tick } = clockStore();
    const r = await store.reserve('k', 'fp', 100, 1_000);
    if (r.kind !== 'reserved') throw new Error('not reserved');
    expect(await store.get('k')).toEqual({
      state: 'in-flight',
      fingerprint: 'fp',
      createdAt: new Date(1_000_000),
      leaseExpiresAt: new Date(1_000_100),
      expiresAt: new Date(1_001_000),
      response: undefined,
    });
    tick(40);
    expect(await store.extend('k', r.token, 100)).toBe(true);
    expect((await store.get('k'))?.leaseExpiresAt).toEqual(new Date(1_000_140));
    expect(await store.complete('k', r.token, new Uint8Array([9]), 500)).toBe(true);
    expect(await store.get('k')).toEqual({
      state: 'completed',
      fingerprint: 'fp',
      createdAt: new Date(1_000_000),
      leaseExpiresAt: undefined,
      expiresAt: new Date(1_000_540),
      response: new Uint8Array([9]),
    });
    tick(499);
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 1 });
    tick(1);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 0 });
    expect(await store.delete('k')).toBe('not-found');
    expect(store.size).toBe(0);
  });

  it('get does not drop an expired record nor free room; delete does', async () => {
    const { store, tick } = clockStore();
    await store.reserve('a', 'fp', 100, 200);
    tick(100);
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 1, completed: 0 });
    tick(100);
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe(1);
    await store.reserve('b', 'fp', 100, 200);
    expect(await store.delete('b')).toBe('in-flight');
    expect(await store.delete('b', { force: true })).toBe('deleted');
    expect(store.size).toBe(1);
    expect(store.bytes).toBeGreaterThan(0);
    expect(await store.delete('a')).toBe('not-found');
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });
});

describe('MemoryStore tokens', () => {
  it('E35 never gives one token twice, in one store or across two', async () => {
    const stores = [new MemoryStore(), new MemoryStore()];
    const tokens = new Set<string>();
    for (const store of stores) {
      for (let i = 0; i < 200; i++) {
        const r = await store.reserve(`k${i}`, 'fp', 1_000, 1_000);
        if (r.kind !== 'reserved') throw new Error('not reserved');
        tokens.add(r.token);
        if (i % 2 === 0) await store.release(`k${i}`, r.token);
      }
      const again = await store.reserve('k0', 'fp', 1_000, 1_000);
      if (again.kind === 'reserved') tokens.add(again.token);
    }
    expect(tokens.size).toBe(402);
  });
});
