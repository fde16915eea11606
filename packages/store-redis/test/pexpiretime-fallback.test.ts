/**
 * `get` on a Redis without PEXPIRETIME (before 7.0): the script falls back to TIME + PTTL. The command is renamed
 * away on a private redis-server, and the whole conformance suite runs against it.
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
