/**
 * Many timers of one same delay on one armed timer. Entries that all wait the same `delayMs` fall due in the
 * order they were added, so a FIFO (a linked list: O(1) add and remove) with a single `setTimeout` for its head
 * does the work of one timer each: adding or removing an entry costs no timer call. When the timer fires,
 * every entry whose deadline has passed expires, in order, and the timer is armed again for the next one.
 *
 * The entry a timer was armed for expires when that timer fires, whatever `performance.now()` says then (a
 * timer may fire a little before the clock reaches its deadline); the entries after it expire when the clock
 * says they are due. A queue never fires an entry early, and never later than its own timer would have.
 */

/** One timer in a {@link TimerQueue}: its deadline and its place in the FIFO are kept on it. */
export interface TimerEntry {
  /** The deadline, on the `performance.now()` clock. Written by the queue. */
  due: number;
  /** Neighbours in the queue, and whether the entry is in one. Written by the queue. */
  prev: TimerEntry | undefined;
  next: TimerEntry | undefined;
  queued: boolean;
  /** Called once the deadline has passed, after the entry has left the queue; `now` is the queue's clock. */
  expire(now: number): void;
}

/** What `setTimeout` returns: a Node/Bun Timeout with ref/unref, or a number elsewhere. */
type TimerHandle = ReturnType<typeof setTimeout> & { ref?: () => unknown; unref?: () => unknown };

/** The longest delay a timer takes (2^31 - 1 ms); a longer one fires after 1 ms, as Node does. */
export const TIMER_MAX_MS = 2_147_483_647;

/** A FIFO of entries that all wait `delayMs`, on one timer. */
export class TimerQueue {
  #head: TimerEntry | undefined;
  #tail: TimerEntry | undefined;
  #size = 0;
  #timer: TimerHandle | undefined;
  /** The deadline the armed timer was set for. */
  #armedFor = 0;
  #refed = false;
  #firing = false;

  /**
   * @param delayMs - what every entry waits, from 1 to {@link TIMER_MAX_MS}.
   * @param keepAlive - whether pending entries keep the process alive (a store call does; a heartbeat does not).
   *   An empty queue never does.
   * @param onIdle - called when a firing leaves the queue with no entry and no timer (to forget the queue; a
   *   forgotten queue still works).
   */
  constructor(
    readonly delayMs: number,
    readonly keepAlive: boolean,
    private readonly onIdle?: (queue: TimerQueue) => void,
  ) {}

  /** Entries waiting. */
  get size(): number {
    return this.#size;
  }

  /** Whether a timer is armed (possibly unreferenced, on an empty queue). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Adds `entry`, due `delayMs` after `now` (read now when omitted). The entry must not be in a queue. */
  add(entry: TimerEntry, now: number = performance.now()): void {
    entry.due = now + this.delayMs;
    entry.next = undefined;
    entry.prev = this.#tail;
    entry.queued = true;
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.next = entry;
    this.#tail = entry;
    this.#size++;
    if (this.#firing) return;
    if (this.#timer === undefined) this.#arm(this.delayMs, entry.due);
    else if (this.keepAlive && !this.#refed) {
      this.#timer.ref?.();
      this.#refed = true;
    }
  }

  /** Removes `entry` if it is queued; its timer will not fire. */
  remove(entry: TimerEntry): void {
    if (!entry.queued) return;
    this.#unlink(entry);
    if (this.#size > 0 || this.#timer === undefined || this.#firing) return;
    // Empty: the timer may stay armed (it costs nothing until it fires) but must not keep the process alive.
    if (this.#timer.unref === undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#refed) {
      this.#timer.unref();
      this.#refed = false;
    }
  }

  #unlink(entry: TimerEntry): void {
    const { prev, next } = entry;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    entry.prev = entry.next = undefined;
    entry.queued = false;
    this.#size--;
  }

  #arm(delay: number, due: number): void {
    this.#armedFor = due;
    const timer = setTimeout(this.#fire, delay) as TimerHandle;
    this.#timer = timer;
    this.#refed = this.keepAlive;
    if (!this.keepAlive) timer.unref?.();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#firing = true;
    try {
      // The timer's word for the entry it was armed for, the clock's for the others.
      const now = Math.max(performance.now(), this.#armedFor);
      for (let entry = this.#head; entry !== undefined && entry.due <= now; entry = this.#head) {
        this.#unlink(entry);
        entry.expire(now);
      }
    } finally {
      this.#firing = false;
      const head = this.#head;
      if (head !== undefined) this.#arm(Math.max(1, Math.ceil(head.due - performance.now())), head.due);
      else this.onIdle?.(this);
    }
  };
}

/** Whether `delayMs` can be served by a queue (a timer of it would fire after that delay). */
export function queueableDelay(delayMs: number): boolean {
  return delayMs >= 1 && delayMs <= TIMER_MAX_MS;
}
