/**
 * One store under benchmark. Redis and PostgreSQL stores join as more entries of the target list, each with a
 * floor: the cost of the raw round trips one store operation cannot avoid (two PINGs, two `SELECT 1`), so that
 * the report shows how close the store gets to its network.
 */
import type { IdempotencyStore } from '@idempo/core';

/** An open connection that performs the floor operation. */
export interface FloorProbe {
  /** One floor operation: as many raw round trips as one reserve + complete (two). */
  run(): Promise<void>;
  /** Closes the connection the probe opened. */
  close(): Promise<void>;
}

/** The baseline of a networked store: raw round trips with no idempotency logic. */
export interface Floor {
  /** What one floor operation does, e.g. `2x PING`. */
  readonly description: string;
  /** Opens a fresh probe; called once per repetition, closed after it. */
  open(): Promise<FloorProbe>;
}

/** A store the benchmark runs against. */
export interface StoreTarget {
  /** Short name, shown in the table and the JSON. */
  readonly name: string;
  /**
   * A fresh, empty store; called once per repetition so that earlier repetitions' records (and eviction) do not
   * distort later ones. The benchmark closes it after the repetition.
   */
  makeStore(): Promise<IdempotencyStore>;
  /** The raw-round-trip baseline, for networked stores. */
  readonly floor?: Floor | undefined;
  /** Whether the store's server answers; a target that is not available is skipped with a note. Default: yes. */
  available?(): Promise<boolean>;
}

/** `store`, whose `close()` also runs `after` (to end the client the benchmark opened for it). */
export function closingAlso(store: IdempotencyStore, after: () => Promise<void>): IdempotencyStore {
  return {
    reserve: (...a) => store.reserve(...a),
    complete: (...a) => store.complete(...a),
    release: (...a) => store.release(...a),
    extend: (...a) => store.extend(...a),
    async close() {
      await store.close?.();
      await after();
    },
  };
}
