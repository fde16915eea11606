/**
 * PostgresStore against the PostgreSQL at `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/postgres),
 * with its floor: the two committed single-row writes one reserve + complete cannot avoid, through the same kind
 * of pool. Each repetition gets its own pool and a fresh table, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { IdempotencyStore } from '@idempo/core';
import { DEFAULTS } from '@idempo/core';
import { PostgresStore, schemaSql } from '@idempo/store-postgres';
import pg from 'pg';
import { closingAlso, type StoreTarget } from './store-target.js';
import { uniqueKeys } from './unique-keys.js';

const connectionString = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Enough connections for 64 operations in flight to queue on the pool, the same for the store and its floor. */
const POOL_SIZE = 16;

function connect(): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: POOL_SIZE, application_name: 'idempo-bench' });
  pool.on('error', () => undefined); // an idle connection the server closed: the pool replaces it
  return pool;
}

async function warm(pool: pg.Pool): Promise<void> {
  // Warm every pooled connection, as a long-running service would have them.
  await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.query('SELECT 1')));
}

/** The sizes of what the store workload writes: a 43-character key and fingerprint, a UUID token, 200 bytes. */
const FINGERPRINT = randomBytes(32).toString('base64url');
const RESPONSE = randomBytes(200);

/** The PostgreSQL target. */
export const postgresTarget: StoreTarget = {
  name: 'postgres',
  async available() {
    const pool = connect();
    try {
      await pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await pool.end();
    }
  },
  async makeStore(): Promise<IdempotencyStore> {
    const pool = connect();
    const table = `idempo_bench_${crypto.randomUUID().replaceAll('-', '')}`;
    const store = new PostgresStore({ pool, table });
    await store.migrate();
    await warm(pool);
    return closingAlso(store, async () => {
      await pool.query(`DROP TABLE IF EXISTS public.${table}`);
      await pool.end();
    });
  },
  floor: {
    // Two single-statement transactions, each committed as the server's synchronous_commit has it: an INSERT of
    // an in-flight row of the store's size, then the UPDATE that completes it (200-byte response), by primary key,
    // as named prepared statements on a pool of the same size as the store's. The table is the store's own DDL
    // (schemaSql: primary key, expiry index, checks): the expiry index is part of what the contract needs
    // (cleanup without a full scan), and it makes the completing UPDATE a non-HOT one, two index entries more.
    description: '2 commits: INSERT + UPDATE',
    async open() {
      const pool = connect();
      const table = `idempo_floor_${crypto.randomUUID().replaceAll('-', '')}`;
      await pool.query(schemaSql({ table }));
      await warm(pool);
      const keyOf = uniqueKeys();
      let next = 0;
      const lease = String(DEFAULTS.leaseMs);
      const ttl = String(DEFAULTS.ttlMs);
      const insert = {
        name: `${table}_insert`,
        text: `INSERT INTO public.${table} VALUES ($1, $2, $3, 'in-flight', NULL,
          now() + $4::float8 * interval '1 millisecond', now() + $5::float8 * interval '1 millisecond', now())`,
      };
      const update = {
        name: `${table}_update`,
        text: `UPDATE public.${table} SET "state" = 'completed', "response" = $2,
          "expires_at" = now() + $3::float8 * interval '1 millisecond' WHERE "key" = $1`,
      };
      return {
        async run() {
          const key = keyOf(next++);
          await pool.query({ ...insert, values: [key, FINGERPRINT, crypto.randomUUID(), lease, ttl] });
          const updated = await pool.query({ ...update, values: [key, RESPONSE, ttl] });
          if (updated.rowCount !== 1) throw new Error('postgres floor: the UPDATE found no row');
        },
        async close() {
          await pool.query(`DROP TABLE IF EXISTS public.${table}`);
          await pool.end();
        },
      };
    },
  },
};
