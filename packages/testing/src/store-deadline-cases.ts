import { StoreUnavailableError } from '@idempo/core';
import type { ReserveResult } from '@idempo/core/store';
import { expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { expectCompleted, expectInFlight, expectReserved, reserveNew } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/** How long a call given a past deadline may take to settle before the case calls it hung. */
const SETTLE_MS = 2_000;

/** Settles with what `call` settled with, or fails the case when it has not settled within {@link SETTLE_MS}. */
async function settled<T>(what: string, call: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${SETTLE_MS} ms`)), SETTLE_MS);
  });
  try {
    return await Promise.race([call.then((value) => ({ value })), hung]);
  } catch (error) {
    if (error instanceof Error && error.message.endsWith(`within ${SETTLE_MS} ms`)) throw error;
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The deadline core passes (`StoreCallOptions.deadline`): a store may use it to bound its side, and core alone
 * times the call out and gives a late reservation back. So a store given a deadline that has passed still
 * settles (at once, or as its call would have), and never releases a reservation of its own accord.
 */
export function defineDeadlineCases(ctx: StoreSuiteContext): void {
  const long = () => ctx.ms(LONG_MS);

  it(
    'H48 with a deadline far ahead, reserve, extend, complete and release behave as without one',
    async () => {
      const store = ctx.store();
      const options = { deadline: Date.now() + long() };
      const key = ctx.key('deadline-ahead');
      const token = expectReserved(await store.reserve(key, 'fp-a', long(), long(), options));
      expect(await store.extend(key, token, long(), options)).toBe(true);
      const response = utf8('within the deadline');
      expect(await store.complete(key, token, response, long(), options)).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long(), options), 'fp-a', response);
      const other = ctx.key('deadline-ahead-release');
      const held = expectReserved(await store.reserve(other, 'fp-a', long(), long(), options));
      expect(await store.release(other, held, options)).toBe(true);
      expectReserved(await store.reserve(other, 'fp-a', long(), long()));
    },
    ctx.timeout,
  );

  it(
    'H48 given a deadline that has passed, reserve settles without hanging; what it reserved stays reserved (the store never releases it itself: core does), what it refused left nothing',
    async () => {
      const store = ctx.store();
      const key = ctx.key('deadline-passed');
      const { value, error } = await settled(
        'reserve with a past deadline',
        store.reserve(key, 'fp-a', long(), long(), { deadline: Date.now() - 1 }),
      );
      // Whatever a store does on its own after answering (a late release would) has time to land.
      await ctx.wait(200);
      if (error !== undefined) {
        expect(error, 'a refusal is a store error').toBeInstanceOf(StoreUnavailableError);
        expectReserved(await store.reserve(key, 'fp-b', long(), long()));
        return;
      }
      const token = expectReserved(value as ReserveResult);
      expectInFlight(await store.reserve(key, 'fp-b', long(), long()), 'fp-a');
      expect(
        await store.complete(key, token, utf8('still held'), long(), { deadline: Date.now() + long() }),
      ).toBe(true);
    },
    ctx.timeout,
  );

  it(
    'H48 given a deadline that has passed, complete, extend and release settle without hanging; a refusal wrote nothing',
    async () => {
      const store = ctx.store();
      const key = ctx.key('deadline-passed-holder');
      const token = await reserveNew(store, key, 'fp-a', long(), long());
      const past = () => ({ deadline: Date.now() - 1 });
      const extend = await settled('extend', store.extend(key, token, long(), past()));
      if (extend.error !== undefined) expect(extend.error).toBeInstanceOf(StoreUnavailableError);
      else expect(extend.value).toBe(true);
      const complete = await settled('complete', store.complete(key, token, utf8('late'), long(), past()));
      if (complete.error !== undefined) {
        expect(complete.error).toBeInstanceOf(StoreUnavailableError);
        expectInFlight(await store.reserve(key, 'fp-b', long(), long()), 'fp-a');
        const release = await settled('release', store.release(key, token, past()));
        if (release.error !== undefined) {
          expect(release.error).toBeInstanceOf(StoreUnavailableError);
          expectInFlight(await store.reserve(key, 'fp-b', long(), long()), 'fp-a');
        } else expect(release.value).toBe(true);
        return;
      }
      expect(complete.value).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', utf8('late'));
    },
    ctx.timeout,
  );
}
