/** `c.get('idempotency')`: typed through Hono's ContextVariableMap, set on every request the middleware sees. */
import { MemoryStore } from '@idempo/core';
import { Hono } from 'hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type IdempotencyVariable, idempotency } from '../src/index.js';
import { newKey, post } from './support/client.js';

describe("c.get('idempotency')", () => {
  it('tells the handler and the middleware around idempo what idempo did', async () => {
    const app = new Hono();
    const inHandler: unknown[] = [];
    const around: unknown[] = [];
    app.use('*', async (c, next) => {
      await next();
      around.push(c.get('idempotency'));
    });
    app.use('*', idempotency({ store: new MemoryStore(), methods: ['POST'] }));
    app.on(['POST', 'PUT'], '/orders', (c) => {
      const variable = c.get('idempotency');
      expectTypeOf(variable).toEqualTypeOf<IdempotencyVariable>();
      inHandler.push(variable);
      return c.json({ ok: true }, 201);
    });
    const key = newKey();
    await post(app, '/orders', { key, json: {} });
    await post(app, '/orders', { key, json: {} });
    await post(app, '/orders', { key: '"unclosed', json: {} });
    await post(app, '/orders', { json: {} });
    await post(app, '/orders', { key, json: {}, method: 'PUT' });
    const execute = { kind: 'execute', replayed: false, reason: undefined };
    expect(inHandler).toEqual([
      execute,
      { kind: 'bypass', replayed: false, reason: 'no-key' },
      { kind: 'bypass', replayed: false, reason: 'method' },
    ]);
    expect(around).toEqual([
      execute,
      { kind: 'replay', replayed: true, reason: undefined },
      { kind: 'reject', replayed: false, reason: undefined },
      inHandler[1],
      inHandler[2],
    ]);
  });
});
