/** The unit the harness drives: one kind of operation over state that lives for one repetition. */

/** Operations over fresh state (a new store, engine, keys). */
export interface Workload {
  /** Performs one operation; `index` is unique within the workload. Throws if the operation misbehaved. */
  run(index: number): Promise<void>;
  /** Frees the state (closes the store). */
  close(): Promise<void>;
}

/** Creates a workload over fresh state; called once for the warm-up and once per repetition. */
export type WorkloadFactory = () => Promise<Workload>;
