import { describe, expect, it } from 'vitest';
import { defineDataCases } from './store-data-cases.js';
import { defineDeadlineCases } from './store-deadline-cases.js';
import { defineFencingCases } from './store-fencing-cases.js';
import { defineLeaseCases } from './store-lease-cases.js';
import { defineLifetimeCases } from './store-lifetime-cases.js';
import { defineOperationsCases } from './store-operations-cases.js';
import { defineRaceCases } from './store-race-cases.js';
import { defineReservationCases } from './store-reservation-cases.js';
import { defineRetentionCases } from './store-retention-cases.js';
import { createStoreSuiteContext, LONG_MS } from './store-suite-context.js';
import type { StoreFactory, StoreSuiteOptions } from './store-suite-options.js';

/**
 * The conformance suite of an {@link @idempo/core#IdempotencyStore}: call it at the top level of a vitest test
 * file. It registers one `describe` block named after `name` whose cases check the store contract: the race
 * (exactly one of many parallel `reserve` calls wins), fencing tokens, lease expiry and takeover, the heartbeat,
 * retention expiry decided on read, an in-flight record living as long as its lease is held (the heartbeat extends
 * what keeps it alive) and retention counted from completion, the late paths of a lease that ended, byte-exact
 * responses, the deadline core passes (a store given a past one still settles and never releases on its own), and
 * the operations (`get`, `delete`, `stats`) unless `operations: false`. Case titles carry the docs/behaviour.md
 * numbers.
 *
 * `factory` is called once before the cases (they share that store; it is closed after the last case) and once
 * more by the `close()` case. Every key the suite writes starts with a random per-run prefix, so it may run
 * against a shared database, in parallel with other runs. Timing cases sleep for real, with margins of at least
 * 100 ms; the whole suite takes a few seconds at the default `timeScale`.
 *
 * @example
 * ```ts
 * import { storeSuite } from '@idempo/testing';
 * import { RedisStore } from '@idempo/store-redis';
 *
 * storeSuite('RedisStore', () => new RedisStore({ client: new Redis() }));
 * ```
 */
export function storeSuite(name: string, factory: StoreFactory, options: StoreSuiteOptions = {}): void {
  describe(`storeSuite: ${name}`, () => {
    const ctx = createStoreSuiteContext(factory, options);
    defineReservationCases(ctx);
    defineRaceCases(ctx);
    defineFencingCases(ctx);
    defineLeaseCases(ctx);
    defineRetentionCases(ctx);
    defineLifetimeCases(ctx);
    defineDataCases(ctx);
    defineDeadlineCases(ctx);
    if (options.operations !== false) defineOperationsCases(ctx);

    it(
      'close(), when the store has one, resolves',
      async () => {
        const store = await factory();
        expect(store, 'the factory must return a new store on each call').not.toBe(ctx.store());
        const key = ctx.key('close');
        await store.reserve(key, 'fp-a', ctx.ms(LONG_MS), ctx.ms(LONG_MS));
        if (store.close) await expect(store.close()).resolves.toBeUndefined();
      },
      ctx.timeout,
    );
  });
}
