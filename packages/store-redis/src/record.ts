/**
 * The record as the client reads it: one string (lua-scripts.ts has the layout), `|`-separated up to its last
 * field, which runs to the end of the value. Parsed from the bytes, never decoded whole: the response is a view.
 */
import { CorruptRecordError } from '@idempo/core';

const BAR = 0x7c;

/** The record's state, from its first two bytes: `n` and `f` are in flight, `c` completed. */
export type RecordState = 'n' | 'f' | 'c';

/** The state of `value`, or `undefined` for a value of no state this store writes. */
export function recordState(value: Buffer): RecordState | undefined {
  if (value.length < 2 || value[1] !== BAR) return undefined;
  const state = value[0];
  if (state === 0x6e) return 'n';
  if (state === 0x66) return 'f';
  if (state === 0x63) return 'c';
  return undefined;
}

/** The positions of the separators after the state: as many as asked, or `undefined` when fewer are there. */
function separators(value: Buffer, count: number): number[] | undefined {
  const at: number[] = [];
  let from = 2;
  for (let i = 0; i < count; i++) {
    const bar = value.indexOf(BAR, from);
    if (bar < 0) return undefined;
    at.push(bar);
    from = bar + 1;
  }
  return at;
}

/** Decimal digits between two positions, or `undefined` when they are not a safe integer. */
function integer(value: Buffer, start: number, end: number): number | undefined {
  if (end <= start) return undefined;
  const n = Number(value.toString('latin1', start, end));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A completed record: when it was reserved (Redis ms), its fingerprint and its response (a view of `value`). */
export interface CompletedRecord {
  readonly createdAt: number;
  readonly fingerprint: string;
  readonly response: Buffer;
}

/** Reads a completed (`c`) record; throws `CorruptRecordError` for one this store did not write. */
export function completedRecord(value: Buffer): CompletedRecord {
  const at = separators(value, 2);
  const createdAt = at && integer(value, 2, at[0] as number);
  const length = at && integer(value, (at[0] as number) + 1, at[1] as number);
  const start = at ? (at[1] as number) + 1 : 0;
  if (createdAt === undefined || length === undefined || start + length > value.length) {
    throw new CorruptRecordError(
      'RedisStore: the stored record is completed but its response cannot be read',
    );
  }
  return {
    createdAt,
    fingerprint: value.toString('utf8', start, start + length),
    response: value.subarray(start + length),
  };
}

/**
 * An in-flight record: its token, the two numbers of its head (`f`: created at and lease end, Redis ms; `n`: the
 * key's expiry duration at reservation and the lease duration) and its fingerprint, or `undefined` when it is
 * damaged (a separator or a number missing).
 */
export interface InFlightRecord {
  readonly token: string;
  readonly first: number;
  readonly second: number;
  readonly fingerprint: string;
}

/** Reads an in-flight (`f` or `n`) record, or `undefined` when it is damaged. */
export function inFlightRecord(value: Buffer): InFlightRecord | undefined {
  const at = separators(value, 3);
  if (!at) return undefined;
  const [p, q, r] = at as [number, number, number];
  const first = integer(value, p + 1, q);
  const second = integer(value, q + 1, r);
  if (first === undefined || second === undefined) return undefined;
  return { token: value.toString('latin1', 2, p), first, second, fingerprint: value.toString('utf8', r + 1) };
}

/** Whether `value` is in flight with exactly `token` (a store token, which never holds a `|`). */
export function ownsRecord(value: Buffer, token: string): boolean {
  const state = recordState(value);
  if (state !== 'f' && state !== 'n') return false;
  const end = 2 + token.length;
  return value[end] === BAR && value.toString('latin1', 2, end) === token;
}

/**
 * The instants of an in-flight record, Redis ms: `n` from the key's expiry (`expiresAt`, created at is
 * `expiresAt - px`), `f` as stored.
 */
export function inFlightInstants(
  state: 'n' | 'f',
  record: InFlightRecord,
  expiresAt: number,
): { createdAt: number; leaseEnd: number } {
  if (state === 'f') return { createdAt: record.first, leaseEnd: record.second };
  const createdAt = expiresAt - record.first;
  return { createdAt, leaseEnd: createdAt + record.second };
}

/** The record the native reserve writes: in flight, its instants read from the key's expiry (`PX px`). */
export function nativeReservation(token: string, px: string, leaseMs: string, fingerprint: string): string {
  return `n|${token}|${px}|${leaseMs}|${fingerprint}`;
}
