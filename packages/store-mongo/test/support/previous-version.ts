/**
 * Records as versions of the store before `created` wrote them (no `created` field), and what `get` makes of an
 * in-flight one: the same for the mingo-evaluated collection and a real server.
 */
import type { StoredRecord } from '@idempo/core/store';
import type { MongoDocument } from '../../src/index.js';

/** Retention of every previous-version record, from `now`. */
const RETENTION_MS = 60_000;

/** A record without `created`, held by `'old-token'`, its lease `leaseMs` from `now` (negative: ended). */
export function previousVersionRecord(
  key: string,
  now: number,
  state: 'in-flight' | 'completed',
  leaseMs: number,
  response: Uint8Array | null = null,
): MongoDocument & { _id: string } {
  return {
    _id: key,
    fp: 'fp-old',
    tok: 'old-token',
    st: state,
    lease: new Date(now + leaseMs),
    exp: new Date(now + RETENTION_MS),
    res: response,
  };
}

/** What `get` returns for `previousVersionRecord(key, now, 'in-flight', leaseMs)`. */
export function previousVersionInFlight(now: number, leaseMs: number): StoredRecord {
  return {
    state: 'in-flight',
    fingerprint: 'fp-old',
    createdAt: undefined,
    leaseExpiresAt: new Date(now + leaseMs),
    expiresAt: new Date(now + RETENTION_MS),
    response: undefined,
  };
}
