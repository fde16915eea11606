/** The time bound and error typing of every store call, on plain promises. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreTimeoutError, StoreUnavailableError } from '../src/errors.js';
import { withStoreTimeout } from '../src/with-timeout.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Timers that keep the process alive (Node counts only referenced ones). */
const refedTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** A store call that answers when told to. */
function controlled<T>() {
  let answer: (value: T) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const call = () =>
    new Promise<T>((resolve, reject) => {
      answer = resolve;
      fail = reject;
    });
  return { call, answer: (value: T) => answer(value), fail: (error: unknown) => fail(error) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('withStoreTimeout', () => {
  it('resolves with the value of a call that answers in time', async () => {
    await expect(withStoreTimeout('op', async () => 42, 1_000)).resolves.toBe(42);
  });

  it('gives the call its deadline, Date.now() + timeoutMs read once', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const deadlines: number[] = [];
    const pending = withStoreTimeout(
      'op',
      async (deadline) => {
        deadlines.push(deadline);
        return deadline;
      },
      250,
    );
    await expect(pending).resolves.toBe(1_700_000_000_250);
    expect(deadlines).toEqual([1_700_000_000_250]);
  });

  it('H48 rejects with StoreTimeoutError when the call never answers, within the bound', async () => {
    const started = performance.now();
    const error = await withStoreTimeout('X: reserve', () => new Promise<never>(() => undefined), 50).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(String(error.message)).toBe('X: reserve did not answer within 50 ms');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('hands a late answer to onLate, and swallows a late failure', async () => {
    let settle: (value: string) => void = () => undefined;
    const late: string[] = [];
    const pending = withStoreTimeout(
      'op',
      () => new Promise<string>((r) => (settle = r)),
      20,
      (v) => late.push(v),
    );
    await expect(pending).rejects.toBeInstanceOf(StoreTimeoutError);
    settle('landed');
    await tick(10);
    expect(late).toEqual(['landed']);

    let fail: (error: Error) => void = () => undefined;
    const failing = withStoreTimeout('op', () => new Promise<string>((_, reject) => (fail = reject)), 20);
    await expect(failing).rejects.toBeInstanceOf(StoreTimeoutError);
    fail(new Error('too late'));
    await tick(10);
  });

  it('types failures as StoreUnavailableError with the original as cause, thrown or rejected', async () => {
    const cause = new Error('Connection is closed.');
    const rejected = await withStoreTimeout('X: complete', () => Promise.reject(cause), 1_000).catch(
      (e) => e,
    );
    expect(rejected).toBeInstanceOf(StoreUnavailableError);
    expect(rejected.cause).toBe(cause);
    expect(String(rejected.message)).toBe('X: complete failed: Connection is closed.');
    const thrown = await withStoreTimeout<never>(
      'extend',
      () => {
        throw cause;
      },
      1_000,
    ).catch((e: Error) => e);
    expect(thrown).toBeInstanceOf(StoreUnavailableError);
    expect((thrown as Error).cause).toBe(cause);
  });

  it('keeps a StoreUnavailableError as it is and describes non-errors', async () => {
    const typed = new StoreUnavailableError('already typed');
    await expect(withStoreTimeout('op', () => Promise.reject(typed), 1_000)).rejects.toBe(typed);
    const odd = await withStoreTimeout('op', () => Promise.reject('a string'), 1_000).catch((e) => e);
    expect(odd).toBeInstanceOf(StoreUnavailableError);
    expect(String(odd.message)).toBe('op failed: a string');
  });

  it('times out the calls that share a bound in the order they were made; the others answer', async () => {
    vi.useFakeTimers();
    const outcomes: string[] = [];
    const calls = Array.from({ length: 6 }, () => controlled<number>());
    const results = calls.map((c, i) =>
      withStoreTimeout(`op${i}`, c.call, 37).then(
        (v) => outcomes.push(`${i}=${v}`),
        (e: Error) => outcomes.push(`${i}:${e.constructor.name}:${e.message}`),
      ),
    );
    await vi.advanceTimersByTimeAsync(10);
    // Three more, 10 ms later: due 10 ms after the first six.
    const later = Array.from({ length: 3 }, () => controlled<number>());
    const laterResults = later.map((c, i) =>
      withStoreTimeout(`late${i}`, c.call, 37).catch((e: Error) => outcomes.push(`late${i}:${e.message}`)),
    );
    calls[0]?.answer(0);
    calls[3]?.answer(3);
    calls[5]?.fail(new Error('down'));
    await vi.advanceTimersByTimeAsync(26); // 36 ms: nothing is due yet
    expect(outcomes).toEqual(['0=0', '3=3', '5:StoreUnavailableError:op5 failed: down']);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcomes.slice(3)).toEqual([
      '1:StoreTimeoutError:op1 did not answer within 37 ms',
      '2:StoreTimeoutError:op2 did not answer within 37 ms',
      '4:StoreTimeoutError:op4 did not answer within 37 ms',
    ]);
    later[1]?.answer(1);
    await vi.advanceTimersByTimeAsync(9);
    expect(outcomes.slice(6)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcomes.slice(6)).toEqual([
      'late0:late0 did not answer within 37 ms',
      'late2:late2 did not answer within 37 ms',
    ]);
    await Promise.all([...results, ...laterResults]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('bounds of different lengths run side by side', async () => {
    vi.useFakeTimers();
    const long = withStoreTimeout('long', controlled<void>().call, 43);
    const short = withStoreTimeout('short', controlled<void>().call, 23);
    const settled: string[] = [];
    long.catch(() => settled.push('long'));
    short.catch(() => settled.push('short'));
    await vi.advanceTimersByTimeAsync(23);
    expect(settled).toEqual(['short']);
    await vi.advanceTimersByTimeAsync(20);
    expect(settled).toEqual(['short', 'long']);
  });

  it('keeps the process alive while a call is pending, and not once it has answered', async () => {
    const before = refedTimers();
    const call = controlled<string>();
    const pending = withStoreTimeout('op', call.call, 1_234);
    // Armed once the call is still pending after the microtasks queued with it.
    await Promise.resolve();
    expect(refedTimers()).toBe(before + 1);
    call.answer('done');
    await expect(pending).resolves.toBe('done');
    expect(refedTimers()).toBe(before);
  });

  it('arms no timer for a call that has answered by the next microtask (a store without I/O)', async () => {
    const before = refedTimers();
    const answered = withStoreTimeout('op', async () => 'at once', 1_234);
    expect(refedTimers()).toBe(before);
    await Promise.resolve();
    expect(refedTimers()).toBe(before);
    await expect(answered).resolves.toBe('at once');
    const failed = withStoreTimeout('op', () => Promise.reject(new Error('down')), 1_234);
    expect(refedTimers()).toBe(before);
    await Promise.resolve();
    expect(refedTimers()).toBe(before);
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it.each([0, 0.5, -1, Number.NaN])(
    'bound %s (a timer of under 1 ms) behaves as any other',
    async (bound) => {
      await expect(withStoreTimeout('op', async () => 42, bound)).resolves.toBe(42);
      const error = await withStoreTimeout('X: reserve', controlled<never>().call, bound).catch((e) => e);
      expect(error).toBeInstanceOf(StoreTimeoutError);
      expect(String(error.message)).toBe(`X: reserve did not answer within ${bound} ms`);
      const late: string[] = [];
      const slow = controlled<string>();
      await expect(withStoreTimeout('op', slow.call, bound, (v) => late.push(v))).rejects.toBeInstanceOf(
        StoreTimeoutError,
      );
      slow.answer('landed');
      const failing = controlled<string>();
      await expect(withStoreTimeout('op', failing.call, bound)).rejects.toBeInstanceOf(StoreTimeoutError);
      failing.fail(new Error('too late'));
      await tick(5);
      expect(late).toEqual(['landed']);
      const cause = new Error('Connection is closed.');
      const rejected = await withStoreTimeout('X', () => Promise.reject(cause), bound).catch((e) => e);
      expect(rejected).toBeInstanceOf(StoreUnavailableError);
      expect(rejected.cause).toBe(cause);
    },
  );
});
