import { expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { expectCompleted, expectInFlight, reserveNew } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/** Leases: a crashed holder frees its key after one lease; a live one keeps it with a heartbeat. */
export function defineLeaseCases(ctx: StoreSuiteContext): void {
  const long = () => ctx.ms(LONG_MS);

  it(
    'E35 E36 lease expiry: the next reserve takes over with a new token and the old holder is fenced off',
    async () => {
      const store = ctx.store();
      const key = ctx.key('takeover');
      const old = await reserveNew(store, key, 'fp-old', ctx.ms(100), long());
      await ctx.wait(250);
      const current = await reserveNew(store, key, 'fp-new', long(), long());
      expect(current, 'the takeover must issue a new token').not.toBe(old);
      expect(await store.complete(key, old, utf8('late'), long()), 'late complete').toBe(false);
      expect(await store.release(key, old), 'late release').toBe(false);
      expect(await store.extend(key, old, long()), 'late extend').toBe(false);
      // The old token wrote nothing: the new holder's in-flight record is intact.
      expectInFlight(await store.reserve(key, 'fp-other', long(), long()), 'fp-new');
      const response = utf8('from the new holder');
      expect(await store.complete(key, current, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-new', long(), long()), 'fp-new', response);
      expect(await store.complete(key, old, utf8('late'), long()), 'late complete after completion').toBe(
        false,
      );
      expectCompleted(await store.reserve(key, 'fp-new', long(), long()), 'fp-new', response);
    },
    ctx.timeout,
  );

  it(
    'E35 extend keeps the record: a lease of 200 ms extended at 100 ms by 400 ms is still held at 350 ms',
    async () => {
      const store = ctx.store();
      const key = ctx.key('extend');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(200), long());
      await ctx.wait(100);
      expect(await store.extend(key, token, ctx.ms(400))).toBe(true);
      await ctx.wait(250);
      expectInFlight(await store.reserve(key, 'fp-a', long(), long()), 'fp-a');
      const response = utf8('after a heartbeat');
      expect(await store.complete(key, token, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    'E35 a holder whose lease expired but who was NOT taken over still holds the key: complete returns true and is replayed',
    async () => {
      // Refusing this completion would make the client's retry run the handler a second time.
      const store = ctx.store();
      const key = ctx.key('expired-not-taken');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(100), long());
      await ctx.wait(250);
      const response = utf8('late but unchallenged');
      expect(await store.complete(key, token, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    'E35 a holder whose lease expired but who was NOT taken over may extend it again',
    async () => {
      const store = ctx.store();
      const key = ctx.key('expired-extend');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(100), long());
      await ctx.wait(250);
      expect(await store.extend(key, token, long())).toBe(true);
      expectInFlight(await store.reserve(key, 'fp-b', long(), long()), 'fp-a');
      expect(await store.release(key, token)).toBe(true);
      await reserveNew(store, key, 'fp-b', long(), long());
    },
    ctx.timeout,
  );
}
