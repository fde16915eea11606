// One process of the multi-process race (test/race.test.ts): its own pg Pool and PostgresStore over the built
// package. It waits for the parent's commands and answers each with what every reserve returned.
import pg from 'pg';
import { PostgresStore } from '../../dist/index.js';

const { DATABASE_URL, RACE_SCHEMA, RACE_APP, RACE_WORKER } = process.env;
const id = Number(RACE_WORKER);
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4, application_name: RACE_APP });
pool.on('error', () => {});
const store = new PostgresStore({ pool, schema: RACE_SCHEMA, timeoutMs: 15_000 });
const encoder = new TextEncoder();

/** One reserve, reported as plain data (a Buffer does not survive the IPC channel as bytes). */
async function reserve(key, fingerprint, leaseMs, ttlMs) {
  const result = await store.reserve(key, fingerprint, leaseMs, ttlMs);
  return {
    key,
    worker: id,
    fingerprint,
    kind: result.kind,
    token: result.kind === 'reserved' ? result.token : undefined,
    state: result.kind === 'existing' ? result.state : undefined,
    seen: result.kind === 'existing' ? result.fingerprint : undefined,
    response:
      result.kind === 'existing' && result.state === 'completed'
        ? Buffer.from(result.response).toString('hex')
        : undefined,
  };
}

process.on('message', async (message) => {
  try {
    if (message.type === 'round') {
      const { keys, perKey, leaseMs, ttlMs, completeWins } = message;
      const calls = [];
      for (const key of keys) {
        for (let i = 0; i < perKey; i++) calls.push(reserve(key, `w${id}-${i}`, leaseMs, ttlMs));
      }
      const results = await Promise.all(calls);
      if (completeWins) {
        for (const r of results) {
          if (r.kind !== 'reserved') continue;
          r.completed = await store.complete(
            r.key,
            r.token,
            encoder.encode(`won by ${r.fingerprint}`),
            ttlMs,
          );
        }
      }
      process.send({ type: 'results', results });
    } else if (message.type === 'stop') {
      await store.close();
      await pool.end();
      process.exit(0);
    }
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) });
  }
});

// Open the pool's connections before the race, so that the rounds race on statements, not on connecting.
const warm = await Promise.all(Array.from({ length: 4 }, () => pool.connect()));
for (const client of warm) client.release();
process.send({ type: 'ready' });
