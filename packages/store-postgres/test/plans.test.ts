/**
 * The cost of each statement: with the generic plan the prepared statements settle on, every operation reads one
 * row through the primary key, and cleanup finds expired rows through the expiry index. Printed for the README.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { statements } from '../src/statements.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';

let db: TestSchema;
let client: pg.PoolClient;
beforeAll(async () => {
  db = await createTestSchema('plans');
  await new PostgresStore({ pool: db.admin, schema: db.schema }).migrate();
  const table = `"${db.schema}".idempo_records`;
  // 20 000 live records and 100 expired ones.
  await db.admin.query(
    `INSERT INTO ${table} SELECT 'k' || g, 'fp', md5(g::text), 'completed', '\\x00'::bytea,
            now(), now() + CASE WHEN g <= 100 THEN interval '-1 hour' ELSE interval '1 day' END
     FROM generate_series(1, 20000) g`,
  );
  await db.admin.query(`ANALYZE ${table}`);
  client = await db.admin.connect();
  await client.query('SET plan_cache_mode = force_generic_plan');
});
afterAll(async () => {
  client?.release();
  await db?.drop();
});

/** Scans of a plan: "Index Scan using <index>", "Seq Scan on <table>", ... */
function scans(plan: Record<string, unknown>): string[] {
  const node = plan['Node Type'] as string;
  const here =
    node.includes('Scan') && node !== 'CTE Scan' && node !== 'Subquery Scan' && node !== 'Tid Scan'
      ? [`${node}${plan['Index Name'] ? ` using ${plan['Index Name']}` : ''}`]
      : node === 'Tid Scan'
        ? ['Tid Scan']
        : [];
  const children = (plan['Plans'] as Record<string, unknown>[] | undefined) ?? [];
  return [...here, ...children.flatMap(scans)];
}

/** `(a, b)`, or nothing for a statement without parameters. */
const list = (items: string[]) => (items.length === 0 ? '' : `(${items.join(', ')})`);

async function planOf(name: string, text: string, values: unknown[]): Promise<string[]> {
  const types = values.map((v) => (typeof v === 'number' ? 'float8' : Buffer.isBuffer(v) ? 'bytea' : 'text'));
  await client.query(`PREPARE ${name} ${list(types)} AS ${text}`);
  try {
    const literals = values.map((v) =>
      typeof v === 'number' ? String(v) : Buffer.isBuffer(v) ? `'\\x${v.toString('hex')}'` : `'${v}'`,
    );
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}${list(literals)}`);
    const plan = (rows[0] as { 'QUERY PLAN': { Plan: Record<string, unknown> }[] })['QUERY PLAN'][0]?.Plan;
    return scans(plan as Record<string, unknown>);
  } finally {
    await client.query(`DEALLOCATE ${name}`);
  }
}

describe('statement plans (generic, 20 100 rows)', () => {
  it('reserve, complete, release, extend, get and delete each touch one row through the primary key; cleanup uses the expiry index', async () => {
    const sql = statements(db.schema, 'idempo_records');
    const pkey = 'Index Scan using idempo_records_pkey';
    const plans = {
      reserve: await planOf('p_reserve', sql.reserve, ['k500', 'fp', 'tok', 1000, 1000, '100']),
      complete: await planOf('p_complete', sql.complete, ['k500', 'tok', Buffer.from('x'), 1000, '100']),
      release: await planOf('p_release', sql.release, ['k500', 'tok', '100']),
      extend: await planOf('p_extend', sql.extend, ['k500', 'tok', 1000, '100']),
      cleanup: await planOf('p_cleanup', sql.cleanup, [1000]),
      get: await planOf('p_get', sql.get, ['k500']),
      delete: await planOf('p_delete', sql.delete, ['k500', 'false', '100']),
    };
    console.info(
      Object.entries(plans)
        .map(([op, s]) => `${op}: ${s.join(', ')}`)
        .join('\n'),
    );
    expect(plans.reserve).toEqual([pkey]);
    expect(plans.complete).toEqual([pkey]);
    expect(plans.release).toEqual([pkey]);
    expect(plans.extend).toEqual([pkey]);
    expect(plans.get).toEqual([pkey]);
    // The lock of the row, then the delete of its newest version: the same row through the primary key, twice.
    expect(plans.delete).toEqual([pkey, pkey]);
    expect(plans.cleanup).toContain('Tid Scan');
    expect(plans.cleanup).toContain('Index Scan using idempo_records_expires_at_idx');
    for (const s of Object.values(plans)) expect(s.some((scan) => scan.startsWith('Seq Scan'))).toBe(false);
  });
});

describe('the plan of stats', () => {
  it('reads the live rows through the expiry index when most rows are dead (cleanup not run), and no dead row', async () => {
    const table = 'mostly_dead';
    await new PostgresStore({ pool: db.admin, schema: db.schema, table }).migrate();
    // 20 000 records past retention that no cleanup has deleted, and 100 live ones.
    await db.admin.query(
      `INSERT INTO "${db.schema}".${table} SELECT 'k' || g, 'fp', md5(g::text), 'completed', '\\x00'::bytea,
              now(), now() + CASE WHEN g <= 20000 THEN interval '-1 hour' ELSE interval '1 day' END
       FROM generate_series(1, 20100) g`,
    );
    await db.admin.query(`ANALYZE "${db.schema}".${table}`);
    const dead = await planOf('p_stats_dead', statements(db.schema, table).stats, []);
    const live = await planOf('p_stats_live', statements(db.schema, 'idempo_records').stats, []);
    console.info(
      `stats, 20 000 dead rows and 100 live: ${dead.join(', ')}\nstats, 100 dead rows and 20 000 live: ${live.join(', ')}`,
    );
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatch(new RegExp(`^(Bitmap )?Index Scan using ${table}_expires_at_idx$`));
    const store = new PostgresStore({ pool: db.admin, schema: db.schema, table });
    expect(await store.stats()).toEqual({ inFlight: 0, leaseExpired: 0, completed: 100 });
  });
});
