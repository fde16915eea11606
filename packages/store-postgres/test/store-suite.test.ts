import { storeSuite } from '@idempo/testing';
import { afterAll, beforeAll } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../src/index.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('suite');
});
// Dropping the schema drops every table the factories made.
afterAll(() => db?.drop());

let tables = 0;

/**
 * A store over a new, empty table of its own (the operations cases count a store's records, so every store the
 * suite makes must see only its own).
 */
async function freshStore(options: Partial<PostgresStoreOptions>): Promise<PostgresStore> {
  const table = `suite_${++tables}`;
  await new PostgresStore({ pool: db.admin, schema: db.schema, table }).migrate();
  // The suite's 100-way races and 500 concurrent keys queue on a 10-connection pool: 10 s per operation so that
  // a loaded CI machine does not turn queueing into timeouts (the 2 s default is tested in faults.test.ts).
  return new PostgresStore({
    pool: db.pool({ max: 10 }),
    schema: db.schema,
    table,
    timeoutMs: 10_000,
    ...options,
  });
}

storeSuite('PostgresStore', () => freshStore({}));

storeSuite('PostgresStore without prepared statements', () => freshStore({ preparedStatements: false }));
