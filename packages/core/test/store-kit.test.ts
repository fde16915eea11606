import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, StoreTimeoutError, StoreUnavailableError } from '../src/errors.js';
import {
  checkDeadline,
  durationArgument,
  positiveIntegerOption,
  remainingMs,
  requireOptionsObject,
  storeUnavailable,
  withStoreErrors,
} from '../src/store-kit.js';

describe('the store-author kit: options', () => {
  it('requireOptionsObject refuses anything but an object, naming the store and what it takes', () => {
    for (const options of [undefined, null, 'x', 1]) {
      expect(() => requireOptionsObject('RedisStore', options, '{ client }')).toThrow(
        new InvalidOptionsError('RedisStore: options { client } are required'),
      );
    }
    expect(() => requireOptionsObject('RedisStore', {}, '{ client }')).not.toThrow();
  });

  it('positiveIntegerOption takes a positive safe integer, or the fallback for undefined', () => {
    expect(positiveIntegerOption('S', 'timeoutMs', undefined, 2_000)).toBe(2_000);
    expect(positiveIntegerOption('S', 'timeoutMs', 1, 2_000)).toBe(1);
    for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100' as unknown as number]) {
      expect(() => positiveIntegerOption('MongoStore', 'timeoutMs', value, 2_000)).toThrow(
        new InvalidOptionsError(`MongoStore: timeoutMs must be a positive integer, got ${String(value)}`),
      );
    }
  });

  it('durationArgument takes a positive finite number of ms, rounded up; anything else is a RangeError', () => {
    expect(durationArgument('S', 'leaseMs', 1_000)).toBe(1_000);
    expect(durationArgument('S', 'leaseMs', 0.2)).toBe(1);
    for (const value of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      expect(() => durationArgument('RedisStore', 'ttlMs', value)).toThrow(RangeError);
    }
    expect(() => durationArgument('RedisStore', 'ttlMs', 0)).toThrow(
      'RedisStore: ttlMs must be a positive number of milliseconds, got 0',
    );
  });
});

describe('the store-author kit: deadlines', () => {
  it('remainingMs: whole ms left, never below 0; undefined without a deadline', () => {
    expect(remainingMs(undefined)).toBeUndefined();
    expect(remainingMs(1_500.9, 1_000)).toBe(500);
    expect(remainingMs(1_000, 1_000)).toBe(0);
    expect(remainingMs(900, 1_000)).toBe(0);
    const left = remainingMs(Date.now() + 10_000) ?? 0;
    expect(left).toBeGreaterThan(9_000);
    expect(left).toBeLessThanOrEqual(10_000);
  });

  it('checkDeadline: the ms left (at least 1) before sending, StoreTimeoutError once the deadline has passed', () => {
    expect(checkDeadline('S: reserve', undefined)).toBeUndefined();
    expect(checkDeadline('S: reserve', {})).toBeUndefined();
    expect(checkDeadline('S: reserve', { deadline: Date.now() + 5_000 })).toBeGreaterThanOrEqual(4_000);
    for (const deadline of [Date.now(), Date.now() - 1, 0]) {
      expect(() => checkDeadline('MongoStore: reserve', { deadline })).toThrow(StoreTimeoutError);
    }
    expect(() => checkDeadline('MongoStore: reserve', { deadline: 0 })).toThrow(
      'MongoStore: reserve: its deadline passed before it was sent; nothing was sent',
    );
  });
});

describe('the store-author kit: errors', () => {
  it("storeUnavailable keeps core's store errors and wraps anything else, the original as cause", () => {
    const timeout = new StoreTimeoutError('slow');
    expect(storeUnavailable('S: get', timeout)).toBe(timeout);
    const cause = new Error('ECONNREFUSED');
    const wrapped = storeUnavailable('MongoStore: get', cause);
    expect(wrapped).toBeInstanceOf(StoreUnavailableError);
    expect(wrapped).not.toBeInstanceOf(StoreTimeoutError);
    expect(wrapped.message).toBe('MongoStore: get failed: ECONNREFUSED');
    expect(wrapped.cause).toBe(cause);
    expect(storeUnavailable('S: get', { message: 'plain' }).message).toBe('S: get failed: plain');
    expect(storeUnavailable('S: get', 'text').message).toBe('S: get failed: text');
  });

  it('withStoreErrors turns a rejection or a synchronous throw into a store error, and passes a value through', async () => {
    await expect(withStoreErrors('S: x', async () => 7)).resolves.toBe(7);
    const cause = new Error('lost');
    const rejected = await withStoreErrors('S: x', () => Promise.reject(cause)).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(StoreUnavailableError);
    expect((rejected as Error).cause).toBe(cause);
    const thrown = await withStoreErrors('S: x', () => {
      throw cause;
    }).catch((e: unknown) => e);
    expect((thrown as Error).cause).toBe(cause);
  });
});
