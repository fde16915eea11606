/** The conformance suite over the shared Redis (127.0.0.1:6379, `REDIS_URL` overrides), under a prefix of this run. */
import { randomBytes } from 'node:crypto';
import { RedisStore } from '@idempo/store-redis';
import { adapterSuite } from '@idempo/testing';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { makeAdapterApp } from './support/reference-app.js';

const client = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const prefix = `idempo-test:fastify:${Date.now().toString(36)}:${randomBytes(6).toString('hex')}:`;

afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
  await client.quit();
});

adapterSuite('fastify, RedisStore', makeAdapterApp, { store: () => new RedisStore({ client, prefix }) });
