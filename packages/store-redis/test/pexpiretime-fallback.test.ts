/**
 * A Redis before 7.0, on a private redis-server: PEXPIRETIME is renamed away (the scripts fall back to TIME + PTTL)
 * and, in the second suite, `SET ... NX GET` answers `ERR syntax error` as Redis 6.2 does (the store then sends
 * the reserve script from then on). The whole conformance suite runs against each.
 */
import { storeSuite } from '@idempo/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { type PrivateRedis, redisCli, startPrivateRedis } from './support/redis-server.js';

const io = IOREDIS_VERSIONS[0];
if (io === undefined) throw new Error('no ioredis version');
let server: PrivateRedis;
const clients: { quit(): Promise<unknown> }[] = [];
let n = 0;

beforeAll(async () => {
  server = await startPrivateRedis('no-pexpiretime', ['--rename-command', 'PEXPIRETIME', '']);
});
afterAll(async () => {
  for (const client of clients) await client.quit();
  await server?.destroy();
});

it('the private server has no PEXPIRETIME', async () => {
  expect(await redisCli(server.port, 'pexpiretime', 'x')).toMatch(/unknown command/i);
});

storeSuite(`RedisStore over ${io.name} on a Redis without PEXPIRETIME`, () => {
  const client = io.redis(server.url);
  clients.push(client);
  return new RedisStore({ client, prefix: `fallback-${++n}:` });
});

/** How many native reserves the store sent over the clients of the second suite. */
let nativeCalls = 0;

storeSuite(`RedisStore over ${io.name} on a Redis without PEXPIRETIME and without SET NX GET (6.2)`, () => {
  const client = io.redis(server.url);
  clients.push(client);
  const set = client.setBuffer.bind(client) as (...args: unknown[]) => Promise<unknown>;
  // What Redis 6.2 answers SET ... NX GET (NX and GET together came with 7.0).
  (client as unknown as { setBuffer: unknown }).setBuffer = (...args: unknown[]) => {
    if (args.includes('NX') && args.includes('GET')) {
      nativeCalls++;
      return Promise.reject(new Error('ERR syntax error'));
    }
    return set(...args);
  };
  return new RedisStore({ client, prefix: `no-set-get-${++n}:` });
});

it('each store of the 6.2 suite tried the native reserve once at most, then sent the script', () => {
  expect(nativeCalls).toBeGreaterThan(0);
  expect(nativeCalls).toBeLessThanOrEqual(n);
});
