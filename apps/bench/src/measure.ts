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
  /** Called after each repetition with its throughput. */
  readonly onRep?: ((rep: number, opsPerSecond: number) => void) | undefined;
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

/** The throughput of every repetition, in operations per second. */
export async function measure(factory: WorkloadFactory, options: MeasureOptions): Promise<number[]> {
  if (options.warmupMs > 0) await once(factory, options.concurrency, options.warmupMs);
  const samples: number[] = [];
  for (let rep = 1; rep <= options.reps; rep++) {
    const opsPerSecond = await once(factory, options.concurrency, options.durationMs);
    samples.push(opsPerSecond);
    options.onRep?.(rep, opsPerSecond);
  }
  return samples;
}

/** Whether garbage is collected between repetitions (the process was started with --expose-gc). */
export const gcBetweenReps = collectGarbage !== undefined;
