/**
 * What the operations' statements return, read into core's types: the row of `get` into a `StoredRecord`, the
 * outcome of `delete` into a `DeleteResult`, the counts of `stats` into `StoreStats`. A row that cannot be read is a `CorruptRecordError`, never a guess.
 */
import { CorruptRecordError } from '@idempo/core';
import type { DeleteResult, StoredRecord, StoreStats } from '@idempo/core/store';

/**
 * A number as pg hands it over: a JS number by default (float8), a string (int8, or any type whose parser a
 * pool replaced) or a bigint (an int8 parser some applications install). `NaN` for anything else.
 */
function numeric(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** An instant of the `get` row (float8 milliseconds since the epoch), `undefined` for NULL. */
function instant(row: Record<string, unknown>, column: string): Date | undefined {
  const value = row[column];
  if (value === null) return undefined;
  const ms = numeric(value);
  if (!Number.isFinite(ms)) {
    throw new CorruptRecordError(`PostgresStore get: ${column} is not an instant: ${String(value)}`);
  }
  return new Date(ms);
}

/**
 * The record the rows of `get` describe (none: `undefined`). The statement shows a lease only in flight, and
 * the table's checks keep a response exactly on completed rows; anything else throws `CorruptRecordError`.
 */
export function storedRecordOf(rows: readonly unknown[]): StoredRecord | undefined {
  if (rows.length === 0) return undefined;
  const row = rows[0];
  if (rows.length !== 1 || typeof row !== 'object' || row === null) {
    throw new CorruptRecordError(`PostgresStore get: expected one record, got ${rows.length}`);
  }
  const r = row as Record<string, unknown>;
  const { state, fingerprint, response } = r;
  if (typeof fingerprint !== 'string') {
    throw new CorruptRecordError('PostgresStore get: the record has no fingerprint');
  }
  const createdAt = instant(r, 'created_at');
  const leaseExpiresAt = instant(r, 'lease_expires_at');
  const expiresAt = instant(r, 'expires_at');
  if (expiresAt !== undefined) {
    if (state === 'in-flight' && response === null && leaseExpiresAt !== undefined) {
      return { state, fingerprint, createdAt, leaseExpiresAt, expiresAt, response: undefined };
    }
    if (state === 'completed' && response instanceof Uint8Array && leaseExpiresAt === undefined) {
      return { state, fingerprint, createdAt, leaseExpiresAt, expiresAt, response };
    }
  }
  throw new CorruptRecordError(`PostgresStore get: unreadable record in state ${JSON.stringify(state)}`);
}

const DELETE_RESULTS: ReadonlySet<unknown> = new Set<DeleteResult>(['deleted', 'in-flight', 'not-found']);

/** What `delete` did: the `outcome` of its one row, or `'not-found'` when it returned none (no row to lock). */
export function deleteResultOf(rows: readonly unknown[]): DeleteResult {
  if (rows.length === 0) return 'not-found';
  const row = rows[0];
  const outcome =
    typeof row === 'object' && row !== null ? (row as Record<string, unknown>)['outcome'] : undefined;
  if (rows.length !== 1 || !DELETE_RESULTS.has(outcome)) {
    throw new CorruptRecordError(
      `PostgresStore delete: expected one outcome, got ${rows.length} rows (${String(outcome)})`,
    );
  }
  return outcome as DeleteResult;
}

/** A count of the `stats` row (a bigint, which pg hands over as a string unless told otherwise). */
function count(row: Record<string, unknown>, column: string): number {
  const value = row[column];
  const n = numeric(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new CorruptRecordError(`PostgresStore stats: ${column} is not a count: ${String(value)}`);
  }
  return n;
}

/** The counts of the one row of `stats`. */
export function storeStatsOf(rows: readonly unknown[]): StoreStats {
  const row = rows[0];
  if (rows.length !== 1 || typeof row !== 'object' || row === null) {
    throw new CorruptRecordError(`PostgresStore stats: expected one row, got ${rows.length}`);
  }
  const r = row as Record<string, unknown>;
  return {
    inFlight: count(r, 'in_flight'),
    leaseExpired: count(r, 'lease_expired'),
    completed: count(r, 'completed'),
  };
}
