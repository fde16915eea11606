import { describe, expect, it } from 'vitest';
import {
  CorruptRecordError,
  FingerprintMismatchError,
  IdempotencyError,
  InvalidKeyError,
  InvalidOptionsError,
  MissingKeyError,
  RequestInFlightError,
  StoreCapacityError,
  StoreTimeoutError,
  StoreUnavailableError,
} from '../src/errors.js';
import { problemDetails, toProblemResponse } from '../src/problem.js';

describe('errors and problem+json (H47)', () => {
  it('every error has a code, a status and a title, and is an IdempotencyError', () => {
    const errors = [
      [new InvalidKeyError('x'), 'invalid_key', 400],
      [new MissingKeyError('x'), 'missing_key', 400],
      [new RequestInFlightError('x', 1), 'request_in_flight', 409],
      [new FingerprintMismatchError('x'), 'fingerprint_mismatch', 422],
      [new StoreUnavailableError('x'), 'store_unavailable', 503],
      [new StoreTimeoutError('x'), 'store_timeout', 503],
      [new StoreCapacityError('x'), 'store_capacity', 503],
      [new CorruptRecordError('x'), 'corrupt_record', 503],
      [new InvalidOptionsError('x'), 'invalid_options', 500],
    ] as const;
    for (const [error, code, status] of errors) {
      expect(error).toBeInstanceOf(IdempotencyError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.title.length).toBeGreaterThan(0);
      expect(error.name).toBe(error.constructor.name);
    }
    expect(new StoreTimeoutError('x')).toBeInstanceOf(StoreUnavailableError);
  });

  it('H47 renders RFC 9457 members plus the code', () => {
    expect(problemDetails(new FingerprintMismatchError('used'), 'https://docs.example/problems/')).toEqual({
      type: 'https://docs.example/problems/fingerprint-mismatch',
      title: 'Idempotency-Key reused with a different request',
      status: 422,
      detail: 'used',
      code: 'fingerprint_mismatch',
    });
  });

  it('H47 responses are problem+json, no-store, with a correct Content-Length', () => {
    const r = toProblemResponse(new InvalidKeyError('bad'), 'about:blank#');
    expect(r.status).toBe(400);
    expect(Object.fromEntries(r.headers)).toMatchObject({
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      'content-length': String(r.body.length),
    });
    expect(r.headers.some(([n]) => n === 'retry-after')).toBe(false);
    expect(JSON.parse(new TextDecoder().decode(r.body)).type).toBe('about:blank#invalid-key');
  });
});
