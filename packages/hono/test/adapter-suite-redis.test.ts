/** The conformance suite over RedisStore on the shared Redis, under a prefix of this run (deleted after). */
import { RedisStore } from '@idempo/store-redis';
import { adapterSuite } from '@idempo/testing';
import { afterAll, expect } from 'vitest';
import { openRedis } from './support/databases.js';
import { makeHonoApp } from './support/reference-app.js';

const redis = openRedis('suite');
afterAll(async () => {
  expect(await redis.dispose()).toBeGreaterThan(0);
});

adapterSuite('hono over RedisStore', makeHonoApp('app-wide'), {
  store: () => new RedisStore({ client: redis.client, prefix: redis.prefix }),
});
