import type { IdempotencyStore } from '@idempo/core';
import type { ReserveResult } from '@idempo/core/store';
import { expect, it } from 'vitest';
import { expectReserved } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/**
 * Checks one race: exactly one `reserved`, every other caller sees the winner's in-flight record. Each caller
 * sends its own fingerprint, so a loser that reports anything but the winner's fingerprint has read a record
 * the store did not keep.
 */
function expectOneWinner(results: readonly ReserveResult[], fingerprints: readonly string[]): string {
  const winners = results.flatMap((r, i) => (r.kind === 'reserved' ? [i] : []));
  expect(winners.length, `exactly one of ${results.length} parallel reserves should win`).toBe(1);
  const winner = winners[0] as number;
  const winnerFingerprint = fingerprints[winner] as string;
  expectReserved(results[winner] as ReserveResult);
  for (const [i, result] of results.entries()) {
    if (i === winner) continue;
    expect(result, `loser ${i} should see the winner's in-flight record`).toMatchObject({
      kind: 'existing',
      state: 'in-flight',
      fingerprint: winnerFingerprint,
    });
  }
  return winnerFingerprint;
}

async function race(
  store: IdempotencyStore,
  key: string,
  callers: number,
  leaseMs: number,
  ttlMs: number,
): Promise<void> {
  const fingerprints = Array.from({ length: callers }, (_, i) => `fp-${i}`);
  const results = await Promise.all(fingerprints.map((fp) => store.reserve(key, fp, leaseMs, ttlMs)));
  expectOneWinner(results, fingerprints);
}

/** The product: exactly one caller per key wins, however many race, on a new key and on an expired lease. */
export function defineRaceCases(ctx: StoreSuiteContext): void {
  it(
    'E32 E37 the race: N parallel reserves of one key give exactly one "reserved", all others in flight (5 keys)',
    async () => {
      const store = ctx.store();
      for (let round = 0; round < 5; round++) {
        await race(store, ctx.key('race'), ctx.raceSize, ctx.ms(LONG_MS), ctx.ms(LONG_MS));
      }
    },
    ctx.timeout,
  );

  it(
    'E32 E37 the race over several keys at once: one winner per key',
    async () => {
      const store = ctx.store();
      const keys = Array.from({ length: 5 }, () => ctx.key('race-many'));
      const callers = Math.max(2, Math.ceil(ctx.raceSize / 2));
      await Promise.all(keys.map((key) => race(store, key, callers, ctx.ms(LONG_MS), ctx.ms(LONG_MS))));
    },
    ctx.timeout,
  );

  it(
    'E35 the takeover race: after a lease expires, parallel reserves give exactly one new holder',
    async () => {
      const store = ctx.store();
      const keys = Array.from({ length: 3 }, () => ctx.key('takeover-race'));
      for (const key of keys) {
        expectReserved(await store.reserve(key, 'fp-old', ctx.ms(100), ctx.ms(LONG_MS)));
      }
      await ctx.wait(250);
      const callers = Math.max(50, Math.ceil(ctx.raceSize / 2));
      await Promise.all(keys.map((key) => race(store, key, callers, ctx.ms(LONG_MS), ctx.ms(LONG_MS))));
    },
    ctx.timeout,
  );
}
