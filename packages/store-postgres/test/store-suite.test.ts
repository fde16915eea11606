import { storeSuite } from '@idempo/testing';
import { afterAll, beforeAll } from 'vitest';
import { PostgresStore } from '../src/index.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema('suite');
  await new PostgresStore({ pool: db.admin, schema: db.schema }).migrate();
});
afterAll(() => db?.drop());

// The suite's 100-way races and 500 concurrent keys queue on a 10-connection pool: 10 s per operation so that a
// loaded CI machine does not turn queueing into timeouts (the 2 s default is tested in faults.test.ts).
storeSuite(
  'PostgresStore',
  () => new PostgresStore({ pool: db.pool({ max: 10 }), schema: db.schema, timeoutMs: 10_000 }),
  { operations: false },
);

storeSuite(
  'PostgresStore without prepared statements',
  () =>
    new PostgresStore({
      pool: db.pool({ max: 10 }),
      schema: db.schema,
      preparedStatements: false,
      timeoutMs: 10_000,
    }),
  { operations: false },
);
