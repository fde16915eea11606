/**
 * No rejection left unhandled (issue 15 item 10): Node ends the process on one. Whatever a user's callback does
 * (a `persist` that throws, a `principal` that throws), the plugin's hooks settle every promise they start: the
 * handler's answer still leaves, or Fastify's error handling answers.
 */
import { MemoryStore } from '@idempo/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance | undefined;
const unhandled: unknown[] = [];
const record = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', record);
});
afterEach(async () => {
  process.off('unhandledRejection', record);
  await app?.close();
  app = undefined;
});

const post = (target: FastifyInstance, headers: Record<string, string> = {}) =>
  target.inject({
    method: 'POST',
    url: '/orders',
    headers: { 'idempotency-key': '"k"', 'content-type': 'application/json', ...headers },
    payload: '{"item":"book"}',
  });

/** Lets any pending rejection surface. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('user callbacks that throw', () => {
  it("[15.10] a persist that throws: the handler's answer still leaves; a principal that throws: Fastify's 500; no rejection is left unhandled", async () => {
    app = Fastify();
    await app.register(idempotency, {
      store: new MemoryStore(),
      persist: () => {
        throw new Error('persist bug');
      },
    });
    let orders = 0;
    app.post('/orders', async (_request, reply) => reply.code(201).send({ id: ++orders }));
    const first = await post(app);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ id: 1 });

    // A principal that throws: Fastify answers its 500, the handler never runs.
    const other = Fastify();
    await other.register(idempotency, {
      store: new MemoryStore(),
      principal: () => {
        throw new Error('principal bug');
      },
    });
    other.post('/orders', async () => ({ id: ++orders }));
    const refused = await post(other);
    await other.close();
    expect(refused.statusCode).toBe(500);
    expect(orders).toBe(1);
    await settle();
    expect(unhandled).toEqual([]);
  });
});
