/**
 * The shared Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432) every machine runs, each under a name of this
 * run only: a random Redis key prefix (its keys deleted afterwards) and a fresh PostgreSQL schema (dropped after).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const unique = () => `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

/** A Redis client and a key prefix no other run uses. */
export interface TestRedis {
  readonly client: Redis;
  readonly prefix: string;
  /** Deletes the run's keys (SCAN, never FLUSH) and closes the client; resolves with how many were deleted. */
  dispose(): Promise<number>;
}

/** Connects to the shared Redis under a fresh prefix. */
export function openRedis(label: string): TestRedis {
  const client = new Redis(REDIS_URL);
  const prefix = `idempo-test:web-${label}:${unique()}:`;
  return {
    client,
    prefix,
    async dispose() {
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) deleted += await client.del(key);
      } while (cursor !== '0');
      await client.quit();
      return deleted;
    },
  };
}

/** A fresh PostgreSQL schema and a pool on it. */
export interface TestPostgres {
  readonly schema: string;
  readonly pool: pg.Pool;
  /** Ends the pool and drops the schema. */
  dispose(): Promise<void>;
}

/** Creates a schema of the run's own on the shared PostgreSQL. */
export async function openPostgres(label: string): Promise<TestPostgres> {
  const schema = `idempo_test_web${label}_${unique()}`;
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  pool.on('error', () => {});
  return {
    schema,
    pool,
    async dispose() {
      await pool.end();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
