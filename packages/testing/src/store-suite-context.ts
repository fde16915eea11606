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
  /** The test timeout of a {@link StoreSuiteContext.timed} case: room for its runs at 1x, 2x and 4x. */
  readonly timedTimeout: number;
  /** Callers racing for one key. */
  readonly raceSize: number;
  /**
   * Wraps the body of a timing case: when the machine broke one of its premises ({@link StoreSuiteContext.premise}),
   * the case runs again with every `ms`/`wait` doubled, up to {@link TIMING_ATTEMPTS} runs. A failed assertion is
   * never run again: only a premise the case itself measured as broken is.
   */
  readonly timed: (body: () => Promise<void>) => () => Promise<void>;
  /**
   * Declares what a timing case's assertion rests on, measured on the clock (for example that a call reached the
   * store before a lease ended). `false` means a busy machine, not the store, decided the outcome: the case is run
   * again at longer timings (inside {@link StoreSuiteContext.timed}).
   */
  readonly premise: (held: boolean, what: string) => void;
}

/** Runs of a timing case whose premise a busy machine broke, each at twice the timings of the last. */
export const TIMING_ATTEMPTS = 3;

/** A timing case's premise broken by the machine (a timer or a call far later than its margin), not by the store. */
export class TimingPremiseError extends Error {
  override readonly name = 'TimingPremiseError';
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

  // Doubled by `timed` for each run of a case again after a broken premise; 1 outside those runs.
  let stretch = 1;
  const ms = (base: number) => Math.round(base * scale * stretch);
  const timed = (body: () => Promise<void>) => async () => {
    const broken: string[] = [];
    try {
      for (let attempt = 1; attempt <= TIMING_ATTEMPTS; attempt++, stretch *= 2) {
        try {
          return await body();
        } catch (error) {
          if (!(error instanceof TimingPremiseError)) throw error;
          broken.push(`at ${stretch}x: ${error.message}`);
        }
      }
    } finally {
      stretch = 1;
    }
    throw new Error(
      `the machine was too slow for this case's timings ${TIMING_ATTEMPTS} times: ${broken.join('; ')}`,
    );
  };
  const premise = (held: boolean, what: string) => {
    if (!held) throw new TimingPremiseError(what);
  };
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
    // Room for the runs again at 2x and 4x.
    timedTimeout: Math.max(10_000, ms(10_000)) * (2 ** TIMING_ATTEMPTS - 1),
    raceSize,
    timed,
    premise,
  };
}
