/** The benchmark's results, as printed and as written to JSON. */
import type { MeasureKind } from './bench-cases.js';
import { summarize } from './stats.js';

/** One measured case. Throughputs are operations per second. */
export interface CaseResult {
  readonly target: string;
  readonly kind: MeasureKind;
  readonly operation: string;
  readonly concurrency: number;
  readonly medianOpsPerSec: number;
  readonly minOpsPerSec: number;
  readonly maxOpsPerSec: number;
  readonly samplesOpsPerSec: readonly number[];
  /**
   * For store cases of targets with a floor: the median over the rounds of store / floor at the same concurrency
   * (each round measures both, seconds apart); median / median when the rounds do not pair up.
   */
  readonly floorRatio?: number | undefined;
}

/** The whole run. */
export interface BenchReport {
  readonly startedAt: string;
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpus: number;
    readonly cpuModel: string;
  };
  readonly settings: {
    readonly reps: number;
    readonly durationMs: number;
    readonly warmupMs: number;
    readonly concurrencies: readonly number[];
    readonly gcBetweenReps: boolean;
  };
  readonly results: readonly CaseResult[];
}

/** Adds each store case's ratio to the floor of its target at the same concurrency, round by round. */
export function withFloorRatios(results: readonly CaseResult[]): CaseResult[] {
  return results.map((result) => {
    if (result.kind !== 'store') return result;
    const floor = results.find(
      (r) => r.kind === 'floor' && r.target === result.target && r.concurrency === result.concurrency,
    );
    if (!floor) return result;
    const paired = floor.samplesOpsPerSec.length === result.samplesOpsPerSec.length;
    const floorRatio = paired
      ? summarize(result.samplesOpsPerSec.map((ops, rep) => ops / (floor.samplesOpsPerSec[rep] as number)))
          .median
      : result.medianOpsPerSec / floor.medianOpsPerSec;
    return { ...result, floorRatio };
  });
}
