/**
 * What is measured for each store target: its floor (networked stores only), the store operation, the engine
 * on new keys and the engine on a replayed key, each sequential and with many operations in flight.
 */
import { engineNewKeyWorkload, engineReplayWorkload } from './engine-workload.js';
import { floorWorkload } from './floor-workload.js';
import type { StoreTarget } from './store-target.js';
import { storeWorkload } from './store-workload.js';
import type { WorkloadFactory } from './workload.js';

/** The kinds of measurement. */
export type MeasureKind = 'floor' | 'store' | 'engine-new' | 'engine-replay';

/** One line of the report. */
export interface BenchCase {
  readonly target: string;
  readonly kind: MeasureKind;
  /** What one operation is. */
  readonly operation: string;
  readonly concurrency: number;
  readonly factory: WorkloadFactory;
}

/** The cases of `target`, at each of `concurrencies`. */
export function benchCases(target: StoreTarget, concurrencies: readonly number[]): BenchCase[] {
  const kinds: { kind: MeasureKind; operation: string; factory: WorkloadFactory }[] = [];
  const { floor } = target;
  if (floor) {
    kinds.push({ kind: 'floor', operation: `floor: ${floor.description}`, factory: floorWorkload(floor) });
  }
  kinds.push(
    { kind: 'store', operation: 'reserve + complete', factory: storeWorkload(target) },
    { kind: 'engine-new', operation: 'begin + commit (new key)', factory: engineNewKeyWorkload(target) },
    { kind: 'engine-replay', operation: 'begin (replay)', factory: engineReplayWorkload(target) },
  );
  return kinds.flatMap(({ kind, operation, factory }) =>
    concurrencies.map((concurrency) => ({ target: target.name, kind, operation, concurrency, factory })),
  );
}
