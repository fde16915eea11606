/**
 * `@idempo/store-postgres`: the PostgreSQL store of idempo, over a `pg` Pool you own. One statement per
 * operation, expiry decided by the database clock, typed errors within a bounded time, and its migration
 * (`migrate()`, or `sql/schema.sql` for your own migration tool).
 *
 * @packageDocumentation
 */
export { DEFAULT_TIMEOUT_MS, type PostgresStoreOptions } from './options.js';
export type { PostgresPool, PostgresPoolClient, PostgresQueryConfig, PostgresQueryResult } from './pool.js';
export {
  type CleanupOptions,
  DEFAULT_CLEANUP_BATCH_SIZE,
  DEFAULT_MIGRATE_TIMEOUT_MS,
  type MigrateOptions,
  PostgresStore,
} from './postgres-store.js';
export { DEFAULT_SCHEMA, DEFAULT_TABLE, type SchemaNames, schemaSql } from './schema.js';
