/** Opens a PostgresStore for one command: a pool of one connection, ended when the command is done. */
import { PostgresStore } from '@idempo/store-postgres';
import pg from 'pg';
import { describeTarget } from './describe-target.js';
import type { OpenedStore, PostgresTarget } from './store-target.js';

/**
 * Makes the store over a new pool (it connects on the first operation, bounded by `timeoutMs` like the
 * operation itself). Never creates the table: a missing one is reported by the first operation.
 */
export function openPostgres(target: PostgresTarget): OpenedStore {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 1,
    connectionTimeoutMillis: target.timeoutMs,
    application_name: 'idempo-cli',
  });
  // A connection the server terminates while idle emits 'error' on the pool; the next operation reports it.
  pool.on('error', () => {});
  let store: PostgresStore;
  try {
    store = new PostgresStore({
      pool,
      schema: target.schema,
      table: target.table,
      timeoutMs: target.timeoutMs,
      // One statement each, run once: preparing them would cost a round trip for nothing.
      preparedStatements: false,
    });
  } catch (error) {
    void pool.end();
    throw error;
  }
  return {
    store,
    description: describeTarget(target),
    locate: (storageKey) => `row of ${store.table} where key = '${storageKey}'`,
    async close() {
      await store.close();
      await pool.end().catch(() => {});
    },
  };
}
