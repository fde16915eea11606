/**
 * [15.13] After Redis comes back, no key is held by a reservation nobody holds. A reserve issued while the client
 * is reconnecting is refused at once and never queued (ioredis' offline queue would replay it after the restart,
 * where it held the key, a spurious 409 for the next retry, until core's late release of it landed). On a
 * private redis-server (never the shared one), through ioredis 6 and 5.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { StoreTimeoutError, StoreUnavailableError } from '@idempo/core';
import { boundStore } from '@idempo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index.js';
import { type AnyRedis, IOREDIS_VERSIONS } from './support/ioredis-versions.js';
import { type PrivateRedis, startPrivateRedis } from './support/redis-server.js';

const TIMEOUT_MS = 500;
const LONG = 60_000;

let server: PrivateRedis | undefined;

beforeAll(async () => {
  server = await startPrivateRedis('reconnect');
}, 60_000);

afterAll(async () => {
  await server?.destroy();
}, 60_000);

function privateServer(): PrivateRedis {
  if (!server) throw new Error('the private server did not start');
  return server;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ready(client: AnyRedis): Promise<void> {
  if (client.status === 'ready') return;
  await Promise.race([
    once(client, 'ready'),
    sleep(30_000).then(() => {
      throw new Error(`client still ${client.status} after 30 s`);
    }),
  ]);
}

for (const io of IOREDIS_VERSIONS) {
  describe(`reserve and the connection (${io.name})`, () => {
    const clients: AnyRedis[] = [];
    const connect = (url: string, options: Record<string, unknown> = {}) => {
      const client = io.redis(url, options);
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    };
    const prefix = `reconnect:${io.name.replace(' ', '')}:`;

    afterAll(() => {
      for (const client of clients) client.disconnect();
    });

    it('[15.13] a reserve while Redis is down answers at once and is not replayed after the restart: the next caller of the same key is reserved at once, no 409', async () => {
      const client = connect(privateServer().url);
      const store = new RedisStore({ client, prefix, timeoutMs: TIMEOUT_MS });
      await ready(client);
      const warm = await store.reserve('warm', 'fp', LONG, LONG);
      expect(warm.kind).toBe('reserved');

      await privateServer().stop();
      for (let i = 0; i < 100 && client.status === 'ready'; i++) await sleep(20);
      const started = performance.now();
      const refused = await store.reserve('k', 'fp', LONG, LONG).catch((error: unknown) => error);
      const ms = performance.now() - started;
      expect(refused, 'a 503 for its client').toBeInstanceOf(StoreUnavailableError);
      expect.soft(refused, 'refused, not timed out').not.toBeInstanceOf(StoreTimeoutError);
      expect.soft(ms, 'answered at once, not after a timeout').toBeLessThan(TIMEOUT_MS / 2);

      await privateServer().start();
      await ready(client);
      // Another caller (another request of this process, over the same client) retries the same key right away.
      const other = new RedisStore({ client, prefix, timeoutMs: TIMEOUT_MS });
      const retry = await other.reserve('k', 'fp', LONG, LONG);
      expect(retry.kind, 'a key no handler holds answers no 409').toBe('reserved');
      if (retry.kind === 'reserved') {
        expect(await other.complete('k', retry.token, Uint8Array.of(1), LONG)).toBe(true);
      }
      await sleep(200);
      expect(await other.reserve('k', 'fp', LONG, LONG)).toMatchObject({
        kind: 'existing',
        state: 'completed',
      });
      await client.del(store.redisKey('k'));
    });

    it('[15.13] a reserve on a client still opening its connection waits for it and then runs (start-up is not refused)', async () => {
      const client = connect(privateServer().url);
      const store = new RedisStore({ client, prefix: `${prefix}opening:`, timeoutMs: 2_000 });
      expect(client.status).toBe('connecting');
      const result = await store.reserve('k', 'fp', LONG, LONG);
      expect(result.kind).toBe('reserved');
      await client.del(store.redisKey('k'));
    });

    it('[15.13] a reserve on a client whose connection attempt fails is refused when it fails, with no deadline too, never sent nor queued', async () => {
      // Nothing listens on port 1: the attempt the client starts at once is refused, then it reconnects forever.
      const client = connect('redis://127.0.0.1:1', { maxRetriesPerRequest: null });
      const store = new RedisStore({ client, prefix: `${prefix}refused:` });
      expect(client.status).toBe('connecting');
      const started = performance.now();
      const error = await store.reserve('k', 'fp', LONG, LONG).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error).not.toBeInstanceOf(StoreTimeoutError);
      expect(performance.now() - started, 'refused when the attempt failed').toBeLessThan(TIMEOUT_MS);
      const queued = (client as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
      expect(queued, 'commands in the offline queue').toBe(0);
      client.disconnect();
    });

    it("[15.13] a reserve on a connection that never becomes ready times out before core's deadline, never sent nor queued", async () => {
      // A TCP server that accepts and never answers: the client connects and stays in its ready check.
      const received: Buffer[] = [];
      const sockets: Socket[] = [];
      const silent: Server = createServer((socket) => {
        sockets.push(socket);
        socket.on('data', (chunk) => received.push(chunk));
      });
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      const address = silent.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      try {
        const client = connect(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null });
        const store = new RedisStore({ client, prefix: `${prefix}silent:` });
        // Called as core calls it: bounded by storeTimeoutMs, the deadline passed on.
        const core = boundStore(store, TIMEOUT_MS);
        const started = performance.now();
        const error = await core.reserve('k', 'fp', LONG, LONG).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreTimeoutError);
        expect((error as Error).message, "the store's own answer, before core's timeout").toMatch(
          /nothing was sent/,
        );
        expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 750);
        await sleep(200);
        expect(sockets.length, 'the client connected').toBeGreaterThan(0);
        const sent = Buffer.concat(received).toString('latin1').toLowerCase();
        expect(sent, 'no script was sent').not.toMatch(/eval/);
        // Nor left in ioredis' offline queue, to be sent the moment the connection becomes ready.
        const queued = (client as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
        expect(queued, 'commands in the offline queue').toBe(0);
        client.disconnect();
      } finally {
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    });
  });
}
