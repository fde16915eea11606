/**
 * A client that disconnects while the handler runs [15.1]: the key stays held (a retry gets 409), the handler's
 * answer is stored when it ends though nobody listens (a later retry gets the replay), the handler runs once. A
 * handler that throws still releases the key. Plain controllers over real HTTP, both platforms, every store.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { MemoryStore } from '@idempo/core';
import type { AdapterResponse } from '@idempo/testing';
import { type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyModule, type IdempotencyStore } from '../src/index.js';
import { HeldController, heldRuns, holdNext } from './support/held-controller.js';
import { sendHttp } from './support/http-client.js';
import { createNestApp, listen, type Platform } from './support/nest-app.js';
import { postgresStores, redisStores } from './support/stores.js';

const redis = redisStores('disconnect');
const postgres = postgresStores('disconnect');
afterAll(async () => {
  await Promise.all([redis.cleanup(), postgres.cleanup()]);
});

const STORES: Record<string, () => IdempotencyStore | Promise<IdempotencyStore>> = {
  memory: () => new MemoryStore(),
  redis: redis.make,
  postgres: postgres.make,
};

const text = (response: AdapterResponse) => Buffer.from(response.body).toString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const platform of ['express', 'fastify'] as const satisfies readonly Platform[]) {
  for (const [storeName, makeStore] of Object.entries(STORES)) {
    describe(`nest-${platform} (${storeName}): a client that disconnects mid-handler`, () => {
      let app: INestApplication;
      let port: number;
      beforeAll(async () => {
        const store = await makeStore();
        @Module({
          imports: [IdempotencyModule.forRoot({ store, leaseMs: 10_000, onHandlerError: 'store' })],
          controllers: [HeldController],
        })
        class AppModule {}
        app = await createNestApp(platform, AppModule);
        port = await listen(app);
      });
      afterAll(() => app.close());
      beforeEach(() => {
        for (const name of Object.keys(heldRuns)) delete heldRuns[name];
      });

      const send = (path: string, key: string, signal?: AbortSignal) =>
        sendHttp(port, {
          method: 'POST',
          path,
          headers: { 'idempotency-key': key, 'content-type': 'application/json' },
          body: '{"item":"book"}',
          signal,
        });

      /** Starts a request, waits for its handler to start, disconnects, and waits until the server saw it. */
      const disconnectMidHandler = async (path: string, key: string) => {
        const held = holdNext();
        const abort = new AbortController();
        send(path, key, abort.signal).catch(() => undefined);
        const socket = await held.started;
        abort.abort();
        if (!socket.destroyed) await once(socket, 'close');
        await sleep(100); // what the old code did on 'close' (release) takes a store round trip
        return held;
      };

      /** Retries until the answer is no longer a 409 (the handler has ended and its outcome is settled). */
      const retryUntilSettled = async (path: string, key: string) => {
        for (let i = 0; i < 200; i++) {
          const response = await send(path, key);
          if (response.status !== 409) return response;
          await sleep(50);
        }
        throw new Error('still 409 after 10 s');
      };

      it('I1 E32 the key stays held: the retry gets 409, then the replay of the answer stored meanwhile; one execution [15.1]', async () => {
        const key = randomUUID();
        const held = await disconnectMidHandler('/held', key);
        const during = await send('/held', key);
        expect(during.status).toBe(409);
        expect(during.headers['retry-after']).toBeDefined();
        held.release();
        const after = await retryUntilSettled('/held', key);
        expect(after.status).toBe(201);
        expect(after.headers['idempotent-replayed']).toBe('true');
        expect(JSON.parse(text(after))).toEqual({ n: 1 });
        expect(heldRuns['create']).toBe(1);
      });

      it('I1 E32 J3 with onHandlerError store, an HttpException thrown after the disconnect is stored and replayed; a @Res() handler too [15.1]', async () => {
        for (const [path, name, status] of [
          ['/held/refused', 'refused', 402],
          ['/held/itself', 'itself', 201],
        ] as const) {
          const key = randomUUID();
          const held = await disconnectMidHandler(path, key);
          expect((await send(path, key)).status).toBe(409);
          held.release();
          const after = await retryUntilSettled(path, key);
          expect(after.status).toBe(status);
          expect(after.headers['idempotent-replayed']).toBe('true');
          expect(text(after)).toContain('1');
          expect(heldRuns[name]).toBe(1);
        }
      });

      it('I1 E34 a handler that throws after the disconnect releases the key: held until then (409), then the retry runs [15.1]', async () => {
        const key = randomUUID();
        const held = await disconnectMidHandler('/held/boom', key);
        expect((await send('/held/boom', key)).status).toBe(409);
        held.release();
        const after = await retryUntilSettled('/held/boom', key);
        expect(after.status).toBe(500);
        expect(after.headers['idempotent-replayed']).toBeUndefined();
        expect(heldRuns['boom']).toBe(2);
      });
    });
  }
}
