/** Heartbeats: one beat per period until stopped, each in its own phase, never keeping the process alive. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Beats, startBeats, stopBeats } from '../src/heartbeat.js';

/** A heartbeat as the lease uses it, with a stop of its own for the tests. */
function startHeartbeat(periodMs: number, beat: () => void): { stop(): void } {
  const beats: Beats = startBeats(periodMs, (run: () => void) => run(), beat);
  return { stop: () => stopBeats(beats) };
}

/** Timers that keep the process alive (Node counts only referenced ones). */
const refedTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

afterEach(() => {
  vi.useRealTimers();
});

describe('startBeats', () => {
  it('beats once per period from its start until stopped', () => {
    vi.useFakeTimers();
    const beats: number[] = [];
    const started = performance.now();
    const heartbeat = startHeartbeat(100, () => beats.push(performance.now() - started));
    vi.advanceTimersByTime(99);
    expect(beats).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(beats).toEqual([100, 200, 300]);
    heartbeat.stop();
    heartbeat.stop();
    vi.advanceTimersByTime(1_000);
    expect(beats).toEqual([100, 200, 300]);
  });

  it('runs many heartbeats of one period side by side, each in its own phase; a beat may stop its own', () => {
    vi.useFakeTimers();
    const beats: string[] = [];
    const a = startHeartbeat(30, () => beats.push('a'));
    vi.advanceTimersByTime(10);
    const b = startHeartbeat(30, () => beats.push('b'));
    let cBeats = 0;
    const c = startHeartbeat(30, () => {
      beats.push('c');
      if (++cBeats === 2) c.stop();
    });
    expect(vi.getTimerCount()).toBe(3);
    vi.advanceTimersByTime(20); // 30: a
    expect(beats).toEqual(['a']);
    vi.advanceTimersByTime(10); // 40: b, c
    expect(beats).toEqual(['a', 'b', 'c']);
    vi.advanceTimersByTime(30); // 60: a; 70: b, c (c stops)
    vi.advanceTimersByTime(10);
    expect(beats).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    a.stop();
    vi.advanceTimersByTime(60); // 100: b; 130: b
    expect(beats).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'b', 'b']);
    b.stop();
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never keeps the process alive', async () => {
    const before = refedTimers();
    const beats: number[] = [];
    const heartbeat = startHeartbeat(10, () => beats.push(1));
    expect(refedTimers()).toBe(before);
    // A loaded machine may run a late timer once for several periods: wait for two beats, however long.
    await vi.waitFor(() => expect(beats.length).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 5 });
    heartbeat.stop();
    const count = beats.length;
    await sleep(25);
    expect(beats.length).toBe(count);
  });

  it('passes its target to every beat', () => {
    vi.useFakeTimers();
    const target = { beats: 0 };
    const beats = startBeats(50, (t: typeof target) => t.beats++, target);
    vi.advanceTimersByTime(160);
    stopBeats(beats);
    vi.advanceTimersByTime(100);
    expect(target.beats).toBe(3);
  });

  it('a period under 1 ms beats as a 1 ms one', async () => {
    const beats: number[] = [];
    const heartbeat = startHeartbeat(0.5, () => beats.push(1));
    await vi.waitFor(() => expect(beats.length).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 5 });
    heartbeat.stop();
    const count = beats.length;
    await sleep(10);
    expect(beats.length).toBe(count);
  });
});
