import type { IdempotencyStore } from '@idempo/core';
import type { ReserveResult } from '@idempo/core/store';
import { expect } from 'vitest';
import { assertSameBytes } from './bytes.js';

/** Asserts that `result` is a fresh reservation and returns its token. */
export function expectReserved(result: ReserveResult): string {
  expect(result.kind, 'reserve should have returned kind "reserved"').toBe('reserved');
  if (result.kind !== 'reserved') throw new Error('unreachable');
  expect(typeof result.token, 'the token should be a string').toBe('string');
  expect(result.token.length, 'the token should not be empty').toBeGreaterThan(0);
  return result.token;
}

/** Asserts that `result` is an existing in-flight record carrying `fingerprint`. */
export function expectInFlight(result: ReserveResult, fingerprint: string): void {
  expect(result).toMatchObject({ kind: 'existing', state: 'in-flight', fingerprint });
}

/** Asserts that `result` is an existing completed record carrying `fingerprint` and exactly `response`. */
export function expectCompleted(result: ReserveResult, fingerprint: string, response: Uint8Array): void {
  expect(result).toMatchObject({ kind: 'existing', state: 'completed', fingerprint });
  if (result.kind === 'existing' && result.state === 'completed') {
    assertSameBytes(result.response, response, 'the stored response');
  }
}

/** Reserves a key that must be new and returns the token. */
export async function reserveNew(
  store: IdempotencyStore,
  key: string,
  fingerprint: string,
  leaseMs: number,
  ttlMs: number,
): Promise<string> {
  return expectReserved(await store.reserve(key, fingerprint, leaseMs, ttlMs));
}
