/**
 * The heartbeat of an execution: `beat` every `periodMs` while its handler runs. All heartbeats of one period
 * share one timer (a {@link TimerQueue}), so that starting and stopping one costs no timer call. A heartbeat never
 * keeps the process alive.
 */
import { queueableDelay, type TimerEntry, TimerQueue } from './timer-queue.js';

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops it; no beat comes after. Idempotent. */
  stop(): void;
}

const queues = new Map<number, TimerQueue>();
/** A queue left with no entry and no timer is dropped; were it to fire again, its successor would be, harmlessly. */
const forget = (queue: TimerQueue) => queues.delete(queue.delayMs);

class QueuedHeartbeat implements TimerEntry, Heartbeat {
  due = 0;
  prev: TimerEntry | undefined = undefined;
  next: TimerEntry | undefined = undefined;
  queued = false;

  constructor(
    private readonly queue: TimerQueue,
    private readonly beat: () => void,
  ) {}

  expire(now: number): void {
    // The next beat is due one period after this one, as setInterval would have it.
    this.queue.add(this, now);
    this.beat();
  }

  stop(): void {
    this.queue.remove(this);
  }
}

/** Starts a heartbeat whose first beat is due `periodMs` after `now` (a `performance.now()` reading). */
export function startHeartbeat(periodMs: number, beat: () => void, now: number): Heartbeat {
  if (!queueableDelay(periodMs)) {
    const interval = setInterval(beat, periodMs);
    (interval as { unref?: () => void }).unref?.();
    return { stop: () => clearInterval(interval) };
  }
  let queue = queues.get(periodMs);
  if (queue === undefined) {
    queue = new TimerQueue(periodMs, false, forget);
    queues.set(periodMs, queue);
  }
  const heartbeat = new QueuedHeartbeat(queue, beat);
  queue.add(heartbeat, now);
  return heartbeat;
}
