/**
 * Core owns the deadline of every store call it makes (issue 16 item 3): it passes it on as
 * `StoreCallOptions.deadline`, `Date.now() + storeTimeoutMs` read when the call is made, so that a store can bound
 * its side with it and needs no timer of its own.
 */
import { describe, expect, it } from 'vitest';
import type { StoreCallOptions } from '../src/store.js';
import { expectKind, request, setup, wrappedStore } from './engine-harness.js';

type Seen = { operation: string; options: StoreCallOptions | undefined; at: number };

function recordingStore() {
  const seen: Seen[] = [];
  const note = (operation: string, options: StoreCallOptions | undefined) =>
    seen.push({ operation, options, at: Date.now() });
  const { inner, store } = wrappedStore({});
  store.reserve = (key, fingerprint, leaseMs, ttlMs, options) => {
    note('reserve', options);
    return inner.reserve(key, fingerprint, leaseMs, ttlMs);
  };
  store.extend = (key, token, leaseMs, options) => {
    note('extend', options);
    return inner.extend(key, token, leaseMs);
  };
  store.complete = (key, token, response, ttlMs, options) => {
    note('complete', options);
    return inner.complete(key, token, response, ttlMs);
  };
  store.release = (key, token, options) => {
    note('release', options);
    return inner.release(key, token);
  };
  return { store, seen };
}

function expectDeadline(seen: Seen | undefined, storeTimeoutMs: number): void {
  const deadline = seen?.options?.deadline;
  expect(typeof deadline, `${seen?.operation}: a deadline`).toBe('number');
  // Read when the call was made (before the store saw it), storeTimeoutMs ahead.
  expect(deadline).toBeGreaterThan((seen?.at ?? 0) + storeTimeoutMs - 50);
  expect(deadline).toBeLessThanOrEqual((seen?.at ?? 0) + storeTimeoutMs);
}

describe('the deadline core passes to the store', () => {
  it('H48 reserve and complete get Date.now() + storeTimeoutMs as their deadline', async () => {
    const { store, seen } = recordingStore();
    const { engine } = setup({ store, storeTimeoutMs: 1_234 });
    const decision = expectKind(await engine.begin(request({ key: '"d1"', body: '{}' })), 'execute');
    expect(await decision.commit({ status: 201, headers: [], body: 'ok' })).toBe('stored');
    expect(seen.map((s) => s.operation)).toEqual(['reserve', 'complete']);
    for (const call of seen) expectDeadline(call, 1_234);
  });

  it('H48 release (a handler that gave up) and the heartbeat extend get theirs too', async () => {
    const { store, seen } = recordingStore();
    const { engine } = setup({ store, storeTimeoutMs: 2_000, leaseMs: 300, heartbeatMs: 50 });
    const decision = expectKind(await engine.begin(request({ key: '"d2"', body: '{}' })), 'execute');
    for (let i = 0; i < 40 && !seen.some((s) => s.operation === 'extend'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await decision.abandon();
    const extend = seen.find((s) => s.operation === 'extend');
    const release = seen.find((s) => s.operation === 'release');
    expectDeadline(extend, 2_000);
    expectDeadline(release, 2_000);
  });
});
