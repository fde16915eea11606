/** The conformance suite over RedisStore on the shared Redis, under a prefix of this run (deleted after). */
import { RedisStore } from '@idempo/store-redis';
import { adapterSuite } from '@idempo/testing';
import { afterAll, expect } from 'vitest';
import { openRedis } from './support/databases.js';
import { makeWebApp } from './support/reference-app.js';

const redis = openRedis('suite');
afterAll(async () => {
  expect(await redis.dispose()).toBeGreaterThan(0);
});

adapterSuite('web over RedisStore', makeWebApp, {
  store: () => new RedisStore({ client: redis.client, prefix: redis.prefix }),
});
