import { expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { expectCompleted, expectInFlight, expectReserved, reserveNew } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/** Tokens fence: `complete`, `release` and `extend` write only for the caller that holds the record. */
export function defineFencingCases(ctx: StoreSuiteContext): void {
  const long = () => ctx.ms(LONG_MS);

  it(
    'E35 complete, release and extend with a wrong token return false and write nothing',
    async () => {
      const store = ctx.store();
      const key = ctx.key('wrong-token');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(200), long());
      const wrong = `${token}x`;
      expect(await store.complete(key, wrong, utf8('intruder'), long()), 'complete').toBe(false);
      expect(await store.release(key, wrong), 'release').toBe(false);
      expect(await store.extend(key, wrong, long()), 'extend').toBe(false);
      expect(await store.complete(key, 'not-a-token', utf8('intruder'), long()), 'complete').toBe(false);
      // Neither complete nor release wrote: the record is still the holder's, in flight.
      expectInFlight(await store.reserve(key, 'fp-b', long(), long()), 'fp-a');
      // extend wrote nothing either: the lease still ends 200 ms after the reservation.
      await ctx.wait(400);
      expectReserved(await store.reserve(key, 'fp-c', long(), long()));
    },
    ctx.timeout,
  );

  it(
    'C15 complete twice with the same token: the second returns false and the first response stays',
    async () => {
      const store = ctx.store();
      const key = ctx.key('complete-twice');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const first = utf8('first');
      expect(await store.complete(key, token, first, long())).toBe(true);
      expect(await store.complete(key, token, utf8('second'), long())).toBe(false);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', first);
    },
    ctx.timeout,
  );

  it(
    'F40 a completed record ignores complete, release and extend with a wrong token',
    async () => {
      const store = ctx.store();
      const key = ctx.key('completed-wrong-token');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const response = utf8('stored');
      expect(await store.complete(key, token, response, long())).toBe(true);
      const wrong = `${token}x`;
      expect(await store.complete(key, wrong, utf8('intruder'), long())).toBe(false);
      expect(await store.release(key, wrong)).toBe(false);
      expect(await store.extend(key, wrong, long())).toBe(false);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    'G44 extend after complete returns false and does not shorten the retention (a late heartbeat)',
    async () => {
      const store = ctx.store();
      const key = ctx.key('extend-completed');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const response = utf8('stored');
      expect(await store.complete(key, token, response, long())).toBe(true);
      expect(await store.extend(key, token, ctx.ms(50))).toBe(false);
      await ctx.wait(200);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );
}
