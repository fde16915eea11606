/**
 * The heartbeat of an execution: `beat` every `periodMs` while its handler runs, never keeping the process
 * alive. The heartbeats of one period wait in one list in the order they fall due, behind one unref'ed timer
 * armed for the head: starting or stopping one is a link or an unlink, with no timer of its own (a `setInterval`
 * per execution cost a Node `Timeout`, its timer-list and ref-count bookkeeping and a `clearInterval`, on every
 * request, although nearly every handler answers long before its first beat). A timer that fires with nothing
 * due re-arms for the new head, or for nothing once the list is empty: an idle process holds at most one
 * sleeping timer per period.
 */

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops it; no beat comes after. Idempotent. */
  stop(): void;
}

type TimerHandle = ReturnType<typeof setTimeout> & { unref?: () => unknown };

const now = () => performance.now();

/** The heartbeats of one period, in the order they fall due; one timer armed for the head. */
class Beats {
  head: Beat | undefined;
  tail: Beat | undefined;
  timer: TimerHandle | undefined;
  /** When the armed timer was set to fire (`performance.now()` time). */
  timerAt = 0;

  constructor(
    readonly periodMs: number,
    readonly timers: Timers,
  ) {}

  /** Links `beat` in due order: at the tail, unless a beat re-armed late is due after it. */
  insert(beat: Beat, t: number): void {
    let after = this.tail;
    while (after !== undefined && after.due > beat.due) after = after.prev;
    beat.prev = after;
    beat.next = after === undefined ? this.head : after.next;
    if (beat.next === undefined) this.tail = beat;
    else beat.next.prev = beat;
    if (after === undefined) this.head = beat;
    else after.next = beat;
    beat.list = this;
    if (beat === this.head) this.arm(beat.due, t);
  }

  unlink(beat: Beat): void {
    if (beat.prev === undefined) this.head = beat.next;
    else beat.prev.next = beat.next;
    if (beat.next === undefined) this.tail = beat.prev;
    else beat.next.prev = beat.prev;
    beat.prev = beat.next = beat.list = undefined;
  }

  /** Makes sure the timer fires by `at`; an earlier timer is kept (it re-arms for the head when it fires). */
  arm(at: number, t: number): void {
    if (this.timer !== undefined) {
      if (this.timerAt <= at) return;
      this.timers.clear(this.timer);
    }
    const timer = this.timers.set(this.fire, Math.max(1, Math.ceil(at - t))) as TimerHandle;
    timer.unref?.();
    this.timer = timer;
    this.timerAt = at;
  }

  readonly fire = (): void => {
    this.timer = undefined;
    const t = now();
    // Each beat due moves to its next period before it runs, so that a beat may stop itself or any other.
    for (let beat = this.head; beat !== undefined && beat.due <= t; beat = this.head) {
      this.unlink(beat);
      beat.due += this.periodMs;
      // A late timer beats once for the periods it missed, then a period after it ran, as setInterval does.
      if (beat.due <= t) beat.due = t + this.periodMs;
      this.insert(beat, t);
      beat.run();
    }
    if (this.head !== undefined) this.arm(this.head.due, t);
  };
}

/** One heartbeat, linked into the list of its period while it runs. */
class Beat implements Heartbeat {
  prev: Beat | undefined;
  next: Beat | undefined;
  list: Beats | undefined;

  constructor(
    public due: number,
    readonly run: () => void,
  ) {}

  stop(): void {
    this.list?.unlink(this);
  }
}

/**
 * The timer functions heartbeats are armed with, and their lists by period. They are the global `setTimeout`
 * of when a heartbeat starts: a test that installs fake timers gets lists of its own, which go quiet with the
 * fake clock, as its intervals would.
 */
interface Timers {
  /** The global `setTimeout` they were taken from. */
  readonly global: typeof setTimeout;
  readonly set: typeof setTimeout;
  readonly clear: typeof clearTimeout;
  readonly lists: Map<number, Beats>;
}

const domains = new WeakMap<typeof setTimeout, Timers>();
let current: Timers | undefined;

function timers(): Timers {
  const set = globalThis.setTimeout;
  if (current?.global === set) return current;
  let found = domains.get(set);
  if (found === undefined) {
    // Called on the global object: workerd refuses a timer function called on anything else.
    found = {
      global: set,
      set: set.bind(globalThis),
      clear: globalThis.clearTimeout.bind(globalThis),
      lists: new Map(),
    };
    domains.set(set, found);
  }
  current = found;
  return found;
}

/**
 * Starts a heartbeat whose first beat is due `periodMs` after `from` (`performance.now()` time, by default now),
 * then one every `periodMs`. A caller that has just read the clock passes its reading.
 */
export function startHeartbeat(periodMs: number, beat: () => void, from: number = now()): Heartbeat {
  const domain = timers();
  let list = domain.lists.get(periodMs);
  if (list === undefined) {
    // A period under 1 ms beats as a 1 ms one, as Node's timers do.
    list = new Beats(Math.max(1, periodMs), domain);
    domain.lists.set(periodMs, list);
  }
  const running = new Beat(from + list.periodMs, beat);
  list.insert(running, from);
  return running;
}
