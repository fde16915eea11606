/**
 * The README tells the truth: its SQL is the SQL the store sends, and its quick start and its Operations example
 * run as printed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaSql } from '../src/index.js';
import { statements } from '../src/statements.js';
import { ensureBuilt, PACKAGE_ROOT } from './helpers/build.js';
import { type PrivateCluster, postgresBinaries, startPrivateCluster } from './helpers/private-cluster.js';

const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');

function blocks(language: string): string[] {
  return [...readme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) =>
    (m[1] as string).trim(),
  );
}

describe('README', () => {
  it('shows every statement exactly as the store sends it, and the DDL of schemaSql()', () => {
    const sql = blocks('sql');
    for (const [operation, text] of Object.entries(statements('public', 'idempo_records'))) {
      expect(sql, operation).toContain(text);
    }
    const ddl = schemaSql()
      .split('\n')
      .filter((line) => !line.startsWith('--'))
      .join('\n')
      .trim();
    expect(sql).toContain(ddl);
  });
});

describe.skipIf(!postgresBinaries())('README quick start (private cluster)', () => {
  let cluster: PrivateCluster;
  beforeAll(async () => {
    ensureBuilt();
    cluster = await startPrivateCluster();
  });
  afterAll(() => cluster?.destroy());

  const run = (block = 0) =>
    execFileSync(process.execPath, ['--input-type=module', '-e', blocks('js')[block] as string], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, DATABASE_URL: cluster.url },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('runs as printed: executes then replays, and a second run replays both attempts', () => {
    const first = run().trim().split('\n');
    expect(first).toHaveLength(2);
    expect(first[0]).toMatch(/^attempt 1: executed, 201 \{"id":\d+\}$/);
    const body = first[0]?.slice('attempt 1: executed, 201 '.length);
    expect(first[1]).toBe(`attempt 2: replayed, 201 ${body}`);
    expect(run().trim().split('\n')).toEqual([
      `attempt 1: replayed, 201 ${body}`,
      `attempt 2: replayed, 201 ${body}`,
    ]);
  });

  it('the Operations example runs as printed after it: get, stats, delete; then the key executes anew', () => {
    const first = run().trim().split('\n')[0] as string;
    const body = first.replace(/^attempt 1: (executed|replayed), 201 /, '');
    expect(run(1).trim().split('\n')).toEqual([
      `get: completed, 201 ${body}, kept 24 h after it was reserved`,
      'stats: {"inFlight":0,"leaseExpired":0,"completed":1}',
      'delete: deleted',
      'get after delete: undefined',
    ]);
    expect(run().trim().split('\n')[0]).toMatch(/^attempt 1: executed, 201 \{"id":\d+\}$/);
  });
});
