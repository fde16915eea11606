/** J2 on Fastify: the plugin registered twice over one route (root and a child scope) reserves once. */
import { MemoryStore } from '@idempo/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

describe('J2 double mounting on Fastify', () => {
  it('J2 registered at the root and again in a child scope: one reservation, one execution, a replay', async () => {
    const app = Fastify();
    const store = new MemoryStore();
    await app.register(idempotency, { store });
    let runs = 0;
    await app.register(async (scope) => {
      await scope.register(idempotency, { store: new MemoryStore() });
      scope.post('/orders', async (_request, reply) => reply.code(201).send({ n: ++runs }));
    });
    await app.ready();
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/orders',
        headers: { 'idempotency-key': '"twice"', 'content-type': 'application/json' },
        payload: '{}',
      });
    const first = await send();
    expect(first.statusCode, first.body).toBe(201);
    const second = await send();
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toBe(first.body);
    expect(runs).toBe(1);
    // The outer mount held the key: its store has the record, the inner one never reserved.
    expect((await store.stats()).completed).toBe(1);
    await app.close();
  });
});
