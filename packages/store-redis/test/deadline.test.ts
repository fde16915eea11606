/** The time bound and error typing of every store call, on plain promises (no Redis involved). */
import { StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { toStoreError, withDeadline } from '../src/deadline.js';

describe('withDeadline', () => {
  it('resolves with the value of a call that answers in time', async () => {
    await expect(withDeadline('op', async () => 42, 1_000)).resolves.toBe(42);
  });

  it('rejects with StoreTimeoutError when the call never answers, within the bound', async () => {
    const started = performance.now();
    const error = await withDeadline('reserve', () => new Promise<never>(() => undefined), 50).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(String(error.message)).toMatch(/reserve did not answer within 50 ms/);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('hands a late answer to onLate, and swallows a late failure', async () => {
    let settle: (value: string) => void = () => undefined;
    const late: string[] = [];
    const pending = withDeadline(
      'op',
      () => new Promise<string>((r) => (settle = r)),
      20,
      (v) => late.push(v),
    );
    await expect(pending).rejects.toBeInstanceOf(StoreTimeoutError);
    settle('landed');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(late).toEqual(['landed']);

    let fail: (error: Error) => void = () => undefined;
    const failing = withDeadline('op', () => new Promise<string>((_, reject) => (fail = reject)), 20);
    await expect(failing).rejects.toBeInstanceOf(StoreTimeoutError);
    fail(new Error('too late'));
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('types failures as StoreUnavailableError with the original as cause, thrown or rejected', async () => {
    const cause = new Error('Connection is closed.');
    const rejected = await withDeadline('complete', () => Promise.reject(cause), 1_000).catch((e) => e);
    expect(rejected).toBeInstanceOf(StoreUnavailableError);
    expect(rejected.cause).toBe(cause);
    expect(String(rejected.message)).toBe('RedisStore: complete failed: Connection is closed.');
    const thrown = await withDeadline<never>(
      'extend',
      () => {
        throw cause;
      },
      1_000,
    ).catch((e: Error) => e);
    expect(thrown).toBeInstanceOf(StoreUnavailableError);
    expect(thrown.cause).toBe(cause);
  });

  it('keeps a StoreUnavailableError as it is and describes non-errors', () => {
    const typed = new StoreUnavailableError('already typed');
    expect(toStoreError('op', typed)).toBe(typed);
    expect(toStoreError('op', 'a string').message).toBe('RedisStore: op failed: a string');
  });
});
