/** The conformance suite over PostgresStore on the shared PostgreSQL, in a schema of this run (dropped after). */
import { PostgresStore } from '@idempo/store-postgres';
import { adapterSuite } from '@idempo/testing';
import { afterAll, beforeAll } from 'vitest';
import { openPostgres, type TestPostgres } from './support/databases.js';
import { makeWebApp } from './support/reference-app.js';

let db: TestPostgres | undefined;
beforeAll(async () => {
  db = await openPostgres('suite');
  await new PostgresStore({ pool: db.pool, schema: db.schema }).migrate();
});
afterAll(() => db?.dispose());

adapterSuite('web over PostgresStore', makeWebApp, {
  store: () => new PostgresStore({ pool: (db as TestPostgres).pool, schema: (db as TestPostgres).schema }),
});
