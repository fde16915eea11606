/** The time bound and error typing of every store call, on plain promises. */
import { describe, expect, it } from 'vitest';
import { StoreTimeoutError, StoreUnavailableError } from '../src/errors.js';
import { withStoreTimeout } from '../src/with-timeout.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withStoreTimeout', () => {
  it('resolves with the value of a call that answers in time', async () => {
    await expect(withStoreTimeout('op', async () => 42, 1_000)).resolves.toBe(42);
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
});
