/**
 * The harness: drives a workload with a fixed number of operations in flight for a fixed time, after a
 * discarded warm-up, over several repetitions, each on fresh state. Garbage from one repetition is collected
 * before the next when the process runs with --expose-gc.
 */
import type { Workload, WorkloadFactory } from './workload.js';

/** How one measurement is taken. */
export interface MeasureOptions {
  /** Operations in flight at once: 1 is sequential. */
  readonly concurrency: number;
  /** Length of one repetition, in ms. */
  readonly durationMs: number;
  /** Repetitions measured. */
  readonly reps: number;
  /** Length of the discarded warm-up run, in ms (0: none). */
  readonly warmupMs: number;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

/** Runs `workload` with `concurrency` operations in flight until `durationMs` has passed; returns ops/s. */
async function drive(workload: Workload, concurrency: number, durationMs: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) await workload.run(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next / ((performance.now() - started) / 1000);
}

async function once(factory: WorkloadFactory, concurrency: number, durationMs: number): Promise<number> {
  collectGarbage?.();
  const workload = await factory();
  try {
    return await drive(workload, concurrency, durationMs);
  } finally {
    await workload.close();
  }
}

/** Whether garbage is collected between repetitions (the process was started with --expose-gc). */
export const gcBetweenReps = collectGarbage !== undefined;

/** How the cases of one round-robin measurement are taken. */
export interface RoundsOptions extends MeasureOptions {
  /** Called after each repetition of each case with its throughput. */
  readonly onRep?: ((caseIndex: number, rep: number, opsPerSecond: number) => void) | undefined;
}

/**
 * Measures several workloads in interleaved rounds: each is warmed up, then every repetition runs each workload
 * once, in an order rotated by one per round. Repetition `r` of every case falls in the same few seconds, so a
 * ratio taken within a round (a store against its floor) is not moved by drift on the machine between cases.
 * Returns the throughputs of every repetition, per workload.
 */
export async function measureRounds(
  factories: readonly WorkloadFactory[],
  options: RoundsOptions,
): Promise<number[][]> {
  if (options.warmupMs > 0)
    for (const factory of factories) await once(factory, options.concurrency, options.warmupMs);
  const samples = factories.map((): number[] => []);
  for (let rep = 1; rep <= options.reps; rep++) {
    for (let step = 0; step < factories.length; step++) {
      const index = (step + rep - 1) % factories.length;
      const opsPerSecond = await once(
        factories[index] as WorkloadFactory,
        options.concurrency,
        options.durationMs,
      );
      (samples[index] as number[]).push(opsPerSecond);
      options.onRep?.(index, rep, opsPerSecond);
    }
  }
  return samples;
}
