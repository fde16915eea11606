/** Turns the scripts' raw replies into the store contract's values, refusing anything the scripts never send. */
import { CorruptRecordError, StoreUnavailableError } from '@idempo/core';
import type { DeleteResult, ReserveResult, StoredRecord } from '@idempo/core/store';
import { completedRecord, inFlightInstants, inFlightRecord, ownsRecord, recordState } from './record.js';

function isBuffer(value: unknown): value is Buffer {
  return Buffer.isBuffer(value);
}

/**
 * A reserve's reply as a {@link ReserveResult}, `token` being the token the caller passed: nil when the caller holds
 * the key, else the record as it is (a Buffer). From the native reserve (`fromScript` false), a record in flight
 * with another token, or of a state this store does not write, answers `undefined`: only the reserve script can
 * tell by the Redis clock whether its lease ended, and take it over. From the script, an in-flight record is one
 * whose lease runs.
 */
export function parseReserveReply(
  reply: unknown,
  token: string,
  fromScript: boolean,
): ReserveResult | undefined {
  if (reply === null) return { kind: 'reserved', token };
  if (!isBuffer(reply)) throw new StoreUnavailableError('RedisStore: reserve answered an unexpected reply');
  const state = recordState(reply);
  if (state === 'c') {
    const { fingerprint, response } = completedRecord(reply);
    return { kind: 'existing', state: 'completed', fingerprint, response };
  }
  if (state === undefined) {
    if (fromScript) throw new StoreUnavailableError('RedisStore: reserve answered an unexpected reply');
    return undefined;
  }
  if (ownsRecord(reply, token)) return { kind: 'reserved', token };
  if (!fromScript) return undefined;
  const record = inFlightRecord(reply);
  if (!record) throw new CorruptRecordError('RedisStore: the stored record has no fingerprint');
  return { kind: 'existing', state: 'in-flight', fingerprint: record.fingerprint };
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

/**
 * The get script's reply (nil, or `{record, expiresAt}`, the record a Buffer) as a {@link StoredRecord}, or
 * `undefined` for nil. The response is copied into a buffer of its own.
 */
export function parseGetReply(reply: unknown): StoredRecord | undefined {
  if (reply === null) return undefined;
  if (!Array.isArray(reply) || !isBuffer(reply[0]) || typeof reply[1] !== 'number') {
    throw new StoreUnavailableError('RedisStore: get answered an unexpected reply');
  }
  const [value, expires] = reply as [Buffer, number];
  if (expires < 0) {
    throw new CorruptRecordError('RedisStore: the stored record has no retention (its key never expires)');
  }
  const state = recordState(value);
  if (state === 'c') {
    const { createdAt, fingerprint, response } = completedRecord(value);
    return {
      state: 'completed',
      fingerprint,
      createdAt: new Date(createdAt),
      leaseExpiresAt: undefined,
      expiresAt: new Date(expires),
      response: new Uint8Array(response),
    };
  }
  const record = state === undefined ? undefined : inFlightRecord(value);
  if (state === undefined || !record) {
    throw new CorruptRecordError('RedisStore: the stored in-flight record cannot be read');
  }
  const { createdAt, leaseEnd } = inFlightInstants(state, record, expires);
  return {
    state: 'in-flight',
    fingerprint: record.fingerprint,
    createdAt: new Date(createdAt),
    leaseExpiresAt: new Date(leaseEnd),
    expiresAt: new Date(expires),
    response: undefined,
  };
}
