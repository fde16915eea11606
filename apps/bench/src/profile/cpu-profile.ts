/**
 * Self time per bucket, from a V8 `.cpuprofile`, counting only the samples taken inside a window of the
 * monotonic clock. V8's sample times and `process.hrtime` both read CLOCK_MONOTONIC (in µs and ns), so a window
 * the load generator measured in its own process selects the same instants in the server's profile.
 */
import { readFileSync } from 'node:fs';
import { BUCKETS, type Bucket, bucketClassifier, type CallFrame } from './buckets.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time in µs per bucket inside the window, and the idle time there. */
export interface WindowTimes {
  readonly us: Readonly<Record<Bucket, number>>;
  readonly idleUs: number;
  readonly samples: number;
}

/** Sums the self time of the samples of `file` between `fromUs` and `toUs` (monotonic µs). */
export function windowTimes(file: string, fromUs: number, toUs: number): WindowTimes {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const classify = bucketClassifier();
  const bucketOf = new Map<number, Bucket | 'idle'>();
  for (const node of profile.nodes) bucketOf.set(node.id, classify(node.callFrame));
  const us = Object.fromEntries(BUCKETS.map((bucket) => [bucket, 0])) as Record<Bucket, number>;
  let idleUs = 0;
  let samples = 0;
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0;
    if (time < fromUs || time > toUs) continue;
    // A sample stands for the time until the next one.
    const next = profile.timeDeltas[i + 1] ?? 0;
    const bucket = bucketOf.get(profile.samples[i] as number) ?? 'runtime';
    samples++;
    if (bucket === 'idle') idleUs += next;
    else us[bucket] += next;
  }
  return { us, idleUs, samples };
}
