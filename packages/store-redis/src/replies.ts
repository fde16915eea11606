/** Turns the scripts' raw replies into the store contract's values, refusing anything the scripts never send. */
import { CorruptRecordError, StoreUnavailableError } from '@idempo/core';
import type { DeleteResult, ReserveResult, StoredRecord } from '@idempo/core/store';

function isBuffer(value: unknown): value is Buffer {
  return Buffer.isBuffer(value);
}

/**
 * The reserve script's reply (`{'r'}`, `{'f', fingerprint}` or `{'c', fingerprint, response}`, bulk strings as
 * Buffers) as a {@link ReserveResult}; `token` is the token the caller passed in.
 */
export function parseReserveReply(reply: unknown, token: string): ReserveResult {
  if (!Array.isArray(reply) || !isBuffer(reply[0])) {
    throw new StoreUnavailableError('RedisStore: reserve answered an unexpected reply');
  }
  const state = reply[0].toString('latin1');
  if (state === 'r') return { kind: 'reserved', token };
  const fingerprint: unknown = reply[1];
  if (!isBuffer(fingerprint)) {
    throw new CorruptRecordError('RedisStore: the stored record has no fingerprint');
  }
  if (state === 'f') {
    return { kind: 'existing', state: 'in-flight', fingerprint: fingerprint.toString('utf8') };
  }
  const response: unknown = reply[2];
  if (state !== 'c' || !isBuffer(response)) {
    throw new CorruptRecordError('RedisStore: the stored record is completed but holds no response');
  }
  return { kind: 'existing', state: 'completed', fingerprint: fingerprint.toString('utf8'), response };
}

/** A token-checked script's reply: 1 written, 0 nothing written. */
export function parseWrittenReply(operation: string, reply: unknown): boolean {
  if (reply === 1) return true;
  if (reply === 0) return false;
  throw new StoreUnavailableError(`RedisStore: ${operation} answered an unexpected reply`);
}

/** The delete script's reply: 1 deleted, 2 kept (in flight, lease running, no force), 0 no record. */
export function parseDeleteReply(reply: unknown): DeleteResult {
  if (reply === 1) return 'deleted';
  if (reply === 2) return 'in-flight';
  if (reply === 0) return 'not-found';
  throw new StoreUnavailableError('RedisStore: delete answered an unexpected reply');
}

/** A millisecond instant the store wrote as decimal digits (`c`, `l`), or `undefined` when the field is absent. */
function instant(field: unknown, name: string): Date | undefined {
  if (field === null || field === undefined) return undefined;
  const ms = isBuffer(field) ? Number(field.toString('latin1')) : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new CorruptRecordError(`RedisStore: the stored record's ${name} is not a number of milliseconds`);
  }
  return new Date(ms);
}

/**
 * The get script's reply (nil, or `{state, fingerprint, createdAt, lease, response, expiresAt}`, bulk strings as
 * Buffers) as a {@link StoredRecord}, or `undefined` for nil. The response is copied into a buffer of its own.
 */
export function parseGetReply(reply: unknown): StoredRecord | undefined {
  if (reply === null) return undefined;
  if (!Array.isArray(reply) || !isBuffer(reply[0]) || typeof reply[5] !== 'number') {
    throw new StoreUnavailableError('RedisStore: get answered an unexpected reply');
  }
  const [stateField, fingerprint, created, lease, response, expires] = reply as unknown[];
  if (!isBuffer(fingerprint)) {
    throw new CorruptRecordError('RedisStore: the stored record has no fingerprint');
  }
  if ((expires as number) < 0) {
    throw new CorruptRecordError('RedisStore: the stored record has no retention (its key never expires)');
  }
  const completed = (stateField as Buffer).toString('latin1') === 'c';
  if (completed && !isBuffer(response)) {
    throw new CorruptRecordError('RedisStore: the stored record is completed but holds no response');
  }
  const leaseExpiresAt = completed ? undefined : (instant(lease, 'lease') ?? new Date(0));
  return {
    state: completed ? 'completed' : 'in-flight',
    fingerprint: fingerprint.toString('utf8'),
    createdAt: instant(created, 'creation time'),
    leaseExpiresAt,
    expiresAt: new Date(expires as number),
    response: completed ? new Uint8Array(response as Buffer) : undefined,
  };
}
