import type { IdempotencyStore } from '@idempo/core';
import { afterAll, beforeAll } from 'vitest';
import { uniquePrefix } from './random.js';
import { sleep } from './sleep.js';
import type { StoreFactory, StoreSuiteOptions } from './store-suite-options.js';

/** A lease or retention long enough never to end during a case, before scaling. */
export const LONG_MS = 60_000;

/** What every group of store cases shares: the store, unique keys, scaled timings. */
export interface StoreSuiteContext {
  /** The store made for the suite (available once the cases run). */
  readonly store: () => IdempotencyStore;
  /** Makes a second store, for the cases that close one. */
  readonly factory: StoreFactory;
  /** A key no other case and no other run uses; `label` only helps reading a store's contents. */
  readonly key: (label?: string) => string;
  /** A duration of the suite, scaled by `timeScale`. */
  readonly ms: (base: number) => number;
  /** Waits a scaled duration. */
  readonly wait: (base: number) => Promise<void>;
  /** The test timeout of every case, in ms. */
  readonly timeout: number;
  /** Callers racing for one key. */
  readonly raceSize: number;
}

/**
 * Builds the shared context and registers the hooks that make the store before the cases and close it after
 * them. Must be called inside a `describe` block.
 */
export function createStoreSuiteContext(
  factory: StoreFactory,
  options: StoreSuiteOptions,
): StoreSuiteContext {
  const scale = options.timeScale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new RangeError(`storeSuite: timeScale must be a positive number, got ${String(scale)}`);
  }
  const raceSize = options.raceSize ?? 100;
  if (!(Number.isSafeInteger(raceSize) && raceSize >= 2)) {
    throw new RangeError(`storeSuite: raceSize must be an integer >= 2, got ${String(raceSize)}`);
  }
  const prefix = uniquePrefix(options.keyPrefix ?? 'idempo-suite');
  let counter = 0;
  let current: IdempotencyStore | undefined;

  beforeAll(async () => {
    current = await factory();
  });
  afterAll(async () => {
    await current?.close?.();
    current = undefined;
  });

  const ms = (base: number) => Math.round(base * scale);
  return {
    store: () => {
      if (!current) throw new Error('storeSuite: the store is not ready (did the factory throw?)');
      return current;
    },
    factory,
    key: (label = 'k') => `${prefix}${label}:${++counter}`,
    ms,
    wait: (base) => sleep(ms(base)),
    timeout: Math.max(10_000, ms(10_000)),
    raceSize,
  };
}
