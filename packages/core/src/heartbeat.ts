/**
 * The heartbeat of an execution: `beat` every `periodMs` while its handler runs, on an interval of its own that
 * never keeps the process alive. Node already keeps the timers of one duration in one list (adding or removing
 * one is O(1)): a queue of our own on top measured no faster (docs/benchmarks.md "Timers").
 */

/** The interval of a heartbeat started with {@link startBeats}. */
export type Beats = ReturnType<typeof setInterval>;

/**
 * Starts a heartbeat whose first beat is due `periodMs` from now, then one every `periodMs`: `beat(target)`.
 * Nothing is allocated for it but the interval (a lease per request passes itself as `target`, no closure);
 * {@link stopBeats} stops it.
 */
export function startBeats<T>(periodMs: number, beat: (target: T) => void, target: T): Beats {
  const interval = setInterval(beat, periodMs, target);
  (interval as { unref?: () => void }).unref?.();
  return interval;
}

/** Stops a heartbeat of {@link startBeats}; no beat comes after. Idempotent. */
export function stopBeats(beats: Beats): void {
  clearInterval(beats);
}
