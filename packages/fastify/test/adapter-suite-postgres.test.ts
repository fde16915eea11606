/**
 * The conformance suite over the shared PostgreSQL (127.0.0.1:5432, `DATABASE_URL` overrides), in a schema of
 * this run, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { PostgresStore } from '@idempo/store-postgres';
import { adapterSuite } from '@idempo/testing';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { makeAdapterApp } from './support/reference-app.js';

const schema = `idempo_test_fastify_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({
  connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  max: 10,
  application_name: schema,
});
pool.on('error', () => {});

beforeAll(async () => {
  await pool.query(`CREATE SCHEMA "${schema}"`);
  await new PostgresStore({ pool, schema }).migrate();
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

adapterSuite('fastify, PostgresStore', makeAdapterApp, { store: () => new PostgresStore({ pool, schema }) });
