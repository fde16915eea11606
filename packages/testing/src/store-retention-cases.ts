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
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(100), ctx.ms(150));
      const response = utf8('short-lived');
      expect(await store.complete(key, token, response, ctx.ms(150))).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
      await ctx.wait(350);
      const next = await reserveNew(store, key, 'fp-b', long(), long());
      expect(next).not.toBe(token);
      expect(await store.complete(key, token, utf8('stale'), long())).toBe(false);
    },
    ctx.timeout,
  );

  it(
    'G45 E36 an in-flight record past its retention is taken over, and its old holder can no longer complete it',
    async () => {
      const store = ctx.store();
      const key = ctx.key('retention-in-flight');
      // The lease outlives the retention here on purpose: the retention alone must end the record.
      const token = await reserveNew(store, key, 'fp-a', long(), ctx.ms(150));
      await ctx.wait(350);
      const next = await reserveNew(store, key, 'fp-b', long(), long());
      expect(next).not.toBe(token);
      expect(await store.complete(key, token, utf8('stale'), long())).toBe(false);
      expect(await store.extend(key, token, long())).toBe(false);
      const response = utf8('new holder');
      expect(await store.complete(key, next, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-b', long(), long()), 'fp-b', response);
    },
    ctx.timeout,
  );
}
