// Where reserve + complete spend their time on the server: runs the bench's store workload and its floor
// sequentially against DATABASE_URL (a cluster with pg_stat_statements), then prints each statement's mean
// planning and execution time, WAL and blocks. Usage: node scripts/profile-statements.mjs [ops]
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../dist/index.js';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ops = Number(process.argv[2] ?? 3000);
const pool = new pg.Pool({ connectionString: url, max: 4 });
const table = `prof_${randomUUID().replaceAll('-', '')}`;
const floor = `floor_${randomUUID().replaceAll('-', '')}`;
const store = new PostgresStore({ pool, table });
await store.migrate();
await pool.query(`CREATE TABLE public.${floor} ("key" text COLLATE "C" PRIMARY KEY, "fingerprint" text NOT NULL,
  "token" text NOT NULL, "state" text NOT NULL, "response" bytea, "lease_expires_at" timestamptz NOT NULL,
  "expires_at" timestamptz NOT NULL, "created_at" timestamptz)`);
if (process.env.FLOOR_INDEX) await pool.query(`CREATE INDEX ON public.${floor} ("expires_at")`);
const fp = randomBytes(32).toString('base64url');
const response = randomBytes(200);
const prefix = randomBytes(24).toString('base64url').slice(0, 31);
await pool.query('SELECT pg_stat_statements_reset()');
let t = performance.now();
for (let i = 0; i < ops; i++) {
  const key = prefix + i.toString(36).padStart(12, '0');
  const r = await store.reserve(key, fp, 30000, 86400000, { deadline: Date.now() + 5000 });
  await store.complete(key, r.token, response, 86400000, { deadline: Date.now() + 5000 });
}
const storeUs = ((performance.now() - t) / ops) * 1000;
t = performance.now();
for (let i = 0; i < ops; i++) {
  const key = prefix + i.toString(36).padStart(12, '0');
  await pool.query({
    name: `${floor}_i`,
    text: `INSERT INTO public.${floor} VALUES ($1, $2, $3, 'in-flight', NULL, now() + $4::float8 * interval '1 millisecond', now() + $5::float8 * interval '1 millisecond', now())`,
    values: [key, fp, randomUUID(), '30000', '86400000'],
  });
  await pool.query({
    name: `${floor}_u`,
    text: `UPDATE public.${floor} SET "state" = 'completed', "response" = $2, "expires_at" = now() + $3::float8 * interval '1 millisecond' WHERE "key" = $1`,
    values: [key, response, '86400000'],
  });
}
const floorUs = ((performance.now() - t) / ops) * 1000;
const { rows } =
  await pool.query(`SELECT calls, plans, round(total_plan_time::numeric * 1000 / calls, 1) AS plan_us_per_call, round(mean_plan_time::numeric * 1000, 1) AS plan_us,
  round(mean_exec_time::numeric * 1000, 1) AS exec_us, round(wal_bytes::numeric / calls) AS wal_b,
  round(wal_records::numeric / calls, 2) AS wal_rec, round(shared_blks_hit::numeric / calls, 1) AS hit,
  left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS q
  FROM pg_stat_statements WHERE calls >= ${ops} - 10 ORDER BY query`);
console.table(rows);
console.log(`client wall per op: store ${storeUs.toFixed(0)} us, floor ${floorUs.toFixed(0)} us`);
await pool.query(`DROP TABLE public.${table}; DROP TABLE public.${floor}`);
await pool.end();
