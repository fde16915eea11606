/**
 * Lease options that cannot hold are refused when idempo is created (or a route registered), never discovered
 * by a double execution: an execution is bounded by `maxExecutionMs`, and that may not outlast the retention.
 */
import { describe, expect, it } from 'vitest';
import { createIdempotency } from '../src/engine.js';
import { InvalidOptionsError } from '../src/errors.js';
import { MemoryStore } from '../src/memory-store.js';
import { resolveOptions, resolveRoute } from '../src/options.js';

const store = new MemoryStore();

describe('options: maxExecutionMs and ttlMs [15.2]', () => {
  it('I2 maxExecutionMs defaults to min(300000, ttlMs) [15.2]', () => {
    expect(resolveOptions({ store }).maxExecutionMs).toBe(300_000);
    expect(resolveOptions({ store, ttlMs: 60_000 }).maxExecutionMs).toBe(60_000);
    expect(resolveOptions({ store, ttlMs: 2_000, leaseMs: 1_000 }).maxExecutionMs).toBe(2_000);
    expect(resolveOptions({ store, ttlMs: 600_000 }).maxExecutionMs).toBe(300_000);
  });

  it('I2 an explicit maxExecutionMs longer than ttlMs is refused at start-up, naming both [15.2]', () => {
    const create = () => createIdempotency({ store, ttlMs: 60_000, maxExecutionMs: 120_000 });
    expect(create).toThrow(InvalidOptionsError);
    expect(create).toThrow(/maxExecutionMs \(120000\).*ttlMs \(60000\)/);
    expect(() => createIdempotency({ store, ttlMs: 60_000, maxExecutionMs: 60_000 })).not.toThrow();
  });

  it('I2 a route ttlMs shorter than an explicit maxExecutionMs is refused at registration, naming both [15.2]', () => {
    const engine = createIdempotency({ store, maxExecutionMs: 120_000 });
    expect(() => engine.validateRoute({ ttlMs: 60_000 })).toThrow(InvalidOptionsError);
    expect(() => engine.validateRoute({ ttlMs: 60_000 })).toThrow(
      /maxExecutionMs \(120000\).*route ttlMs \(60000\)/,
    );
    expect(() => engine.validateRoute({ ttlMs: 120_000 })).not.toThrow();
  });

  it('I2 with the default, a route maxExecutionMs follows the route ttlMs, and never a base ttl it overrides [15.2]', () => {
    const base = resolveOptions({ store });
    expect(resolveRoute(base, { ttlMs: 40_000 })?.maxExecutionMs).toBe(40_000);
    expect(resolveRoute(base, { ttlMs: 600_000 })?.maxExecutionMs).toBe(300_000);
    const short = resolveOptions({ store, ttlMs: 60_000 });
    expect(short.maxExecutionMs).toBe(60_000);
    expect(resolveRoute(short, { ttlMs: 3_600_000 })?.maxExecutionMs).toBe(300_000);
    expect(resolveRoute(short, { scope: 'v2' })?.maxExecutionMs).toBe(60_000);
    const explicit = resolveOptions({ store, maxExecutionMs: 30_000, ttlMs: 60_000 });
    expect(resolveRoute(explicit, { ttlMs: 3_600_000 })?.maxExecutionMs).toBe(30_000);
  });

  it('I2 the default execution bound is at least the lease; an explicit bound shorter than the lease is refused [15.2]', () => {
    expect(resolveOptions({ store, leaseMs: 400_000 }).maxExecutionMs).toBe(400_000);
    const base = resolveOptions({ store, ttlMs: 60_000 });
    expect(resolveRoute(base, { leaseMs: 400_000, ttlMs: 400_000 })?.maxExecutionMs).toBe(400_000);
    const explicit = resolveOptions({ store, ttlMs: 60_000, maxExecutionMs: 30_000 });
    expect(() => resolveRoute(explicit, { leaseMs: 50_000 })).toThrow(
      /maxExecutionMs \(30000\).*leaseMs \(50000\)/,
    );
  });
});
