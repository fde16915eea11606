import { describe, expect, it } from 'vitest';
import { backoffMs, formatIdempotencyKey, newIdempotencyKey, retryAfterMs } from '../src/index.js';

describe('keys', () => {
  it('are random UUIDs, sent as quoted sf-strings with escapes', () => {
    expect(newIdempotencyKey()).toMatch(/^[0-9a-f-]{36}$/);
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
    expect(formatIdempotencyKey('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(() => formatIdempotencyKey('')).toThrow(RangeError);
    expect(() => formatIdempotencyKey('é')).toThrow(RangeError);
  });
});

describe('delays', () => {
  it('reads Retry-After as seconds or an HTTP-date', () => {
    expect(retryAfterMs('3')).toBe(3_000);
    expect(retryAfterMs(' 0 ')).toBe(0);
    const now = Date.parse('Mon, 23 Nov 2026 10:00:00 GMT');
    expect(retryAfterMs('Mon, 23 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffMs(1, 100, 10_000, () => 0.999)).toBe(99);
    expect(backoffMs(3, 100, 10_000, () => 0.5)).toBe(200);
    expect(backoffMs(10, 100, 1_000, () => 0.999)).toBe(999);
    expect(backoffMs(2, 100, 10_000, () => 0)).toBe(0);
  });
});
