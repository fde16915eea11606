import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionsError, StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore, schemaSql } from '../src/index.js';
import { MIGRATION_LOCK_KEY, migration } from '../src/statements.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';
import { type PrivateCluster, postgresBinaries, startPrivateCluster } from './helpers/private-cluster.js';

const SHIPPED = new URL('../sql/schema.sql', import.meta.url);
const LONG = 60_000;
const bytes = (text: string) => new TextEncoder().encode(text);

/** The DDL of the previous version (before `created_at`), as it shipped: what an existing deployment has. */
function previousDdl(schema: string, table: string): string {
  const qualified = `"${schema}"."${table}"`;
  return `CREATE TABLE IF NOT EXISTS ${qualified} (
  "key" text COLLATE "C" NOT NULL,
  "fingerprint" text NOT NULL,
  "token" text NOT NULL,
  "state" text NOT NULL,
  "response" bytea,
  "lease_expires_at" timestamptz NOT NULL,
  "expires_at" timestamptz NOT NULL,
  CONSTRAINT "${table}_pkey" PRIMARY KEY ("key"),
  CONSTRAINT "${table}_state_check" CHECK ("state" IN ('in-flight', 'completed')),
  CONSTRAINT "${table}_response_check" CHECK (("state" = 'completed') = ("response" IS NOT NULL))
) WITH (fillfactor = 90);
CREATE INDEX IF NOT EXISTS "${table}_expires_at_idx" ON ${qualified} ("expires_at");
`;
}

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
      'created_at timestamp with time zone',
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

describe('migrate() on a table created by the previous version (no created_at)', () => {
  const table = 'previous';
  const relation = () => `"${db.schema}"."${table}"`;
  let store: PostgresStore;
  beforeAll(async () => {
    await db.admin.query(previousDdl(db.schema, table));
    // Rows the previous store wrote: one in flight (its holder still running), one completed.
    await db.admin.query(
      `INSERT INTO ${relation()} ("key", "fingerprint", "token", "state", "response", "lease_expires_at", "expires_at")
       VALUES ('old:running', 'fp-run', 'old-token', 'in-flight', NULL, now() + interval '1 minute', now() + interval '1 hour'),
              ('old:done', 'fp-done', 'done-token', 'completed', '\\x00ff01'::bytea, now() - interval '1 minute', now() + interval '1 hour')`,
    );
    store = new PostgresStore({ pool: db.pool(), schema: db.schema, table });
  });

  it('before migrate(), the new store cannot reserve on it (the column is missing): migrate first', async () => {
    const error = await store.reserve('old:early', 'fp', LONG, LONG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as { cause: { code: string } }).cause.code).toBe('42703');
    expect((error as Error).message).toMatch(/older than this version .*run store\.migrate\(\)/);
  });

  it('migrate() adds the column, and the table is then the one a fresh migrate() builds', async () => {
    await store.migrate();
    await store.migrate();
    const fresh = new PostgresStore({ pool: db.pool(), schema: db.schema, table: 'fresh' });
    await fresh.migrate();
    const upgraded = await describeTable(db.admin, db.schema, table);
    const created = await describeTable(db.admin, db.schema, 'fresh');
    expect(JSON.stringify(upgraded).replaceAll(table, 'fresh')).toBe(JSON.stringify(created));
    expect(upgraded.columns.map((c) => c.attname)).toContain('created_at');
  });

  it('get() returns the old rows with createdAt undefined, and reserve, complete and stats keep working on them', async () => {
    const running = await store.get('old:running');
    expect(running).toMatchObject({ state: 'in-flight', fingerprint: 'fp-run', createdAt: undefined });
    expect(running?.leaseExpiresAt).toBeInstanceOf(Date);
    const done = await store.get('old:done');
    expect(done).toMatchObject({ state: 'completed', fingerprint: 'fp-done', createdAt: undefined });
    expect(done?.leaseExpiresAt).toBeUndefined();
    expect([...(done?.response ?? [])]).toEqual([0, 255, 1]);
    expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 1 });

    // The old holder is still running: a retry gets in flight, and the holder completes with its old token.
    expect(await store.reserve('old:running', 'fp-run', LONG, LONG)).toMatchObject({ state: 'in-flight' });
    expect(await store.complete('old:running', 'old-token', bytes('late'), LONG)).toBe(true);
    const replay = await store.reserve('old:running', 'fp-run', LONG, LONG);
    expect(replay.kind === 'existing' && replay.state === 'completed' && [...replay.response]).toEqual([
      ...bytes('late'),
    ]);
    expect((await store.get('old:running'))?.createdAt).toBeUndefined();
    expect(await store.reserve('old:done', 'fp-done', LONG, LONG)).toMatchObject({ state: 'completed' });

    // New rows carry createdAt.
    expect((await store.reserve('new:a', 'fp', LONG, LONG)).kind).toBe('reserved');
    expect((await store.get('new:a'))?.createdAt).toBeInstanceOf(Date);
    expect(await store.delete('old:done')).toBe('deleted');
    expect(await store.stats()).toEqual({ inFlight: 1, leaseExpired: 0, completed: 1 });
  });

  it('after migrate(), a row written the previous way (its INSERT names the old columns) reads with createdAt undefined', async () => {
    await db.admin.query(
      `INSERT INTO ${relation()} ("key", "fingerprint", "token", "state", "response", "lease_expires_at", "expires_at")
       VALUES ('old:after', 'fp', 'old-token', 'in-flight', NULL, now() + interval '1 minute', now() + interval '1 hour')`,
    );
    expect(await store.get('old:after')).toMatchObject({ state: 'in-flight', createdAt: undefined });
    expect(await store.release('old:after', 'old-token')).toBe(true);
  });

  it('migrate() on a table that has the column takes no ACCESS EXCLUSIVE lock: a long reader does not block it (a bare ALTER TABLE would)', async () => {
    const reader = await db.admin.connect();
    try {
      await reader.query('BEGIN');
      await reader.query(`SELECT count(*) FROM ${relation()}`);
      const started = performance.now();
      await store.migrate({ timeoutMs: 2_000 });
      expect(performance.now() - started).toBeLessThan(1_500);
      // For contrast: ALTER TABLE ... ADD COLUMN IF NOT EXISTS on the existing column waits for the reader.
      const other = await db.pool({ max: 1 }).connect();
      try {
        await other.query("SET lock_timeout = '200ms'");
        await expect(
          other.query(`ALTER TABLE ${relation()} ADD COLUMN IF NOT EXISTS "created_at" timestamptz`),
        ).rejects.toMatchObject({ code: '55P03' });
      } finally {
        other.release(true);
      }
    } finally {
      await reader.query('COMMIT');
      reader.release();
    }
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
      await admin.query('CREATE DATABASE from_previous');
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

    /** Runs `text` on `database` of the cluster. */
    async function onDatabase(database: string, text: string): Promise<void> {
      const pool = new pg.Pool({ connectionString: url(database), max: 1 });
      try {
        await pool.query(text);
      } finally {
        await pool.end();
      }
    }

    it("psql -f sql/schema.sql (twice), migrate() (twice), and migrate() over the previous version's table dump identically", async () => {
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
      await onDatabase('from_previous', previousDdl('public', 'idempo_records'));
      await onDatabase('from_previous', migration(schemaSql()));
      const fromFile = dump('from_file');
      expect(fromFile).toContain('CREATE TABLE public.idempo_records');
      expect(fromFile).toContain('created_at timestamp with time zone');
      expect(dump('from_migrate')).toBe(fromFile);
      expect(dump('from_previous')).toBe(fromFile);
    });
  },
);
