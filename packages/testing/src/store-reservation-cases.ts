import { expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { expectCompleted, expectInFlight, expectReserved, reserveNew } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/** The basic life of one record: reserve, see it in flight, complete it, replay it, release it. */
export function defineReservationCases(ctx: StoreSuiteContext): void {
  const long = () => ctx.ms(LONG_MS);

  it(
    'C14 reserving a new key returns {kind: "reserved"} with a fresh non-empty string token',
    async () => {
      const store = ctx.store();
      const tokens = new Set<string>();
      for (let i = 0; i < 20; i++) {
        tokens.add(expectReserved(await store.reserve(ctx.key('new'), 'fp-a', long(), long())));
      }
      expect(tokens.size, 'every reservation should get its own token').toBe(20);
    },
    ctx.timeout,
  );

  it(
    'E32 a second reserve of an in-flight key returns {kind: "existing", state: "in-flight"} with the first fingerprint',
    async () => {
      const store = ctx.store();
      const key = ctx.key('in-flight');
      await reserveNew(store, key, 'fp-a', long(), long());
      expectInFlight(await store.reserve(key, 'fp-a', long(), long()), 'fp-a');
      expectInFlight(await store.reserve(key, 'fp-a', long(), long()), 'fp-a');
    },
    ctx.timeout,
  );

  it(
    'D29 a reserve with another fingerprint while in flight returns the ORIGINAL fingerprint and changes nothing',
    async () => {
      const store = ctx.store();
      const key = ctx.key('in-flight-mismatch');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      expectInFlight(await store.reserve(key, 'fp-b', long(), long()), 'fp-a');
      expectInFlight(await store.reserve(key, 'fp-a', long(), long()), 'fp-a');
      const response = utf8('first');
      expect(await store.complete(key, token, response, long()), 'the holder still holds the key').toBe(true);
      expectCompleted(await store.reserve(key, 'fp-b', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    'C15 complete with the token returns true; the next reserve returns the response byte for byte with the original fingerprint',
    async () => {
      const store = ctx.store();
      const key = ctx.key('complete');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const response = utf8('{"id":1}');
      expect(await store.complete(key, token, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    'D26 after completion a reserve with another fingerprint returns the original record unchanged',
    async () => {
      const store = ctx.store();
      const key = ctx.key('completed-mismatch');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const response = utf8('original');
      expect(await store.complete(key, token, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-b', long(), long()), 'fp-a', response);
      expectCompleted(await store.reserve(key, 'fp-c', long(), long()), 'fp-a', response);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    'E34 release with the token returns true; the next reserve gets a NEW token and the old token is stale',
    async () => {
      const store = ctx.store();
      const key = ctx.key('release');
      const first = await reserveNew(store, key, 'fp-a', long(), long());
      expect(await store.release(key, first)).toBe(true);
      const second = await reserveNew(store, key, 'fp-b', long(), long());
      expect(second, 'a reservation after a release must have a new token').not.toBe(first);
      expect(await store.complete(key, first, utf8('stale'), long()), 'complete with the old token').toBe(
        false,
      );
      expect(await store.extend(key, first, long()), 'extend with the old token').toBe(false);
      expect(await store.release(key, first), 'release with the old token').toBe(false);
      expectInFlight(await store.reserve(key, 'fp-a', long(), long()), 'fp-b');
      const response = utf8('second');
      expect(await store.complete(key, second, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-b', response);
    },
    ctx.timeout,
  );

  it(
    'C15 release after complete returns false (release only deletes in-flight records) and the response is still replayed',
    async () => {
      const store = ctx.store();
      const key = ctx.key('release-completed');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const response = utf8('kept');
      expect(await store.complete(key, token, response, long())).toBe(true);
      expect(await store.release(key, token)).toBe(false);
      expect(await store.release(key, 'not-a-token')).toBe(false);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );
}
