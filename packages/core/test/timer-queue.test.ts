/** One armed timer for a FIFO of same-delay deadlines: order, removal, many pending, keep-alive, clocks. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queueableDelay, TIMER_MAX_MS, type TimerEntry, TimerQueue } from '../src/timer-queue.js';

/** Timers that keep the process alive (Node counts only referenced ones). */
const refedTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

class Entry implements TimerEntry {
  due = 0;
  prev: TimerEntry | undefined = undefined;
  next: TimerEntry | undefined = undefined;
  queued = false;
  expiredAt: number | undefined;
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly onExpire?: (now: number) => void,
  ) {}
  expire(now: number): void {
    this.expiredAt = performance.now();
    this.log.push(this.name);
    this.onExpire?.(now);
  }
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('TimerQueue', () => {
  it('expires entries in the order they were added, none before its deadline', () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const queue = new TimerQueue(40, true);
    const a = new Entry('a', log);
    queue.add(a);
    vi.advanceTimersByTime(15);
    const b = new Entry('b', log);
    const c = new Entry('c', log);
    queue.add(b);
    queue.add(c);
    expect(queue.size).toBe(3);
    vi.advanceTimersByTime(24);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['a']);
    vi.advanceTimersByTime(14);
    expect(log).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
    for (const entry of [a, b, c]) {
      expect(entry.expiredAt).toBe(entry.due);
      expect(entry.queued).toBe(false);
    }
  });

  it('serves many pending entries with one timer, and removed ones never expire', () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const queue = new TimerQueue(30, true);
    const entries = Array.from({ length: 10_000 }, (_, i) => new Entry(String(i), log));
    for (const [i, entry] of entries.entries()) {
      queue.add(entry);
      if (i % 1_000 === 999) vi.advanceTimersByTime(1);
    }
    expect(vi.getTimerCount()).toBe(1);
    // Remove the head, the tail and every third one in between, in no particular order.
    const removed = new Set([0, 9_999, ...entries.map((_, i) => i).filter((i) => i % 3 === 1)]);
    for (const i of [...removed].reverse()) queue.remove(entries[i] as Entry);
    queue.remove(entries[0] as Entry); // twice: nothing happens
    expect(queue.size).toBe(10_000 - removed.size);
    vi.advanceTimersByTime(19); // the clock shows 29
    expect(log).toEqual([]);
    const kept = entries.map((_, i) => String(i)).filter((_, i) => !removed.has(i));
    vi.advanceTimersByTime(1); // 30 ms after the first thousand were added
    expect(log).toEqual(kept.filter((name) => Number(name) < 1_000));
    vi.advanceTimersByTime(8);
    expect(log).toEqual(kept.filter((name) => Number(name) < 9_000));
    vi.advanceTimersByTime(1);
    expect(log).toEqual(kept);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps nothing alive once empty, reuses its timer, and says when it is left without entries or timer', async () => {
    // Counted around each synchronous step: vitest's own timers come and go while the test sleeps.
    const idle = vi.fn();
    const log: string[] = [];
    const queue = new TimerQueue(20, true, idle);
    const first = new Entry('first', log);
    let before = refedTimers();
    queue.add(first);
    expect(refedTimers()).toBe(before + 1);
    queue.remove(first);
    expect(queue.armed).toBe(true);
    expect(refedTimers()).toBe(before);
    await sleep(5);
    // Normally the first timer is still armed here, and is reused; a stalled machine may have fired it already,
    // empty (one idle call), and then the next add arms a new one. Either way one more idle call per emptying.
    const idleBefore = idle.mock.calls.length;
    expect(idleBefore === 0 ? queue.armed : !queue.armed).toBe(true);
    const second = new Entry('second', log);
    before = refedTimers();
    queue.add(second); // the armed timer is referenced again (or a new one armed), and fires before it is due
    expect(refedTimers()).toBe(before + 1);
    await sleep(40);
    expect(log).toEqual(['second']);
    expect(second.expiredAt as number).toBeGreaterThanOrEqual(second.due - 2);
    expect(idle).toHaveBeenCalledTimes(idleBefore + 1);
    expect(idle).toHaveBeenLastCalledWith(queue);
    expect(queue.armed).toBe(false);
    // Still usable: a new entry arms a new timer; emptied, that timer fires once for nothing.
    const third = new Entry('third', log);
    queue.add(third);
    expect(queue.armed).toBe(true);
    queue.remove(third);
    expect(idle).toHaveBeenCalledTimes(idleBefore + 1);
    await sleep(40);
    expect(idle).toHaveBeenCalledTimes(idleBefore + 2);
    expect(queue.armed).toBe(false);
    expect(log).toEqual(['second']);
  });

  it('never keeps the process alive when told not to', async () => {
    const before = refedTimers();
    const log: string[] = [];
    const queue = new TimerQueue(20, false);
    const entry = new Entry('a', log);
    queue.add(entry);
    expect(refedTimers()).toBe(before);
    queue.remove(entry);
    queue.add(entry);
    expect(refedTimers()).toBe(before);
    await sleep(40);
    expect(log).toEqual(['a']);
  });

  it('an entry added while the queue fires waits a full delay from then', () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const queue = new TimerQueue(20, true);
    let beats = 0;
    const again: Entry = new Entry('beat', log, (now) => {
      if (++beats < 3) queue.add(again, now);
    });
    const started = performance.now();
    queue.add(again, started);
    vi.advanceTimersByTime(59);
    expect(log).toEqual(['beat', 'beat']);
    vi.advanceTimersByTime(100);
    expect(log).toEqual(['beat', 'beat', 'beat']);
    expect((again.expiredAt as number) - started).toBe(60);
  });

  it('times out on a frozen clock (as in Workers): the timer is believed for the entry it was armed for', () => {
    vi.useFakeTimers();
    vi.spyOn(performance, 'now').mockReturnValue(performance.now());
    const log: string[] = [];
    const queue = new TimerQueue(20, true);
    queue.add(new Entry('a', log));
    queue.add(new Entry('b', log));
    vi.advanceTimersByTime(19);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['a', 'b']);
  });

  it('a clock that runs behind delays the entries after the armed one, never fires them early', () => {
    vi.useFakeTimers();
    let lag = 0;
    const timerClock = performance.now.bind(performance);
    vi.spyOn(performance, 'now').mockImplementation(() => timerClock() - lag);
    const log: string[] = [];
    const queue = new TimerQueue(30, true);
    queue.add(new Entry('a', log));
    vi.advanceTimersByTime(10);
    queue.add(new Entry('b', log)); // due at 40 on the clock
    lag = 15; // from now on, the clock is 15 ms behind the timers
    vi.advanceTimersByTime(20);
    expect(log).toEqual(['a']);
    vi.advanceTimersByTime(24); // the clock shows 39
    expect(log).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['a', 'b']);
  });

  it('on runtimes whose timers cannot be unreferenced, clears the timer when the queue empties', async () => {
    const real = { set: globalThis.setTimeout, clear: globalThis.clearTimeout };
    const handles = new Map<number, ReturnType<typeof setTimeout>>();
    let next = 1;
    const cleared: number[] = [];
    vi.stubGlobal('setTimeout', (fn: () => void, ms: number) => {
      const id = next++;
      handles.set(id, real.set(fn, ms));
      return id;
    });
    vi.stubGlobal('clearTimeout', (id: number) => {
      cleared.push(id);
      real.clear(handles.get(id));
    });
    const log: string[] = [];
    const queue = new TimerQueue(20, true);
    const a = new Entry('a', log);
    queue.add(a);
    queue.remove(a);
    expect(cleared).toEqual([1]);
    expect(queue.armed).toBe(false);
    queue.add(new Entry('b', log));
    await sleep(40);
    expect(log).toEqual(['b']);
    expect(next).toBe(3);
  });

  it('keeps firing the others when one entry throws', () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const queue = new TimerQueue(20, true);
    queue.add(
      new Entry('boom', log, () => {
        throw new Error('boom');
      }),
    );
    queue.add(new Entry('after', log));
    expect(() => vi.advanceTimersByTime(30)).toThrow('boom');
    expect(log).toEqual(['boom', 'after']);
    expect(queue.size).toBe(0);
  });

  it('serves delays from 1 ms to the longest timer', () => {
    expect(queueableDelay(1)).toBe(true);
    expect(queueableDelay(5_000)).toBe(true);
    expect(queueableDelay(TIMER_MAX_MS)).toBe(true);
    for (const bad of [0, 0.5, -1, Number.NaN, TIMER_MAX_MS + 1, Number.POSITIVE_INFINITY])
      expect(queueableDelay(bad)).toBe(false);
  });
});
