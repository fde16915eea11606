/** The Redis and PostgreSQL stores of the suites: real servers on 127.0.0.1, a fresh prefix or schema per run. */
import { randomBytes } from 'node:crypto';
import { PostgresStore } from '@idempo/store-postgres';
import { RedisStore } from '@idempo/store-redis';
import { Redis } from 'ioredis';
import pg from 'pg';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function runId(): string {
  return `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** Redis stores sharing one prefix per run; `cleanup()` deletes the run's keys and closes the clients. */
export function redisStores(label: string) {
  const prefix = `idempo-test:nest-${label}:${runId()}:`;
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  return {
    make: () => new RedisStore({ client, prefix }),
    cleanup: async () => {
      const admin = new Redis(REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await admin.del(...keys);
        } while (cursor !== '0');
      } finally {
        admin.disconnect();
        client.disconnect();
      }
    },
  };
}

/** PostgreSQL stores in a fresh schema; `cleanup()` drops it and closes the pool. */
export function postgresStores(label: string) {
  const schema = `idempo_nest_${label}_${runId()}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  let migrated: Promise<void> | undefined;
  return {
    make: async () => {
      migrated ??= pool
        .query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
        .then(() => new PostgresStore({ pool, schema }).migrate());
      await migrated;
      return new PostgresStore({ pool, schema });
    },
    cleanup: async () => {
      try {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}
