/** Turns the documents the driver returns into the store contract's results, refusing anything malformed. */
import { type ReserveResult, StoreUnavailableError } from '@idempo/core';
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

/** MongoDB's duplicate-key error (E11000), which a concurrent upsert of the same key can raise. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
