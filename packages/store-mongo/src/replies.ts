/** Turns the documents the driver returns into the store contract's results, refusing anything malformed. */
import { StoreUnavailableError } from '@idempo/core';
import type { ReserveResult, StoredRecord, StoreStats } from '@idempo/core/store';
import type { MongoDocument } from './collection.js';

/** BSON Binary as the driver returns it (bson 6 and 7): bytes in `buffer`, `position` of them used. */
interface BinaryLike {
  readonly buffer: Uint8Array;
  readonly position: number;
}

function isBinaryLike(value: unknown): value is BinaryLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as BinaryLike).buffer instanceof Uint8Array &&
    typeof (value as BinaryLike).position === 'number'
  );
}

/** The bytes of a stored response. */
export function responseBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (isBinaryLike(value)) return value.buffer.subarray(0, value.position);
  throw new StoreUnavailableError('MongoStore: a completed record has no response bytes');
}

/** The result of `reserve` from the document `findOneAndUpdate` returned. */
export function reserveResult(document: MongoDocument | null, token: string): ReserveResult {
  if (!document || typeof document['fp'] !== 'string' || typeof document['tok'] !== 'string') {
    throw new StoreUnavailableError('MongoStore: reserve returned no valid record');
  }
  if (document['tok'] === token && document['st'] === 'in-flight') return { kind: 'reserved', token };
  const fingerprint = document['fp'];
  if (document['st'] === 'completed') {
    return { kind: 'existing', state: 'completed', fingerprint, response: responseBytes(document['res']) };
  }
  if (document['st'] === 'in-flight') return { kind: 'existing', state: 'in-flight', fingerprint };
  throw new StoreUnavailableError(`MongoStore: a record has an unknown state ${String(document['st'])}`);
}

function date(document: MongoDocument, field: string): Date {
  const value = document[field];
  if (value instanceof Date) return value;
  throw new StoreUnavailableError(`MongoStore: a record has no valid ${field} (a Date)`);
}

/**
 * The record `get` found (projected: no `_id`, no token). `createdAt` is `undefined` for a record written before
 * the store kept `created`; the response is a copy, so that nothing the caller does reaches the driver's buffer.
 */
export function storedRecord(document: MongoDocument | null): StoredRecord | undefined {
  if (document === null) return undefined;
  const fingerprint = document['fp'];
  if (typeof fingerprint !== 'string') {
    throw new StoreUnavailableError('MongoStore: a record has no fingerprint');
  }
  const created = document['created'] === undefined ? undefined : date(document, 'created');
  const expiresAt = date(document, 'exp');
  const state = document['st'];
  if (state === 'completed') {
    const response = responseBytes(document['res']).slice();
    return { state, fingerprint, createdAt: created, leaseExpiresAt: undefined, expiresAt, response };
  }
  if (state === 'in-flight') {
    const leaseExpiresAt = date(document, 'lease');
    return { state, fingerprint, createdAt: created, leaseExpiresAt, expiresAt, response: undefined };
  }
  throw new StoreUnavailableError(`MongoStore: a record has an unknown state ${String(state)}`);
}

/** The counts of `stats` from the groups its pipeline returned (`{ _id: group, n }`, absent when empty). */
export function storeStats(groups: MongoDocument[]): StoreStats {
  const counts = { inFlight: 0, leaseExpired: 0, completed: 0 };
  for (const { _id: group, n } of groups) {
    if (group !== 'inFlight' && group !== 'leaseExpired' && group !== 'completed') {
      throw new StoreUnavailableError(`MongoStore: records with an unknown state ${String(group)}`);
    }
    if (typeof n !== 'number') throw new StoreUnavailableError('MongoStore: stats returned no count');
    counts[group] += n;
  }
  return counts;
}

/** The server's answer to an operation that ran past its `maxTimeMS` (code 50, `MaxTimeMSExpired`). */
export function isMaxTimeExpired(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 50;
}

/** MongoDB's duplicate-key error (E11000), which a concurrent upsert of the same key can raise. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
