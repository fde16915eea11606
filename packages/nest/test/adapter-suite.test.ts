/** The conformance suite on both platforms with the memory, Redis and PostgreSQL stores. */
import { adapterSuite } from '@idempo/testing';
import { afterAll } from 'vitest';
import { type Platform, referenceNestApp } from './support/nest-app.js';
import { postgresStores, redisStores } from './support/stores.js';

const redis = redisStores('suite');
const postgres = postgresStores('suite');
afterAll(async () => {
  await Promise.all([redis.cleanup(), postgres.cleanup()]);
});

for (const platform of ['express', 'fastify'] as const satisfies readonly Platform[]) {
  const makeApp = (options: Parameters<typeof referenceNestApp>[1]) => referenceNestApp(platform, options);
  adapterSuite(`nest-${platform} (memory)`, makeApp, { extraDelayMs: 50 });
  adapterSuite(`nest-${platform} (redis)`, makeApp, { store: redis.make, extraDelayMs: 50 });
  adapterSuite(`nest-${platform} (postgres)`, makeApp, { store: postgres.make, extraDelayMs: 50 });
}
