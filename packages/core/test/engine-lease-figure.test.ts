/**
 * The stall figure the store READMEs quote [15.4], on a fake clock so that it is exact: with the default options
 * (lease 30 s, heartbeat 10 s, store timeout 5 s, hence a 1 s retry) a store that answers nothing for 18 s costs
 * no lease, whenever the stall starts; the worst case is a stall that starts just before a beat. Nothing sent
 * during the stall is ever answered here (the harder case).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdempotency, type ExecuteDecision } from '../src/engine.js';
import type { IdempotencyEvent } from '../src/events.js';
import { MemoryStore } from '../src/memory-store.js';
import type { IdempotencyStore } from '../src/store.js';
import { type Context, request } from './engine-harness.js';

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs one execution with default options through a stall of the store's extends from `fromMs` for `stallMs`. */
async function stall(fromMs: number, stallMs: number) {
  const inner = new MemoryStore();
  let stalled = false;
  const extendCalls: number[] = [];
  const store: IdempotencyStore = {
    reserve: (...a) => inner.reserve(...a),
    complete: (...a) => inner.complete(...a),
    release: (...a) => inner.release(...a),
    extend: (...a) => {
      extendCalls.push(performance.now());
      return stalled ? new Promise<boolean>(() => {}) : inner.extend(...a);
    },
  };
  const events: IdempotencyEvent[] = [];
  const engine = createIdempotency<Context>({ store, onEvent: (e) => events.push(e) });
  const start = performance.now();
  const d = (await engine.begin(request())) as ExecuteDecision;
  expect(d.kind).toBe('execute');
  await vi.advanceTimersByTimeAsync(fromMs);
  stalled = true;
  await vi.advanceTimersByTimeAsync(stallMs);
  stalled = false;
  await vi.advanceTimersByTimeAsync(40_000 - fromMs - stallMs);
  const lost = events.filter((e) => e.type === 'lease-lost');
  const another = await engine.begin(request());
  const result = {
    leaseLost: d.leaseLost,
    lost,
    extendsAt: extendCalls.map((t) => t - start),
    another: another.kind,
  };
  await d.abandon();
  if (another.kind === 'execute') await another.abandon();
  // Let every timer left on this fake clock fire, so that none is left armed on a clock the next test replaces.
  await vi.advanceTimersByTimeAsync(60_000);
  return result;
}

describe('engine: the stall a lease survives with default options [15.4]', () => {
  it('I4 a stall of 18 s starting just before a beat is survived: extends at 10, 16, 22 and 28 s, the last one renews [15.4]', async () => {
    const r = await stall(9_990, 18_000);
    expect(r.extendsAt.slice(0, 4)).toEqual([10_000, 16_000, 22_000, 28_000]);
    expect(r.leaseLost).toBe(false);
    expect(r.lost).toEqual([]);
    expect(r.another).toBe('reject');
  });

  it('I4 a stall that lasts past the last extend before heldUntil loses the lease at heldUntil (30 s), never sooner [15.4]', async () => {
    const r = await stall(9_990, 18_100);
    expect(r.leaseLost).toBe(true);
    expect(r.lost).toMatchObject([{ reason: 'expired', handlerMs: 30_000 }]);
    expect(r.extendsAt).toEqual([10_000, 16_000, 22_000, 28_000]);
  });

  it('I4 a stall starting just after a renewal is survived up to 28 s [15.4]', async () => {
    expect((await stall(10_010, 27_980)).leaseLost).toBe(false);
    expect((await stall(10_010, 28_100)).leaseLost).toBe(true);
  });
});
