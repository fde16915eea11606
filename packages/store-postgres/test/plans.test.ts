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

async function planOf(name: string, text: string, values: unknown[]): Promise<string[]> {
  const types = values.map((v) => (typeof v === 'number' ? 'float8' : Buffer.isBuffer(v) ? 'bytea' : 'text'));
  await client.query(`PREPARE ${name} (${types.join(', ')}) AS ${text}`);
  try {
    const literals = values.map((v) =>
      typeof v === 'number' ? String(v) : Buffer.isBuffer(v) ? `'\\x${v.toString('hex')}'` : `'${v}'`,
    );
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${literals.join(', ')})`);
    const plan = (rows[0] as { 'QUERY PLAN': { Plan: Record<string, unknown> }[] })['QUERY PLAN'][0]?.Plan;
    return scans(plan as Record<string, unknown>);
  } finally {
    await client.query(`DEALLOCATE ${name}`);
  }
}

describe('statement plans (generic, 20 100 rows)', () => {
  it('reserve, complete, release and extend each touch one row through the primary key; cleanup uses the expiry index', async () => {
    const sql = statements(db.schema, 'idempo_records');
    const pkey = 'Index Scan using idempo_records_pkey';
    const plans = {
      reserve: await planOf('p_reserve', sql.reserve, ['k500', 'fp', 'tok', 1000, 1000, '100']),
      complete: await planOf('p_complete', sql.complete, ['k500', 'tok', Buffer.from('x'), 1000, '100']),
      release: await planOf('p_release', sql.release, ['k500', 'tok', '100']),
      extend: await planOf('p_extend', sql.extend, ['k500', 'tok', 1000, '100']),
      cleanup: await planOf('p_cleanup', sql.cleanup, [1000]),
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
    expect(plans.cleanup).toContain('Tid Scan');
    expect(plans.cleanup).toContain('Index Scan using idempo_records_expires_at_idx');
    for (const s of Object.values(plans)) expect(s.some((scan) => scan.startsWith('Seq Scan'))).toBe(false);
  });
});
