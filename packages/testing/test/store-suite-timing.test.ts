/**
 * The storeSuite's timing cases on a busy machine: a case whose premise the machine broke (a call far past its
 * margin) runs again at twice its timings; a failed assertion never does.
 */
import { MemoryStore } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { createStoreSuiteContext, TIMING_ATTEMPTS } from '../src/store-suite-context.js';

describe('storeSuite timing cases (issue 18 item 5)', () => {
  const ctx = createStoreSuiteContext(() => new MemoryStore(), { timeScale: 1 });

  it('a broken premise runs the case again at twice the timings, then passes', async () => {
    const seen: number[] = [];
    await ctx.timed(async () => {
      seen.push(ctx.ms(100));
      ctx.premise(seen.length === 2, 'the first run was too late');
    })();
    expect(seen).toEqual([100, 200]);
    expect(ctx.ms(100), 'back to 1x after the case').toBe(100);
  });

  it('a premise broken on every run fails, naming each run', async () => {
    let runs = 0;
    const outcome = ctx
      .timed(async () => {
        runs++;
        ctx.premise(false, `run ${runs} was late`);
      })()
      .then(
        () => new Error('resolved'),
        (error: unknown) => error as Error,
      );
    expect((await outcome).message).toBe(
      "the machine was too slow for this case's timings 3 times: at 1x: run 1 was late; at 2x: run 2 was late; at 4x: run 3 was late",
    );
    expect(runs).toBe(TIMING_ATTEMPTS);
    expect(ctx.ms(100)).toBe(100);
  });

  it('a failed assertion is not run again', async () => {
    let runs = 0;
    await expect(
      ctx.timed(async () => {
        runs++;
        expect(runs).toBe(0);
      })(),
    ).rejects.toThrow();
    expect(runs).toBe(1);
  });
});
