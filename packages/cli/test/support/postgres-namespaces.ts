/**
 * PostgresStores on the shared PostgreSQL (DATABASE_URL, default postgres@127.0.0.1:5432/postgres) in a schema
 * of this test file's own, one table per namespace (a test's stats count only its own rows); `cleanup` drops
 * the schema (nothing else).
 */
import { randomBytes } from 'node:crypto';
import { PostgresStore } from '@idempo/store-postgres';
import pg from 'pg';

/** The PostgreSQL server of the tests. */
export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A migrated store in a fresh table, and its names. */
export interface PostgresNamespace {
  readonly store: PostgresStore;
  readonly schema: string;
  readonly table: string;
}

/** Creates the schema; `namespace()` gives a store over a new table; `cleanup()` drops the schema. */
export async function postgresNamespaces(label: string) {
  const schema = `idempo_cli_test_${label}_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4, application_name: `${schema}` });
  pool.on('error', () => {});
  await pool.query(`CREATE SCHEMA "${schema}"`);
  let tables = 0;
  return {
    pool,
    schema,
    async namespace(): Promise<PostgresNamespace> {
      const table = `records_${++tables}`;
      const store = new PostgresStore({ pool, schema, table });
      await store.migrate();
      return { store, schema, table };
    },
    async cleanup(): Promise<void> {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
