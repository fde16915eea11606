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
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One function's self time inside the window, and the nearest caller of another bucket that reached it. */
export interface TopFunction {
  readonly bucket: Bucket;
  /** `name file:line`, the file relative to node_modules or the repository where it can be. */
  readonly fn: string;
  /** The nearest caller outside the function's own bucket (for runtime code: who in idempo or the framework called it). */
  readonly via: string;
  readonly us: number;
}

/** Self time in µs per bucket inside the window, and the idle time there. */
export interface WindowTimes {
  readonly us: Readonly<Record<Bucket, number>>;
  readonly idleUs: number;
  readonly samples: number;
  /** The functions with the most self time, most first (as many as asked for). */
  readonly top: readonly TopFunction[];
}

function frameName(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const short = url.includes('/node_modules/')
    ? url.slice(url.lastIndexOf('/node_modules/') + 14)
    : url.replace(/^.*\/(packages|apps)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${short}:${frame.lineNumber + 1}`;
}

/** Sums the self time of the samples of `file` between `fromUs` and `toUs` (monotonic µs). */
export function windowTimes(file: string, fromUs: number, toUs: number, topN = 0): WindowTimes {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const classify = bucketClassifier();
  const bucketOf = new Map<number, Bucket | 'idle'>();
  const nodeOf = new Map<number, ProfileNode>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    bucketOf.set(node.id, classify(node.callFrame));
    nodeOf.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const selfUs = new Map<number, number>();
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
    if (topN > 0)
      selfUs.set(profile.samples[i] as number, (selfUs.get(profile.samples[i] as number) ?? 0) + next);
  }
  return { us, idleUs, samples, top: topN > 0 ? topFunctions(selfUs, nodeOf, parentOf, bucketOf, topN) : [] };
}

function topFunctions(
  selfUs: ReadonlyMap<number, number>,
  nodeOf: ReadonlyMap<number, ProfileNode>,
  parentOf: ReadonlyMap<number, number>,
  bucketOf: ReadonlyMap<number, Bucket | 'idle'>,
  topN: number,
): TopFunction[] {
  const byFunction = new Map<string, { bucket: Bucket; fn: string; via: string; us: number }>();
  for (const [id, time] of selfUs) {
    const bucket = bucketOf.get(id);
    const node = nodeOf.get(id);
    if (bucket === undefined || bucket === 'idle' || node === undefined) continue;
    let parent = parentOf.get(id);
    while (parent !== undefined && (bucketOf.get(parent) === bucket || bucketOf.get(parent) === 'gc'))
      parent = parentOf.get(parent);
    const caller = parent === undefined ? undefined : nodeOf.get(parent);
    const fn = frameName(node.callFrame);
    const via = caller ? `${bucketOf.get(caller.id)}: ${frameName(caller.callFrame)}` : '(root)';
    const key = `${fn}\u0000${via}`;
    const entry = byFunction.get(key) ?? { bucket, fn, via, us: 0 };
    entry.us += time;
    byFunction.set(key, entry);
  }
  return [...byFunction.values()].sort((a, b) => b.us - a.us).slice(0, topN);
}
