/**
 * A request no route matches (issue 15 item 7): Fastify's 404, its own or the one `setNotFoundHandler` sets, is
 * no route's answer. In a rolling deploy the retry may reach an instance that has the route, so the 404 is
 * neither stored under the key nor answered from the store, and it reserves nothing.
 */
import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A MemoryStore that counts reservations. */
function countingStore(): { store: IdempotencyStore; reserves: () => number } {
  const inner = new MemoryStore();
  let reserves = 0;
  return {
    store: {
      reserve: (...args) => {
        reserves++;
        return inner.reserve(...args);
      },
      complete: (...args) => inner.complete(...args),
      release: (...args) => inner.release(...args),
      extend: (...args) => inner.extend(...args),
    },
    reserves: () => reserves,
  };
}

const post = (target: FastifyInstance, url: string) =>
  target.inject({
    method: 'POST',
    url,
    headers: { 'idempotency-key': '"k"', 'content-type': 'application/json' },
    payload: '{"item":"book"}',
  });

describe('no route', () => {
  it("F39 F40 [15.7] Fastify's own 404 under a root plugin is never stored nor replayed, and reserves nothing", async () => {
    const { store, reserves } = countingStore();
    app = Fastify();
    await app.register(idempotency, { store, required: true });
    let orders = 0;
    app.post('/orders', async (_request, reply) => reply.code(201).send({ id: ++orders }));
    const first = await post(app, '/no-such-route');
    const second = await post(app, '/no-such-route');
    expect(first.statusCode).toBe(404);
    expect(second.statusCode).toBe(404);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json()).toEqual(first.json());
    expect(reserves(), 'a 404 reserves nothing').toBe(0);
    // The instance that has the route: the same key runs it (a stored 404 would be a 422: another path).
    const order = await post(app, '/orders');
    expect(order.statusCode).toBe(201);
    expect(order.headers['idempotent-replayed']).toBeUndefined();
  });

  it('F39 F40 [15.7] the setNotFoundHandler answer is never stored nor replayed, even a 2xx one, and reserves nothing', async () => {
    const { store, reserves } = countingStore();
    app = Fastify();
    await app.register(idempotency, { store });
    let misses = 0;
    app.setNotFoundHandler(async (_request, reply) => reply.code(200).send({ miss: ++misses }));
    const first = await post(app, '/missing');
    const second = await post(app, '/missing');
    expect(first.json()).toEqual({ miss: 1 });
    expect(second.json(), 'the handler ran again').toEqual({ miss: 2 });
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(reserves()).toBe(0);
  });

  it('F39 F40 [15.7] a 404 inside a prefix plugin that registers idempotency is never stored either', async () => {
    const { store, reserves } = countingStore();
    app = Fastify();
    app.register(
      async (scope) => {
        await scope.register(idempotency, { store });
        scope.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ scope: 'v1' }));
      },
      { prefix: '/v1' },
    );
    await app.ready();
    expect((await post(app, '/v1/missing')).json()).toEqual({ scope: 'v1' });
    expect((await post(app, '/v1/missing')).headers['idempotent-replayed']).toBeUndefined();
    expect(reserves()).toBe(0);
  });
});
