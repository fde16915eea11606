/**
 * PostgresStore against the PostgreSQL at `DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/postgres),
 * with its floor: two `SELECT 1` through the same kind of pool, the round trips one reserve + complete cannot
 * avoid. Each repetition gets its own pool and a fresh table, dropped afterwards.
 */
import type { IdempotencyStore } from '@idempo/core';
import { PostgresStore } from '@idempo/store-postgres';
import pg from 'pg';
import { closingAlso, type StoreTarget } from './store-target.js';

const connectionString = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Enough connections for 64 operations in flight to queue on the pool, the same for the store and its floor. */
const POOL_SIZE = 16;

function connect(): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: POOL_SIZE, application_name: 'idempo-bench' });
  pool.on('error', () => undefined); // an idle connection the server closed: the pool replaces it
  return pool;
}

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
    // Warm every pooled connection, as a long-running service would have them.
    await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.query('SELECT 1')));
    return closingAlso(store, async () => {
      await pool.query(`DROP TABLE IF EXISTS public.${table}`);
      await pool.end();
    });
  },
  floor: {
    description: '2x SELECT 1',
    async open() {
      const pool = connect();
      await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.query('SELECT 1')));
      return {
        async run() {
          await pool.query('SELECT 1');
          await pool.query('SELECT 1');
        },
        async close() {
          await pool.end();
        },
      };
    },
  },
};
