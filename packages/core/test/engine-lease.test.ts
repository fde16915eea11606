/**
 * The lease as the holder knows it [15.4]: an extend that fails is retried soon, one at a time; an extend that
 * answers `false`, or a lease that runs out without a renewal, is a lost lease the execution says it has lost
 * (`leaseLost`, `signal`, one `lease-lost` event), never before the store could have given the key away.
 *
 * Real timers, leases of hundreds of ms and margins of hundreds more: two loaded cores. The store is a
 * MemoryStore behind a wrapper that stalls or fails what the test says (the engine is under test, not it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { LeaseLostError } from '../src/errors.js';
import { MemoryStore } from '../src/memory-store.js';
import type { IdempotencyStore } from '../src/store.js';
import { expectKind, request, setup, text } from './engine-harness.js';

type ExtendMode = 'ok' | 'fail' | 'false' | 'hang' | { delayMs: number };

/** A MemoryStore whose extend does what `mode` says, and whose calls can be stalled (held, then run in order). */
function steeredStore() {
  const inner = new MemoryStore();
  const extendCalls: number[] = [];
  let mode: ExtendMode = 'ok';
  let inFlight = 0;
  let maxInFlight = 0;
  let stalled: (() => void)[] | undefined;
  /** While stalled, a call waits and runs when the stall ends (a server that was paused). */
  const gate = <T>(run: () => Promise<T>): Promise<T> =>
    stalled === undefined ? run() : new Promise<T>((resolve) => stalled?.push(() => resolve(run())));
  const store: IdempotencyStore = {
    reserve: (...a) => gate(() => inner.reserve(...a)),
    complete: (...a) => gate(() => inner.complete(...a)),
    release: vi.fn((...a: [string, string]) => gate(() => inner.release(...a))),
    extend: async (...a) => {
      extendCalls.push(performance.now());
      // A stalled store drops extends on the floor: the harder case (nothing sent in the stall is answered).
      if (stalled !== undefined) return new Promise<boolean>(() => {});
      const m = mode;
      if (m === 'fail') throw new Error('ECONNRESET');
      if (m === 'false') return false;
      if (m === 'hang') return new Promise<boolean>(() => {});
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (m !== 'ok') await sleep(m.delayMs);
        return await inner.extend(...a);
      } finally {
        inFlight--;
      }
    },
  };
  return {
    inner,
    store,
    extendCalls,
    maxInFlight: () => maxInFlight,
    setMode: (m: ExtendMode) => {
      mode = m;
    },
    stall: () => {
      stalled = [];
    },
    resume: () => {
      const waiting = stalled ?? [];
      stalled = undefined;
      for (const run of waiting) run();
    },
  };
}

const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 10 });

describe('engine: the holder knows its lease [15.4]', () => {
  it('I4 a failed extend is retried after leaseMs/30, not a heartbeat period later, and the lease is kept [15.4]', async () => {
    const s = steeredStore();
    const { engine, of } = setup({ store: s.store, leaseMs: 6_000, heartbeatMs: 2_000 });
    const d = expectKind(await engine.begin(request()), 'execute');
    s.setMode('fail');
    await waitFor(() => expect(s.extendCalls.length).toBeGreaterThanOrEqual(2));
    s.setMode('ok');
    await waitFor(() => expect(s.extendCalls.length).toBeGreaterThanOrEqual(3));
    const [first = 0, second = 0] = s.extendCalls;
    // The retry comes 200 ms after the failure; the next beat would have come 2 000 ms after the first.
    expect(second - first).toBeLessThan(1_200);
    expect(of('store-error').length).toBeGreaterThanOrEqual(1);
    expect(d.leaseLost).toBe(false);
    expect(d.signal.aborted).toBe(false);
    expect(expectKind(await engine.begin(request()), 'reject').response.status).toBe(409);
    expect(await d.commit({ status: 200, body: 'mine' })).toBe('stored');
    expect(of('lease-lost')).toEqual([]);
  });

  it('I4 one extend in flight at a time: a slow store is not piled on, and its answers keep the lease [15.4]', async () => {
    const s = steeredStore();
    const { engine, of } = setup({ store: s.store, leaseMs: 1_500, heartbeatMs: 200, storeTimeoutMs: 3_000 });
    const d = expectKind(await engine.begin(request()), 'execute');
    s.setMode({ delayMs: 400 });
    await sleep(2_000);
    expect(s.maxInFlight()).toBe(1);
    expect(s.extendCalls.length).toBeGreaterThanOrEqual(2);
    expect(d.leaseLost).toBe(false);
    expect(await d.commit({ status: 200, body: 'mine' })).toBe('stored');
    expect(of('lease-lost')).toEqual([]);
  });

  it('I4 a store that stops answering: at heldUntil, never before, the lease is lost once (expired), the signal aborts, extending stops; commit still stores when nobody took over [15.4]', async () => {
    const s = steeredStore();
    const { engine, of } = setup({ store: s.store, leaseMs: 900, heartbeatMs: 300 });
    const before = performance.now();
    const d = expectKind(await engine.begin(request()), 'execute');
    let abortedAt = 0;
    d.signal.addEventListener('abort', () => {
      abortedAt = performance.now();
    });
    s.setMode('hang');
    expect(d.leaseLost).toBe(false);
    await waitFor(() => expect(d.signal.aborted).toBe(true));
    // heldUntil is the reserve's start plus the lease: the store's own lease cannot end sooner.
    expect(abortedAt - before).toBeGreaterThanOrEqual(900);
    expect(d.leaseLost).toBe(true);
    expect(d.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(d.signal.reason).toMatchObject({ reason: 'expired', code: 'lease_lost' });
    const calls = s.extendCalls.length;
    await sleep(700);
    expect(s.extendCalls.length).toBe(calls);
    expect(of('lease-lost')).toMatchObject([{ reason: 'expired' }]);
    // Nobody took the key over: the fenced complete still goes through, and storing beats not storing.
    expect(await d.commit({ status: 200, body: 'mine' })).toBe('stored');
    expect(text(expectKind(await engine.begin(request()), 'replay').response.body)).toBe('mine');
    expect(of('lease-lost')).toHaveLength(1);
  });

  it('I4 an extend that answers false: lost at once (extend), no extend after it, and the commit is refused once another holds the key [15.4]', async () => {
    const s = steeredStore();
    const { engine, of } = setup({ store: s.store, leaseMs: 900, heartbeatMs: 300 });
    const a = expectKind(await engine.begin(request()), 'execute');
    s.setMode('false');
    await waitFor(() => expect(a.leaseLost).toBe(true));
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toMatchObject({ reason: 'extend' });
    await sleep(700);
    expect(s.extendCalls).toHaveLength(1);
    s.setMode('ok');
    await s.inner.delete(a.keyHash, { force: true });
    const b = expectKind(await engine.begin(request()), 'execute');
    await sleep(400);
    expect(await a.commit({ status: 200, body: 'a' })).toBe('lease-lost');
    expect(await b.commit({ status: 200, body: 'b' })).toBe('stored');
    expect(text(expectKind(await engine.begin(request()), 'replay').response.body)).toBe('b');
    expect(of('lease-lost').map((e) => e.reason)).toEqual(['extend', 'complete']);
    expect(b.leaseLost).toBe(false);
  });

  it('I4 past maxExecutionMs the heartbeat stops and the handler is told when its lease runs out (max-execution) [15.4]', async () => {
    const s = steeredStore();
    const { engine, of } = setup({ store: s.store, leaseMs: 300, maxExecutionMs: 600 });
    const d = expectKind(await engine.begin(request()), 'execute');
    await sleep(200);
    expect(d.leaseLost).toBe(false);
    await waitFor(() => expect(d.leaseLost).toBe(true));
    expect(d.signal.reason).toMatchObject({ reason: 'max-execution' });
    expect(of('lease-lost')).toMatchObject([{ reason: 'max-execution' }]);
    expect(of('lease-lost')[0]?.handlerMs).toBeGreaterThanOrEqual(600);
    await sleep(100);
    expect((await engine.begin(request())).kind).toBe('execute');
  });

  it('I4 without a heartbeat the lease is lost after leaseMs, and said so [15.4]', async () => {
    const { engine, of } = setup({ leaseMs: 400, heartbeatMs: false });
    const d = expectKind(await engine.begin(request()), 'execute');
    expect(d.leaseLost).toBe(false);
    await waitFor(() => expect(of('lease-lost')).toMatchObject([{ reason: 'expired' }]));
    expect(d.leaseLost).toBe(true);
    expect(d.signal.aborted).toBe(true);
  });

  it('I4 a settled execution stops its lease: no event, no abort, no extend after commit or abandon [15.4]', async () => {
    const s = steeredStore();
    const { engine, of } = setup({ store: s.store, leaseMs: 300, heartbeatMs: 100 });
    const d = expectKind(await engine.begin(request()), 'execute');
    const signal = d.signal;
    await d.abandon();
    s.setMode('hang');
    await sleep(800);
    expect(s.extendCalls).toEqual([]);
    expect(signal.aborted).toBe(false);
    expect(d.leaseLost).toBe(false);
    expect(of('lease-lost')).toEqual([]);
  });

  it('I4 the stall of the issue: the holder is told its lease is lost before a late reservation can take the key; that reservation is released once and reported; the holder is refused, never silently stored [15.4]', async () => {
    const s = steeredStore();
    const { engine, events, of } = setup({
      store: s.store,
      leaseMs: 900,
      heartbeatMs: 300,
      storeTimeoutMs: 400,
    });
    const a = expectKind(await engine.begin(request()), 'execute');
    s.stall();
    await waitFor(() => expect(a.leaseLost).toBe(true));
    expect(of('lease-lost')).toMatchObject([{ reason: 'expired' }]);
    // A retry during the stall: its reserve times out (503) and lands once the store is back.
    const b = expectKind(await engine.begin(request()), 'reject');
    expect(b.response.status).toBe(503);
    s.resume();
    await waitFor(() => expect(of('released')).toHaveLength(1));
    expect(of('released')[0]).toMatchObject({ reason: 'late-reservation' });
    expect(s.store.release).toHaveBeenCalledTimes(1);
    const lostAt = events.findIndex((e) => e.type === 'lease-lost');
    expect(lostAt).toBeLessThan(events.findIndex((e) => e.type === 'released'));
    // The takeover fenced the holder off: its commit is refused and says so; the key is free for the retry.
    expect(await a.commit({ status: 200, body: 'a' })).toBe('lease-lost');
    const c = expectKind(await engine.begin(request()), 'execute');
    expect(await c.commit({ status: 200, body: 'c' })).toBe('stored');
    expect(s.store.release).toHaveBeenCalledTimes(1);
  });

  it('I4 a stall that ends before heldUntil less one timed-out attempt and one retry costs no lease [15.4]', async () => {
    // leaseMs 1500, heartbeat 500, storeTimeoutMs 200, retry 50: a stall from 600 ms to 1600 ms (1 s) ends
    // before heldUntil (2000) less 250; the first extend after it renews the lease.
    const s = steeredStore();
    const { engine, of } = setup({ store: s.store, leaseMs: 1_500, heartbeatMs: 500, storeTimeoutMs: 200 });
    const d = expectKind(await engine.begin(request()), 'execute');
    await waitFor(() => expect(s.extendCalls.length).toBe(1));
    await sleep(50);
    s.stall();
    await sleep(1_000);
    s.resume();
    await sleep(800);
    expect(of('store-error').length).toBeGreaterThanOrEqual(1);
    expect(d.leaseLost).toBe(false);
    expect(of('lease-lost')).toEqual([]);
    expect(expectKind(await engine.begin(request()), 'reject').response.status).toBe(409);
    expect(await d.commit({ status: 200, body: 'mine' })).toBe('stored');
  });
});
