import { describe, expect, it } from 'vitest';
import { withFloorRatios } from '../src/bench-report.js';
import { measureRounds } from '../src/measure.js';

describe('store bench rounds', () => {
  it('runs every case once per round, the order rotated each round, after one warm-up each', async () => {
    const runs: string[] = [];
    const factory = (name: string) => async () => {
      runs.push(name);
      return { run: async () => undefined, close: async () => undefined };
    };
    const samples = await measureRounds([factory('floor'), factory('store'), factory('engine')], {
      concurrency: 1,
      durationMs: 1,
      reps: 3,
      warmupMs: 1,
    });
    expect(runs).toEqual([
      ...['floor', 'store', 'engine'],
      ...['floor', 'store', 'engine'],
      ...['store', 'engine', 'floor'],
      ...['engine', 'floor', 'store'],
    ]);
    expect(samples.map((s) => s.length)).toEqual([3, 3, 3]);
  });

  it('takes a store case ratio to its floor round by round', () => {
    const base = { target: 'redis', concurrency: 64, minOpsPerSec: 0, maxOpsPerSec: 0 };
    // The floor drifted between rounds (100, 50, 200) and the store with it: per round 0.9, 0.9, 0.3, median 0.9,
    // where the medians alone (60 / 100) would say 0.6.
    const [, store] = withFloorRatios([
      { ...base, kind: 'floor', operation: 'floor', medianOpsPerSec: 100, samplesOpsPerSec: [100, 50, 200] },
      { ...base, kind: 'store', operation: 'store', medianOpsPerSec: 60, samplesOpsPerSec: [90, 45, 60] },
    ]);
    expect(store?.floorRatio).toBeCloseTo(0.9);
    // Rounds that do not pair up fall back to median / median.
    const [, unpaired] = withFloorRatios([
      { ...base, kind: 'floor', operation: 'floor', medianOpsPerSec: 100, samplesOpsPerSec: [100, 50] },
      { ...base, kind: 'store', operation: 'store', medianOpsPerSec: 60, samplesOpsPerSec: [90, 45, 60] },
    ]);
    expect(unpaired?.floorRatio).toBeCloseTo(0.6);
  });
});
