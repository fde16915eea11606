import { StoreTimeoutError, StoreUnavailableError } from '@idempo/core';

/**
 * SQLSTATEs that mean "too slow" rather than "broken": `55P03` lock_not_available (the statement's lock timeout)
 * and `57014` query_canceled (a `statement_timeout`, or a cancel request).
 */
const TIMEOUT_SQLSTATES = new Set(['55P03', '57014']);

/** Messages of `pg` and `pg-pool` for their own client-side timeouts. */
const TIMEOUT_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /connection timeout/i,
];

/**
 * Added to an `undefined_column` error (42703): the table is older than this version (most likely it lacks
 * `created_at`, added with the operations), and its migration has not run.
 */
const SCHEMA_HINT =
  ' (the table is older than this version of @idempo/store-postgres: run store.migrate(), or apply sql/schema.sql' +
  ' or the ALTER TABLE under "Upgrading from a table without created_at" in its README)';

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Maps whatever an operation failed with to core's typed store errors: {@link StoreTimeoutError} for timeouts
 * (server-side lock or statement timeouts, pg's connect and read timeouts), {@link StoreUnavailableError} for
 * everything else (refused or lost connections, server errors). The original error is the `cause`.
 */
export function toStoreError(operation: string, error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const code = sqlState(error);
  const message = `PostgresStore ${operation} failed: ${messageOf(error)}${code === '42703' ? SCHEMA_HINT : ''}`;
  const timedOut =
    (code !== undefined && TIMEOUT_SQLSTATES.has(code)) ||
    TIMEOUT_MESSAGES.some((pattern) => pattern.test(messageOf(error)));
  return timedOut
    ? new StoreTimeoutError(message, { cause: error })
    : new StoreUnavailableError(message, { cause: error });
}
