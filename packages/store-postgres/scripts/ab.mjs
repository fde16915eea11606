// A/B of reserve + complete against its floor (two committed writes: INSERT, then UPDATE, as in
// apps/bench/src/postgres-target.ts), in one process: the variants run in turn, round after round, at each
// concurrency, on a fresh table and pool each time. Usage:
//   node scripts/ab.mjs --rounds 8 --ms 1500 --concurrency 1,64 floor ./dist/index.js /path/to/other/index.js
// A variant is `floor` or the path of a build of this package (its PostgresStore is used).
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string' }, ms: { type: 'string' }, concurrency: { type: 'string' } },
});
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rounds = Number(values.rounds ?? 8);
const ms = Number(values.ms ?? 1500);
const concurrencies = (values.concurrency ?? '1,64').split(',').map(Number);
const POOL = 16;
const LEASE = 30_000;
const TTL = 86_400_000;
const fp = randomBytes(32).toString('base64url');
const response = new Uint8Array(randomBytes(200));

const connect = async () => {
  const pool = new pg.Pool({ connectionString: url, max: POOL });
  pool.on('error', () => {});
  await Promise.all(Array.from({ length: POOL }, () => pool.query('SELECT 1')));
  return pool;
};
const keys = () => {
  const prefix = randomBytes(43).toString('base64url').slice(0, 31);
  return (i) => prefix + i.toString(36).padStart(12, '0');
};

async function openFloor(indexed) {
  const pool = await connect();
  const table = `ab_floor_${randomUUID().replaceAll('-', '')}`;
  await pool.query(`CREATE TABLE public.${table} ("key" text COLLATE "C" PRIMARY KEY, "fingerprint" text NOT NULL,
    "token" text NOT NULL, "state" text NOT NULL, "response" bytea, "lease_expires_at" timestamptz NOT NULL,
    "expires_at" timestamptz NOT NULL, "created_at" timestamptz)`);
  // floor-idx: with the store's expiry index, which makes the completing UPDATE non-HOT.
  if (indexed) await pool.query(`CREATE INDEX ON public.${table} ("expires_at")`);
  const insert = `INSERT INTO public.${table} VALUES ($1, $2, $3, 'in-flight', NULL,
    now() + $4::float8 * interval '1 millisecond', now() + $5::float8 * interval '1 millisecond', now())`;
  const update = `UPDATE public.${table} SET "state" = 'completed', "response" = $2,
    "expires_at" = now() + $3::float8 * interval '1 millisecond' WHERE "key" = $1`;
  return {
    async run(key) {
      await pool.query({ name: `${table}_i`, text: insert, values: [key, fp, randomUUID(), LEASE, TTL] });
      await pool.query({ name: `${table}_u`, text: update, values: [key, Buffer.from(response), TTL] });
    },
    async close() {
      await pool.query(`DROP TABLE public.${table}`);
      await pool.end();
    },
  };
}

async function openStore(PostgresStore) {
  const pool = await connect();
  const table = `ab_store_${randomUUID().replaceAll('-', '')}`;
  const store = new PostgresStore({ pool, table });
  await store.migrate();
  return {
    async run(key) {
      // As core calls it: with a deadline 5 s out (storeTimeoutMs).
      const r = await store.reserve(key, fp, LEASE, TTL, { deadline: Date.now() + 5000 });
      if (r.kind !== 'reserved') throw new Error('not reserved');
      if (!(await store.complete(key, r.token, response, TTL, { deadline: Date.now() + 5000 })))
        throw new Error('not completed');
    },
    async close() {
      await store.close();
      await pool.query(`DROP TABLE public.${table}`);
      await pool.end();
    },
  };
}

// raw:<build>: the build's own reserve and complete statements, sent straight through pool.query (no store code):
// what the SQL costs without the JavaScript around it.
async function openRaw(PostgresStore) {
  const pool = await connect();
  const table = `ab_raw_${randomUUID().replaceAll('-', '')}`;
  const seen = {};
  const capture = {
    async connect() {
      const client = await pool.connect();
      return {
        query(config) {
          seen[config.values?.length === 6 ? 'reserve' : 'complete'] = config;
          return client.query(config);
        },
        release: (d) => client.release(d),
        on: (e, l) => client.on(e, l),
        removeListener: (e, l) => client.removeListener(e, l),
      };
    },
  };
  const store = new PostgresStore({ pool: capture, table });
  await store.migrate();
  const r = await store.reserve('capture', fp, LEASE, TTL, { deadline: Date.now() + 5000 });
  await store.complete('capture', r.token, response, TTL, { deadline: Date.now() + 5000 });
  const { reserve, complete } = seen;
  return {
    async run(key) {
      const token = randomUUID();
      const rr = await pool.query({ ...reserve, values: [key, fp, token, LEASE, TTL, '4000'] });
      if (!rr.rows[0]?.owned) throw new Error('not reserved');
      const c = await pool.query({ ...complete, values: [key, token, Buffer.from(response), TTL, '4000'] });
      if (c.rowCount !== 1) throw new Error('not completed');
    },
    async close() {
      await pool.query(`DROP TABLE public.${table}`);
      await pool.end();
    },
  };
}

const variants = [];
const cpuPerOp = new Map();
const withCpu = (open) => {
  cpuPerOp.set(open, []);
  return open;
};
for (const name of positionals) {
  if (name === 'floor' || name === 'floor-idx')
    variants.push({ name, open: withCpu(() => openFloor(name === 'floor-idx')) });
  else if (name.startsWith('raw:')) {
    const { PostgresStore } = await import(pathToFileURL(resolve(name.slice(4))).href);
    variants.push({ name, open: withCpu(() => openRaw(PostgresStore)) });
  } else {
    const { PostgresStore } = await import(pathToFileURL(resolve(name)).href);
    variants.push({ name, open: withCpu(() => openStore(PostgresStore)) });
  }
}

async function drive(open, concurrency) {
  const w = await open();
  const keyOf = keys();
  let next = 0;
  let done = 0;
  const warm = performance.now() + 200;
  const worker = async (until) => {
    while (performance.now() < until) {
      await w.run(keyOf(next++));
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker(warm)));
  done = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => worker(started + ms)));
  const rate = done / ((performance.now() - started) / 1000);
  const used = process.cpuUsage(cpu);
  cpuPerOp.get(open).push((used.user + used.system) / done);
  await w.close();
  return rate;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(`${new Date().toISOString()} ${url.replace(/\/\/.*@/, '//')} rounds ${rounds} x ${ms} ms`);
for (const c of concurrencies) {
  const samples = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order every round, so that neither side always runs first.
    const order = variants.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) samples[i].push(await drive(variants[i].open, c));
  }
  const base = median(samples[0]);
  for (const [i, v] of variants.entries()) {
    const s = samples[i];
    const ratios = s.map((x, r) => x / samples[0][r]);
    console.log(
      `${c} in flight  ${v.name.padEnd(28)} median ${median(s).toFixed(0).padStart(6)} ops/s (${Math.min(...s).toFixed(0)}-${Math.max(...s).toFixed(0)})  vs ${variants[0].name}: ${(median(s) / base).toFixed(3)} (per-round ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})  client CPU ${median(cpuPerOp.get(v.open).splice(0)).toFixed(0)} us/op`,
    );
  }
}
