import { InvalidOptionsError } from '@idempo/core';
import { positiveIntegerOption, requireOptionsObject } from '@idempo/core/store';
import { checkSchema, checkTable } from './identifiers.js';
import type { PostgresPool } from './pool.js';
import { DEFAULT_SCHEMA, DEFAULT_TABLE } from './schema.js';

/** Default of {@link PostgresStoreOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 2_000;

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The `pg` `Pool` to run statements on (required). It stays yours: the store never ends it, `close()`
   * included. A small pool of its own (e.g. `max: 10`, `keepAlive: true`) keeps idempo's statements from queueing
   * behind the application's.
   */
  readonly pool: PostgresPool;
  /** The records table (ASCII letters, digits, `_`; at most 48 characters). Default `'idempo_records'`. */
  readonly table?: string | undefined;
  /** The table's schema, which must exist (same rules; at most 63 characters). Default `'public'`. */
  readonly schema?: string | undefined;
  /**
   * Bound in milliseconds of each of the calls core never makes (`get`, `delete`, `stats`, each batch of
   * `cleanup`), from the call to the answer: waiting for a pooled connection, connecting, the round trip and the
   * server's work, lock waits included. Past it the call rejects with `StoreTimeoutError`. `reserve`, `complete`,
   * `release` and `extend` are bounded by core (`storeTimeoutMs`), which passes their deadline on. Default `2000`.
   */
  readonly timeoutMs?: number | undefined;
  /**
   * Send each statement as a named prepared statement, parsed and planned once per connection instead of on
   * every call. Turn it off behind a pooler that cannot carry prepared statements across transactions (PgBouncer
   * before 1.21 in transaction mode). Default `true`.
   */
  readonly preparedStatements?: boolean | undefined;
}

/** {@link PostgresStoreOptions} validated, with defaults applied. */
export interface ResolvedPostgresStoreOptions {
  readonly pool: PostgresPool;
  readonly table: string;
  readonly schema: string;
  readonly timeoutMs: number;
  readonly preparedStatements: boolean;
}

/** Validates the options once; throws `InvalidOptionsError` for a bad one. */
export function resolvePostgresStoreOptions(options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  requireOptionsObject('PostgresStore', options, '{ pool }');
  const { pool } = options;
  if (typeof pool !== 'object' || pool === null || typeof pool.connect !== 'function') {
    throw new InvalidOptionsError('PostgresStore: pool must be a pg Pool (an object with connect())');
  }
  const timeoutMs = positiveIntegerOption(
    'PostgresStore',
    'timeoutMs',
    options.timeoutMs,
    DEFAULT_TIMEOUT_MS,
  );
  const preparedStatements = options.preparedStatements ?? true;
  if (typeof preparedStatements !== 'boolean') {
    throw new InvalidOptionsError('PostgresStore: preparedStatements must be a boolean');
  }
  return {
    pool,
    table: checkTable(options.table ?? DEFAULT_TABLE),
    schema: checkSchema(options.schema ?? DEFAULT_SCHEMA),
    timeoutMs,
    preparedStatements,
  };
}
