import { expect, it } from 'vitest';
import { utf8 } from './bytes.js';
import { expectCompleted, expectInFlight, expectReserved, reserveNew } from './store-expectations.js';
import { LONG_MS, type StoreSuiteContext } from './store-suite-context.js';

/**
 * The lifetime of a record: an in-flight record lives at least as long as its lease is held (a heartbeat's
 * `extend` moves whatever keeps it alive, and never shortens it); a completed one lives its retention counted
 * from completion. And the late paths: a reservation that takes an ended lease over and is given back never
 * touches a record it does not hold, and a holder nobody took over completes with its own token.
 */
export function defineLifetimeCases(ctx: StoreSuiteContext): void {
  const long = () => ctx.ms(LONG_MS);

  it(
    '[15.2] an in-flight record lives as long as its lease is held: ttl 600 ms, lease 300 ms extended every 100 ms for 1.5 s, then a reserve finds it in flight; once completed, retention counts from completion',
    ctx.timed(async () => {
      const store = ctx.store();
      const key = ctx.key('lifetime');
      // What is sure on a busy machine: a call that ended less than a lease after the last successful extend began
      // reached the store while that lease held. Past that, the machine (not the store) decided the outcome.
      let heldFrom = performance.now();
      const withinLease = (what: string) =>
        ctx.premise(
          performance.now() - heldFrom < ctx.ms(300),
          `${what} ended ${Math.round(performance.now() - heldFrom)} ms after the lease of ${ctx.ms(300)} ms began`,
        );
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(300), ctx.ms(600));
      const started = Date.now();
      let beats = 0;
      while (Date.now() - started < ctx.ms(1_500)) {
        await ctx.wait(100);
        beats++;
        const began = performance.now();
        const held = await store.extend(key, token, ctx.ms(300));
        if (!held) withinLease(`heartbeat ${beats}`);
        expect(held, `heartbeat ${beats}, ${Date.now() - started} ms after the reservation`).toBe(true);
        heldFrom = began;
      }
      const again = await store.reserve(key, 'fp-a', long(), long());
      if (again.kind !== 'existing') withinLease('the reserve after the heartbeats');
      expectInFlight(again, 'fp-a');
      expectInFlight(await store.reserve(key, 'fp-b', long(), long()), 'fp-a');

      const response = utf8('after 1.5 s of heartbeats');
      const completing = performance.now();
      expect(await store.complete(key, token, response, ctx.ms(500)), 'complete by the holder').toBe(true);
      // 1.5 s after a reservation with ttl 600 ms: still replayed, because its retention starts at completion.
      await ctx.wait(250);
      const replay = await store.reserve(key, 'fp-a', long(), long());
      if (replay.kind !== 'existing')
        ctx.premise(
          performance.now() - completing < ctx.ms(500),
          'the replay came after the 500 ms retention',
        );
      expectCompleted(replay, 'fp-a', response);
      await ctx.wait(600);
      expectReserved(await store.reserve(key, 'fp-a', long(), long()));
    }),
    ctx.timedTimeout,
  );

  it(
    '[15.2] a lease longer than the retention given to reserve: the in-flight record lives its lease (ttl 100 ms, lease 400 ms, still held at 250 ms)',
    ctx.timed(async () => {
      const store = ctx.store();
      const key = ctx.key('lease-over-ttl');
      const reserving = performance.now();
      const withinLease = (what: string) =>
        ctx.premise(performance.now() - reserving < ctx.ms(400), `${what} ended after the 400 ms lease`);
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(400), ctx.ms(100));
      await ctx.wait(250);
      const other = await store.reserve(key, 'fp-b', long(), long());
      if (other.kind !== 'existing') withinLease('the second reserve');
      expectInFlight(other, 'fp-a');
      const response = utf8('within the lease');
      const completed = await store.complete(key, token, response, long());
      if (!completed) withinLease('the complete');
      expect(completed).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    }),
    ctx.timedTimeout,
  );

  it(
    '[15.2] extend never shortens what keeps the record alive: an extend by 100 ms of a record kept 60 s leaves its holder able to complete after that lease ended',
    async () => {
      const store = ctx.store();
      const key = ctx.key('extend-not-shorter');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(100), long());
      expect(await store.extend(key, token, ctx.ms(100))).toBe(true);
      await ctx.wait(300);
      const response = utf8('the retention was kept');
      expect(await store.complete(key, token, response, long()), 'complete after the short lease').toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    '[15.4] E35 a stalled holder (its heartbeats stopped, its lease ended) that nobody took over completes with its own token: true, and the response replays',
    async () => {
      const store = ctx.store();
      const key = ctx.key('stalled-holder');
      const token = await reserveNew(store, key, 'fp-a', ctx.ms(150), long());
      await ctx.wait(50);
      expect(await store.extend(key, token, ctx.ms(150))).toBe(true);
      // The store stalls: no heartbeat lands for longer than the lease.
      await ctx.wait(400);
      const response = utf8('completed after the lease ended');
      expect(
        await store.complete(key, token, response, long()),
        'complete is fenced by token, not time',
      ).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );

  it(
    '[15.4] a late reservation that took over an ended lease and is then released frees the key; the old holder writes nothing and the next holder is never touched by either token',
    async () => {
      const store = ctx.store();
      const key = ctx.key('late-takeover');
      const original = await reserveNew(store, key, 'fp-a', ctx.ms(100), long());
      await ctx.wait(250);
      // A reserve whose caller had given up lands now: the lease ended, so it takes the key over...
      const late = await reserveNew(store, key, 'fp-a', long(), long());
      expect(late).not.toBe(original);
      // ...and the late path gives it back with its own token.
      expect(await store.release(key, late), 'the late release').toBe(true);
      expect(await store.complete(key, original, utf8('old holder'), long()), 'old holder').toBe(false);
      // Nobody holds the key: the next caller reserves at once (no 409).
      const next = await reserveNew(store, key, 'fp-a', long(), long());
      expect(await store.release(key, late), 'a second late release').toBe(false);
      expect(await store.release(key, original), 'the old holder releasing').toBe(false);
      expect(await store.extend(key, original, long()), 'the old holder extending').toBe(false);
      expectInFlight(await store.reserve(key, 'fp-a', long(), long()), 'fp-a');
      const response = utf8('the next holder');
      expect(await store.complete(key, next, response, long())).toBe(true);
      expectCompleted(await store.reserve(key, 'fp-a', long(), long()), 'fp-a', response);
    },
    ctx.timeout,
  );
}
