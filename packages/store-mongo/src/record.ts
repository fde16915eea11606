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
 * | `created` | when the current holder reserved (Date); absent from records of store versions that did not keep it |
 * | `lease` | lease expiry (Date) |
 * | `exp` | retention expiry (Date); the TTL index deletes the record some time after it. In flight never before `lease` |
 * | `res` | the response bytes (BSON Binary), `null` while in flight |
 */
import type { MongoDocument } from './collection.js';

/** The name of the TTL index on `exp`. */
export const TTL_INDEX_NAME = 'idempo_exp_ttl';

const NOW = '$$NOW';
const later = (ms: number) => ({ $add: [NOW, ms] });

/** True when the current document is a live record: one the store wrote (it has a token), within retention. */
const LIVE = { $and: [{ $eq: [{ $type: '$tok' }, 'string'] }, { $gt: ['$exp', NOW] }] };

/** True when the current document may be replaced by a new reservation: none, not live, or lease over. */
const TAKEOVER = {
  $or: [{ $not: [LIVE] }, { $and: [{ $eq: ['$st', 'in-flight'] }, { $lte: ['$lease', NOW] }] }],
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
    created: NOW,
    lease: later(leaseMs),
    // An in-flight record must outlive its lease, whatever retention it was given.
    exp: later(Math.max(leaseMs, ttlMs)),
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

/**
 * `extend`: the lease from now, and the retention (`exp`, the TTL index's field) to at least the same instant,
 * never earlier: an in-flight record lives as long as its lease is held. One `$$NOW` for both fields.
 */
export function extendUpdate(leaseMs: number): MongoDocument[] {
  return [{ $set: { lease: later(leaseMs), exp: { $max: ['$exp', later(leaseMs)] } } }];
}

/**
 * `get`: the live record of the key, read with `findOne`. The projection names the fields returned, so the
 * token never leaves the server.
 */
export function getOperation(key: string) {
  return {
    filter: { _id: key, $expr: LIVE } satisfies MongoDocument,
    projection: { _id: 0, fp: 1, st: 1, created: 1, lease: 1, exp: 1, res: 1 } satisfies MongoDocument,
  };
}

/** True when the current document is in flight and its lease still runs: its handler may be running. */
const RUNNING = { $and: [{ $eq: ['$st', 'in-flight'] }, { $gt: ['$lease', NOW] }] };

/**
 * `delete`, in up to three calls, of which only the first can delete a live record:
 *
 * - `deletable`, for `deleteOne`: the live record of the key, unless it is running and `force` is not set. The
 *   server matches and deletes the document in one atomic step, on its own clock, so a record taken over since
 *   (a new holder with a running lease) is never deleted without `force`;
 * - `live`, for a read-only `findOne` after a `deleteOne` that deleted nothing: is there a live record (kept
 *   because it is running), or none? Only its `_id` comes back;
 * - `leftover`, for a last `deleteOne`: what is left of a record that is no longer live (past retention, not yet
 *   removed by the TTL index). It never matches a live record, so it cannot delete one reserved in between.
 */
export function deleteOperation(key: string, force: boolean) {
  return {
    deletable: {
      _id: key,
      $expr: force ? LIVE : { $and: [LIVE, { $not: [RUNNING] }] },
    } satisfies MongoDocument,
    live: {
      filter: { _id: key, $expr: LIVE } satisfies MongoDocument,
      projection: { _id: 1 } satisfies MongoDocument,
    },
    leftover: { _id: key, $expr: { $not: [LIVE] } } satisfies MongoDocument,
  };
}

/**
 * `stats`: the live records grouped by what a retry would find: `inFlight` (lease running), `leaseExpired`, or
 * their state (`completed`). One `$$NOW` for the whole pipeline, the server's.
 */
export function statsPipeline(): MongoDocument[] {
  const group = {
    $cond: [
      { $eq: ['$st', 'in-flight'] },
      { $cond: [{ $gt: ['$lease', NOW] }, 'inFlight', 'leaseExpired'] },
      '$st',
    ],
  };
  return [{ $match: { $expr: LIVE } }, { $group: { _id: group, n: { $sum: 1 } } }];
}
