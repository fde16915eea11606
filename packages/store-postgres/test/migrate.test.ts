import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionsError, StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore, schemaSql } from '../src/index.js';
import { MIGRATION_LOCK_KEY } from '../src/statements.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';
import { type PrivateCluster, postgresBinaries, startPrivateCluster } from './helpers/private-cluster.js';

const SHIPPED = new URL('../sql/schema.sql', import.meta.url);

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('migrate');
});
afterAll(() => db?.drop());

/** Columns, constraints and indexes of a table, as the catalog describes them. */
async function describeTable(pool: pg.Pool, schema: string, table: string) {
  const relation = `"${schema}"."${table}"`;
  const columns = await pool.query(
    `SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull, collname
     FROM pg_attribute LEFT JOIN pg_collation c ON c.oid = attcollation AND attcollation <> 100
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [relation],
  );
  const constraints = await pool.query(
    `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY conname`,
    [relation],
  );
  const indexes = await pool.query(
    `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index
     WHERE indrelid = $1::regclass ORDER BY 1`,
    [relation],
  );
  const options = await pool.query('SELECT reloptions FROM pg_class WHERE oid = $1::regclass', [relation]);
  return {
    columns: columns.rows,
    constraints: constraints.rows,
    indexes: indexes.rows,
    options: options.rows,
  };
}

describe('migrate()', () => {
  it('creates the table and its index, and is idempotent', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    await store.migrate();
    await store.migrate();
    const described = await describeTable(db.admin, db.schema, 'idempo_records');
    expect(described.columns.map((c) => `${c.attname} ${c.type}${c.attnotnull ? ' not null' : ''}`)).toEqual([
      'key text not null',
      'fingerprint text not null',
      'token text not null',
      'state text not null',
      'response bytea',
      'lease_expires_at timestamp with time zone not null',
      'expires_at timestamp with time zone not null',
    ]);
    expect(described.columns[0]?.collname).toBe('C');
    expect(described.indexes.map((i) => i.def)).toEqual([
      expect.stringContaining('idempo_records_expires_at_idx ON'),
      expect.stringContaining('idempo_records_pkey ON'),
    ]);
    expect(described.options[0]?.reloptions).toEqual(['fillfactor=90']);
  });

  it('is safe when many instances run it at once on a new table (advisory lock)', async () => {
    const stores = Array.from(
      { length: 8 },
      () => new PostgresStore({ pool: db.pool({ max: 1 }), schema: db.schema, table: 'concurrent' }),
    );
    await expect(Promise.all(stores.map((s) => s.migrate()))).resolves.toHaveLength(8);
    const again = Array.from(
      { length: 8 },
      (_, i) =>
        new PostgresStore({ pool: db.pool({ max: 1 }), schema: db.schema, table: `concurrent_${i % 2}` }),
    );
    await expect(Promise.all(again.map((s) => s.migrate()))).resolves.toHaveLength(8);
  });

  it('quotes custom names, keeping their case, and the store works on them', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema, table: 'Idem_Records_2' });
    await store.migrate();
    const described = await describeTable(db.admin, db.schema, 'Idem_Records_2');
    expect(described.indexes.map((i) => i.name)).toEqual([
      `${db.schema}."Idem_Records_2_expires_at_idx"`,
      `${db.schema}."Idem_Records_2_pkey"`,
    ]);
    expect((await store.reserve('k', 'fp', 1_000, 1_000)).kind).toBe('reserved');
    expect(store.table).toBe(`${db.schema}.Idem_Records_2`);
  });

  it('fails with a typed store error when the schema does not exist', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: `${db.schema}_missing` });
    const error = await store.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error & { cause: { code: string } }).cause.code).toBe('3F000');
  });

  it('waits for a concurrent migration, within its timeoutMs', async () => {
    const holder = await db.admin.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
      const store = new PostgresStore({ pool: db.pool(), schema: db.schema, table: 'blocked' });
      const started = performance.now();
      const error = await store.migrate({ timeoutMs: 500 }).catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(StoreTimeoutError);
      expect(elapsed).toBeLessThan(1_500);
      await holder.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
      await store.migrate({ timeoutMs: 5_000 });
    } finally {
      holder.release();
    }
  });

  it('rejects a bad migrate timeoutMs', async () => {
    const store = new PostgresStore({ pool: db.pool(), schema: db.schema });
    await expect(store.migrate({ timeoutMs: 0 })).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});

describe('sql/schema.sql, the shipped DDL', () => {
  it('is exactly schemaSql() with the default names (regenerate it with `pnpm schema-sql`)', () => {
    expect(readFileSync(SHIPPED, 'utf8')).toBe(schemaSql());
  });

  it('schemaSql() with custom names differs only in the names', () => {
    const custom = schemaSql({ schema: 'app', table: 'keys' });
    expect(custom.replaceAll('"app"', '"public"').replaceAll('keys', 'idempo_records')).toBe(schemaSql());
  });
});

describe.skipIf(!postgresBinaries())(
  'sql/schema.sql and migrate() build the same schema (private cluster)',
  () => {
    let cluster: PrivateCluster;
    let admin: pg.Pool;
    beforeAll(async () => {
      cluster = await startPrivateCluster();
      admin = new pg.Pool({ connectionString: cluster.url, max: 1 });
      await admin.query('CREATE DATABASE from_file');
      await admin.query('CREATE DATABASE from_migrate');
    });
    afterAll(async () => {
      await admin?.end();
      cluster?.destroy();
    });

    const url = (database: string) => `postgres://postgres@127.0.0.1:${cluster.port}/${database}`;
    const bin = (name: string) => join(postgresBinaries() as string, name);
    const dump = (database: string) =>
      execFileSync(bin('pg_dump'), ['--schema-only', '--no-owner', url(database)], { encoding: 'utf8' })
        .split('\n')
        .filter(
          (line) =>
            !line.startsWith('--') && !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'),
        )
        .join('\n');

    it('psql -f sql/schema.sql (twice) and migrate() (twice) dump identically', async () => {
      for (let i = 0; i < 2; i++) {
        execFileSync(
          bin('psql'),
          ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', SHIPPED.pathname, url('from_file')],
          {
            stdio: 'pipe',
          },
        );
      }
      const pool = new pg.Pool({ connectionString: url('from_migrate'), max: 1 });
      try {
        const store = new PostgresStore({ pool });
        await store.migrate();
        await store.migrate();
      } finally {
        await pool.end();
      }
      const fromFile = dump('from_file');
      expect(fromFile).toContain('CREATE TABLE public.idempo_records');
      expect(dump('from_migrate')).toBe(fromFile);
    });
  },
);
