/** The floor operation of a networked store: its raw round trips, measured like any other workload. */
import type { Floor } from './store-target.js';
import type { WorkloadFactory } from './workload.js';

/** A fresh floor probe per repetition. */
export function floorWorkload(floor: Floor): WorkloadFactory {
  return async () => {
    const probe = await floor.open();
    return {
      run: () => probe.run(),
      close: () => probe.close(),
    };
  };
}
