import { expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { expectCompleted, reserveNew } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/** Retention: a record is gone once its time is up, decided when it is read, not by a reaper. */
export function defineRetentionCases(ctx: StoreSuiteContext): void {
  const long = () => ctx.ms(LONG_MS);

  it(
    'G44 G45 a completed record past its retention is gone on the next read: reserve gets a new reservation',
    async () => {
      const store = ctx.store();
      const key = ctx.key('retention');
      // The retention of a completed record counts from its completion: the reservation itself is long-lived, so a
      // slow round trip on a loaded machine cannot end it before `complete` arrives.
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const response = utf8('short-lived');
      expect(await store.complete(key, token, response, ctx.ms(400))).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
      await ctx.wait(700);
      const next = await reserveNew(store, key, 'fp-b', long(), long());
      expect(next).not.toBe(token);
      expect(await store.complete(key, token, utf8('stale'), long())).toBe(false);
    },
    ctx.timeout,
  );

  it(
    'G45 E36 [15.2] an in-flight record past both its lease and its retention is gone: its holder can no longer complete or extend it, and the next reserve gets a new reservation',
    async () => {
      const store = ctx.store();
      const key = ctx.key('retention-in-flight');
      // An in-flight record lives at least its lease (the lifetime cases): here both end within 150 ms.
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(100), ctx.ms(150));
      await ctx.wait(350);
      expect(await store.complete(key, token, utf8('stale'), long()), 'complete past retention').toBe(false);
      expect(await store.extend(key, token, long()), 'extend past retention').toBe(false);
      const next = await reserveNew(store, key, 'fp-b', long(), long());
      expect(next).not.toBe(token);
      expect(await store.complete(key, token, utf8('stale'), long())).toBe(false);
      const response = utf8('new holder');
      expect(await store.complete(key, next, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-b', long(), long()), 'fp-b', response);
    },
    ctx.timeout,
  );
}
