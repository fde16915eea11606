/** Turns the scripts' raw replies into the store contract's values, refusing anything the scripts never send. */
import { CorruptRecordError, type ReserveResult, StoreUnavailableError } from '@idempo/core';

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
