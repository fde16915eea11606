/**
 * The conformance suite over the shared Redis (127.0.0.1:6379, a random prefix deleted afterwards) and the
 * shared PostgreSQL (127.0.0.1:5432, a fresh schema dropped afterwards): real servers, never mocks.
 */
import { randomBytes } from 'node:crypto';
import { PostgresStore } from '@idempo/store-postgres';
import { RedisStore } from '@idempo/store-redis';
import { adapterSuite } from '@idempo/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { startExpressApp } from './support/express-app.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
const prefix = `idempo-test:express:${run}:`;
const schema = `idempo_test_express_${run}`;

let redis: Redis | undefined;
let pool: pg.Pool | undefined;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: 10,
    application_name: `idempo-test-express-${run}`,
  });
  pool.on('error', () => {});
  await pool.query(`CREATE SCHEMA "${schema}"`);
  await new PostgresStore({ pool, schema }).migrate();
});

afterAll(async () => {
  if (redis) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
  if (pool) {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
});

const redisStore = () => new RedisStore({ client: redis as Redis, prefix });
const postgresStore = () => new PostgresStore({ pool: pool as pg.Pool, schema });

adapterSuite(
  'express 5 + express.json({ verify: keepRawBody }) (RedisStore)',
  (options) => startExpressApp(options, { rawBody: true }),
  { store: redisStore },
);
adapterSuite(
  'express 4 + express.json() (RedisStore)',
  (options) => startExpressApp(options, { express: 4 }),
  { store: redisStore },
);
adapterSuite(
  'express 5, no body parser (PostgresStore)',
  (options) => startExpressApp(options, { bodyParser: false }),
  { store: postgresStore },
);
adapterSuite(
  'express 4, no body parser (PostgresStore)',
  (options) => startExpressApp(options, { express: 4, bodyParser: false }),
  { store: postgresStore },
);
