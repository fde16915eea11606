/**
 * `idempo delete` against the real Redis and PostgreSQL, run as the built command on a machine whose clock is off
 * the store's: the store decides, by its own clock, in one step. A lease running by the store's clock needs
 * --force even when the CLI's clock shows it ENDED; a lease ended by the store's clock goes without --force even
 * when the CLI's clock shows it running.
 */
import type { IdempotencyStore } from '@idempo/core';
import { storageKey } from '@idempo/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, postgresNamespaces } from './support/postgres-namespaces.js';
import { redisNamespaces } from './support/redis-namespaces.js';
import { runBin } from './support/run-bin.js';
import { order } from './support/service.js';

const SKEWED_CLOCK = new URL('./support/skewed-clock.mjs', import.meta.url).href;

/** A store under a namespace of its own, and the command line options that name it. */
type Namespace = { readonly store: IdempotencyStore; readonly options: readonly string[] };

const redis = redisNamespaces('clock');
let pg: Awaited<ReturnType<typeof postgresNamespaces>>;
beforeAll(async () => {
  pg = await postgresNamespaces('clock');
});
afterAll(async () => {
  await redis.cleanup();
  await pg?.cleanup();
});

const stores: [string, () => Promise<Namespace>][] = [
  [
    'redis',
    async () => {
      const { store, prefix } = redis.namespace();
      return { store, options: ['--store', 'redis', '--prefix', prefix] };
    },
  ],
  [
    'postgres',
    async () => {
      const { store, schema, table } = await pg.namespace();
      const options = ['--store', 'postgres', '--url', DATABASE_URL, '--schema', schema, '--table', table];
      return { store, options };
    },
  ],
];

/** Runs `idempo delete <key>` with its clock `skewMs` off the real one. */
function deleteWithSkew(ns: Namespace, key: string, skewMs: number, ...args: string[]) {
  return runBin(['delete', key, ...args, ...ns.options], {
    NODE_OPTIONS: `--import=${SKEWED_CLOCK}`,
    IDEMPO_TEST_CLOCK_SKEW_MS: String(skewMs),
  });
}

describe.each(stores)("idempo delete against %s decides by the store's clock", (_name, namespace) => {
  it('a running lease needs --force, though this machine (2 min ahead) shows it ENDED (E35)', async () => {
    const ns = await namespace();
    await order(ns.store, { key: 'slow' }, {}, true);
    const digest = await storageKey({ key: 'slow' });

    const refused = await deleteWithSkew(ns, 'slow', 120_000, '--json');
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      state: 'in-flight',
      leaseRunning: false,
      retry: 'take-over',
      deleted: false,
      refused: 'lease-running',
    });
    expect(refused.stderr).toContain('the store reports the record in flight with its lease still running');
    expect(refused.stderr).toContain("or this machine's clock is ahead of the store's");
    expect((await ns.store.get?.(digest))?.state).toBe('in-flight');
    // A retry still gets 409: the running request's record was kept.
    expect(await order(ns.store, { key: 'slow' })).toEqual({ kind: 'reject', status: 409 });

    const forced = await deleteWithSkew(ns, 'slow', 120_000, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('idempo: deleted with --force');
    expect(await ns.store.get?.(digest)).toBeUndefined();
  });

  it('an ended lease goes without --force, though this machine (2 min behind) shows it running', async () => {
    const ns = await namespace();
    await order(ns.store, { key: 'crashed', leaseMs: 50 }, {}, true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const digest = await storageKey({ key: 'crashed' });

    const run = await deleteWithSkew(ns, 'crashed', -120_000);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/state {8}in flight, lease ends in \d+ (s|min)\n/);
    expect(run.stdout).toContain('deleted: the next request with this key runs the handler afresh\n');
    expect(await ns.store.get?.(digest)).toBeUndefined();
    expect(await order(ns.store, { key: 'crashed' })).toEqual({ kind: 'execute', status: 201 });
  });
});
