/**
 * The heartbeat of an execution: `beat` every `periodMs` while its handler runs, on an interval of its own that
 * never keeps the process alive. Node already keeps the timers of one duration in one list (adding or removing
 * one is O(1)): a queue of our own on top measured no faster (docs/benchmarks.md "Timers").
 */

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops it; no beat comes after. Idempotent. */
  stop(): void;
}

/** Starts a heartbeat whose first beat is due `periodMs` from now, then one every `periodMs`. */
export function startHeartbeat(periodMs: number, beat: () => void): Heartbeat {
  const interval = setInterval(beat, periodMs);
  (interval as { unref?: () => void }).unref?.();
  return { stop: () => clearInterval(interval) };
}
