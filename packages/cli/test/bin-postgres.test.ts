/**
 * The built `idempo` command as a process against the real PostgreSQL: records written by core's engine through
 * PostgresStore in a schema of this file's own, then inspected, deleted and counted by the command; a row of the
 * previous store version (no created_at); wrong URLs, a missing table, an unreachable port and a silent server.
 */
import { storageKey } from '@idempo/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, postgresNamespaces } from './support/postgres-namespaces.js';
import { runBin } from './support/run-bin.js';
import { order } from './support/service.js';
import { closedPort } from './support/silent-server.js';

let pg: Awaited<ReturnType<typeof postgresNamespaces>>;
beforeAll(async () => {
  pg = await postgresNamespaces('bin');
});
afterAll(() => pg?.cleanup());

/** A process that answered must be gone soon after (the pool ended, no timer left). */
const PROMPT_EXIT_MS = 1_000;

function idempo(ns: { schema: string; table: string }, ...args: string[]) {
  return runBin([
    ...args,
    '--store',
    'postgres',
    '--url',
    DATABASE_URL,
    '--schema',
    ns.schema,
    '--table',
    ns.table,
  ]);
}

describe('idempo against PostgreSQL', () => {
  it('inspect: a completed record written by the engine, as text and JSON; DATABASE_URL is the default', async () => {
    const ns = await pg.namespace();
    await order(ns.store, { key: 'order-1', principal: 'alice', scope: 'v1' });
    const digest = await storageKey({ key: 'order-1', principal: 'alice', scope: 'v1' });

    const text = await runBin(
      [
        'inspect',
        'order-1',
        '--principal',
        'alice',
        '--scope',
        'v1',
        '--store',
        'postgres',
        '--schema',
        ns.schema,
        '--table',
        ns.table,
      ],
      { DATABASE_URL },
    );
    expect({ code: text.code, stderr: text.stderr }).toEqual({ code: 0, stderr: '' });
    expect(text.stdout).toContain(`table ${ns.schema}.${ns.table}\n`);
    expect(text.stdout).toContain(`location     row of ${ns.schema}.${ns.table} where key = '${digest}'\n`);
    expect(text.stdout).toContain('scope        v1\n');
    expect(text.stdout).toContain('state        completed\n');
    expect(text.stdout).toContain('response     201 Created, 2 headers, body 23 bytes\n');
    expect(text.lingerMs).toBeLessThan(PROMPT_EXIT_MS);

    const json = await idempo(ns, 'inspect', 'order-1', '--principal', 'alice', '--scope', 'v1', '--json');
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout);
    expect(view).toMatchObject({
      storageKey: digest,
      state: 'completed',
      retry: 'replay',
      response: { status: 201 },
    });
    expect(Math.abs(Date.parse(view.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(json.lingerMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('a row of the previous store version (no created_at): created unknown, still inspected and deleted', async () => {
    const ns = await pg.namespace();
    await order(ns.store, { key: 'legacy' });
    const digest = await storageKey({ key: 'legacy' });
    await pg.pool.query(`UPDATE "${ns.schema}"."${ns.table}" SET created_at = NULL WHERE key = $1`, [digest]);

    const run = await idempo(ns, 'inspect', 'legacy');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('created      unknown (record older than this version)\n');
    expect((await idempo(ns, 'delete', 'legacy')).code).toBe(0);
    expect(await ns.store.get(digest)).toBeUndefined();
  });

  it('delete: refuses a running lease (exit 4), deletes with --force; a completed record goes at once', async () => {
    const ns = await pg.namespace();
    await order(ns.store, { key: 'slow' }, {}, true);
    await order(ns.store, { key: 'done' });
    const slow = await storageKey({ key: 'slow' });

    const refused = await idempo(ns, 'delete', 'slow', '--json');
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stdout)).toMatchObject({ deleted: false, refused: 'lease-running' });
    expect(refused.stderr).toContain('a retry run the request a second time');
    expect((await ns.store.get(slow))?.state).toBe('in-flight');

    expect((await idempo(ns, 'delete', 'slow', '--force')).code).toBe(0);
    expect(await ns.store.get(slow)).toBeUndefined();
    const done = await idempo(ns, 'delete', 'done');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('deleted: the next request with this key runs the handler afresh');
    expect((await idempo(ns, 'inspect', 'done')).code).toBe(1);
  });

  it("stats: this table's records by state (lease ended after E35's lease)", async () => {
    const ns = await pg.namespace();
    await order(ns.store, { key: 'a' });
    await order(ns.store, { key: 'b' });
    await order(ns.store, { key: 'crashed', leaseMs: 50 }, {}, true);
    await order(ns.store, { key: 'slow' }, {}, true);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const json = await idempo(ns, 'stats', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ inFlight: 1, leaseExpired: 1, completed: 2, total: 4 });
    const text = await idempo(ns, 'stats');
    expect(text.stdout).toContain('lease ended  1  handler presumed dead');
    expect(text.lingerMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('a wrong URL (no such database): exit 3, the cause with its SQLSTATE, the password masked', async () => {
    const url = 'postgres://postgres:s3cret-pw@127.0.0.1:5432/idempo_cli_no_such_database';
    const run = await runBin(['inspect', 'k', '--store', 'postgres', '--url', url]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('database "idempo_cli_no_such_database" does not exist (3D000)');
    expect(run.stderr).toContain(
      'store: postgres at postgres://postgres:***@127.0.0.1:5432/idempo_cli_no_such_database',
    );
    expect(run.stderr).toContain('hint: no such database');
    expect(run.stderr).not.toContain('s3cret-pw');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.lingerMs).toBeLessThan(PROMPT_EXIT_MS);
  });

  it('a missing table: exit 3, pointing at --schema and --table; nothing created', async () => {
    const run = await runBin([
      'stats',
      '--store',
      'postgres',
      '--url',
      DATABASE_URL,
      '--schema',
      pg.schema,
      '--table',
      'nope',
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('(42P01)');
    expect(run.stderr).toContain('hint: no records table there: check --schema and --table');
    const { rows } = await pg.pool.query('SELECT to_regclass($1) AS t', [`"${pg.schema}".nope`]);
    expect(rows[0].t).toBeNull();
  });

  it('an invalid table name: exit 2 (the store refuses it before connecting)', async () => {
    const run = await runBin(['stats', '--store', 'postgres', '--table', 'no;such']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^idempo: PostgresStore: .*table/);
  });

  it('an unreachable port: exit 3 at once, ECONNREFUSED', async () => {
    const port = await closedPort();
    const run = await runBin([
      'stats',
      '--store',
      'postgres',
      '--url',
      `postgres://postgres:pw-x9@127.0.0.1:${port}/postgres`,
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(run.stderr).toContain('hint: nothing listens there');
    expect(run.stderr).not.toContain('pw-x9');
    expect(run.ms).toBeLessThan(5_000);
  });
});
