/**
 * One idempotency record as a MongoDB document, and the filters and update pipelines of each operation. Every
 * instant is the server's `$$NOW` (the database clock, the same for every field of one operation); the
 * application's clock is never used. Every value that comes from the caller is wrapped in `$literal`, so that a
 * fingerprint or token starting with `$` is data, never a field path.
 *
 * | field | meaning |
 * |---|---|
 * | `_id` | the storage key (core's digest of scope, principal and client key) |
 * | `fp` | the request fingerprint |
 * | `tok` | the holder's fencing token |
 * | `st` | `'in-flight'` or `'completed'` |
 * | `lease` | lease expiry (Date) |
 * | `exp` | retention expiry (Date); the TTL index deletes the record some time after it |
 * | `res` | the response bytes (BSON Binary), `null` while in flight |
 */
import type { MongoDocument } from './collection.js';

/** The name of the TTL index on `exp`. */
export const TTL_INDEX_NAME = 'idempo_exp_ttl';

const NOW = '$$NOW';
const later = (ms: number) => ({ $add: [NOW, ms] });

/** True when the current document may be replaced by a new reservation: none, expired, or lease over. */
const TAKEOVER = {
  $or: [
    { $ne: [{ $type: '$tok' }, 'string'] },
    { $lte: ['$exp', NOW] },
    { $and: [{ $eq: ['$st', 'in-flight'] }, { $lte: ['$lease', NOW] }] },
  ],
};

/**
 * `reserve`: matched on the key alone, with `upsert` and `returnDocument: 'after'`, so ONE call returns the
 * current document whatever it is: the new reservation (ours when `tok` is our token), or the live record left
 * untouched (`$$ROOT` replaces it with itself: the server writes nothing).
 */
export function reserveOperation(
  key: string,
  fingerprint: string,
  token: string,
  leaseMs: number,
  ttlMs: number,
) {
  const fresh = {
    _id: '$_id',
    fp: { $literal: fingerprint },
    tok: { $literal: token },
    st: 'in-flight',
    lease: later(leaseMs),
    exp: later(ttlMs),
    res: null,
  };
  return {
    filter: { _id: key } satisfies MongoDocument,
    update: [{ $replaceWith: { $cond: [TAKEOVER, fresh, '$$ROOT'] } }] satisfies MongoDocument[],
  };
}

/** Held by `token`: in flight and within retention (the lease may have lapsed; nobody took the record over). */
export function heldFilter(key: string, token: string): MongoDocument {
  return { _id: key, tok: token, st: 'in-flight', $expr: { $gt: ['$exp', NOW] } };
}

/** `complete`: the response and the completed state, retention from now. */
export function completeUpdate(response: Uint8Array, ttlMs: number): MongoDocument[] {
  return [{ $set: { st: 'completed', res: { $literal: response }, exp: later(ttlMs) } }];
}

/** `extend`: the lease from now. */
export function extendUpdate(leaseMs: number): MongoDocument[] {
  return [{ $set: { lease: later(leaseMs) } }];
}
