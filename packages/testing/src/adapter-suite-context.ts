import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createSuiteClient, type SuiteClient } from './adapter-client.js';
import type { AdapterApp, AdapterAppOptions, AdapterSuiteOptions, MakeAdapterApp } from './adapter-types.js';
import { randomHex } from './random.js';
import { sleep } from './sleep.js';

/** What every group of adapter cases shares. */
export interface AdapterSuiteContext {
  /** The client of the app with default options, made before the cases; its counters are zeroed before each. */
  readonly client: () => SuiteClient;
  /**
   * Runs `run` against a new app made with `overrides` (a `store` among them replaces the suite's store; else
   * `wrapStore`, when given, wraps a new suite store), then closes the app and the store the suite made for it.
   */
  readonly withApp: (
    overrides: Partial<AdapterAppOptions>,
    run: (client: SuiteClient) => Promise<void>,
    wrapStore?: (store: IdempotencyStore) => IdempotencyStore,
  ) => Promise<void>;
  /** A key no other case and no other run uses, made of token characters only (valid bare or quoted). */
  readonly key: () => string;
  /** Parallel duplicates in the concurrency cases. */
  readonly parallel: number;
  /** A wait on the app: `ms` plus the suite's `extraDelayMs`. */
  readonly delay: (ms: number) => number;
  /** Waits {@link AdapterSuiteContext.delay}`(ms)`. */
  readonly wait: (ms: number) => Promise<void>;
  /** The test timeout of every case, in ms. */
  readonly timeout: number;
}

interface Running {
  readonly app: AdapterApp;
  readonly store: IdempotencyStore | undefined;
}

/** Builds the shared context and registers the hooks of the default app. Call inside a `describe` block. */
export function createAdapterSuiteContext(
  makeApp: MakeAdapterApp,
  options: AdapterSuiteOptions,
): AdapterSuiteContext {
  const parallel = options.parallel ?? 20;
  if (!(Number.isSafeInteger(parallel) && parallel >= 2)) {
    throw new RangeError(`adapterSuite: parallel must be an integer >= 2, got ${String(parallel)}`);
  }
  const extra = options.extraDelayMs ?? 0;
  const makeStore = options.store ?? (() => new MemoryStore());
  const run = randomHex(6);
  let counter = 0;
  let defaultApp: Running | undefined;
  let defaultClient: SuiteClient | undefined;

  const start = async (
    overrides: Partial<AdapterAppOptions>,
    wrapStore: (store: IdempotencyStore) => IdempotencyStore = (store) => store,
  ): Promise<Running> => {
    const own = overrides.store === undefined ? wrapStore(await makeStore()) : undefined;
    const store = overrides.store ?? (own as IdempotencyStore);
    try {
      return { app: await makeApp({ ...overrides, store }), store: own };
    } catch (error) {
      await own?.close?.();
      throw error;
    }
  };
  const stop = async (running: Running): Promise<void> => {
    try {
      await running.app.close();
    } finally {
      await running.store?.close?.();
    }
  };

  beforeAll(async () => {
    defaultApp = await start({});
    defaultClient = createSuiteClient(defaultApp.app);
  });
  afterAll(async () => {
    if (defaultApp) await stop(defaultApp);
    defaultApp = undefined;
  });
  beforeEach(async () => {
    await defaultClient?.reset();
  });

  const delay = (ms: number) => ms + extra;
  return {
    client: () => {
      if (!defaultClient) throw new Error('adapterSuite: the app is not ready (did makeApp throw?)');
      return defaultClient;
    },
    withApp: async (overrides, body, wrapStore) => {
      const running = await start(overrides, wrapStore);
      try {
        await body(createSuiteClient(running.app));
      } finally {
        await stop(running);
      }
    },
    key: () => `t${run}-${++counter}`,
    parallel,
    delay,
    wait: (ms) => sleep(delay(ms)),
    timeout: 15_000 + 5 * extra,
  };
}
