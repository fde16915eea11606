/**
 * Every test file works in a schema of its own on the shared PostgreSQL (127.0.0.1:5432 unless DATABASE_URL
 * says otherwise): a random name, created before its tests and dropped after them, so that test files, packages
 * and CI runs never see each other's rows. Connections carry a unique `application_name`, so that a fault test
 * terminates its own connections and nobody else's.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore, type PostgresStoreOptions } from '../../src/index.js';

/** The server under test. */
export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A short random lower-case hex string. */
export function randomHex(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/** A schema of one test file, with the pools it opened. */
export interface TestSchema {
  /** The schema's name (`idempo_test_<label>_<random>`). */
  readonly schema: string;
  /** The `application_name` every connection of this file carries. */
  readonly applicationName: string;
  /** An administrative pool (2 connections), outside the `application_name` of the store's pools. */
  readonly admin: pg.Pool;
  /** A new pool on the test server, closed by `drop()`. */
  pool(config?: pg.PoolConfig): pg.Pool;
  /** A store over a new pool, its table migrated. */
  store(options?: Partial<PostgresStoreOptions> & { poolConfig?: pg.PoolConfig }): Promise<PostgresStore>;
  /** Ends every pool and drops the schema. */
  drop(): Promise<void>;
}

/** A schema left behind by a run that died more than an hour ago (its name carries its creation time). */
async function dropAbandonedSchemas(admin: pg.Pool): Promise<void> {
  const { rows } = await admin.query<{ name: string }>(
    "SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'idempo\\_test\\_%'",
  );
  for (const { name } of rows) {
    const match = /^idempo_test_[a-z]+_([0-9a-z]{8,9})_[0-9a-f]{8}$/.exec(name);
    const created = match ? Number.parseInt(match[1] as string, 36) : Number.NaN;
    // Only names this helper made (a plausible creation time), and only those of runs long gone.
    if (created > Date.UTC(2024, 0, 1) && Date.now() - created > 3_600_000) {
      await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => {});
    }
  }
}

/** Creates a fresh schema for one test file. */
export async function createTestSchema(label: string, url = DATABASE_URL): Promise<TestSchema> {
  const suffix = `${Date.now().toString(36)}_${randomHex()}`;
  const schema = `idempo_test_${label}_${suffix}`;
  const applicationName = `idempo-test-${label}-${suffix}`;
  const pools: pg.Pool[] = [];
  const admin = new pg.Pool({ connectionString: url, max: 2, application_name: `${applicationName}-admin` });
  admin.on('error', () => {});
  await dropAbandonedSchemas(admin);
  await admin.query(`CREATE SCHEMA "${schema}"`);

  const pool = (config: pg.PoolConfig = {}) => {
    const made = new pg.Pool({ connectionString: url, max: 5, application_name: applicationName, ...config });
    // A terminated idle connection emits 'error' on the pool: expected in the fault tests, never fatal.
    made.on('error', () => {});
    pools.push(made);
    return made;
  };

  return {
    schema,
    applicationName,
    admin,
    pool,
    async store(options = {}) {
      const { poolConfig, ...storeOptions } = options;
      const store = new PostgresStore({ pool: pool(poolConfig), schema, ...storeOptions });
      await store.migrate();
      return store;
    },
    async drop() {
      await Promise.allSettled(pools.map((p) => p.end()));
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}
