/** A handler that throws: the key is released and the error reaches Hono's own error handling. */
import { MemoryStore } from '@idempo/core';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { countingStore, newKey, post } from './support/client.js';

describe('errors', () => {
  it('an Error reaches app.onError (its response is sent) and the key is released: the retry runs again', async () => {
    const store = countingStore();
    const app = new Hono();
    const caught: unknown[] = [];
    let runs = 0;
    app.onError((error, c) => {
      caught.push(error);
      return c.json({ failed: (error as Error).message }, 500);
    });
    app.use('*', idempotency({ store }));
    app.post('/orders', (c) => {
      runs++;
      if (runs === 1) throw new Error('boom');
      return c.json({ runs }, 201);
    });
    const key = newKey();
    const failed = await post(app, '/orders', { key, json: {} });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ failed: 'boom' });
    expect(caught).toEqual([expect.objectContaining({ message: 'boom' })]);
    expect(store.releases).toBe(1);
    expect(store.completes).toBe(0);
    expect((await post(app, '/orders', { key, json: {} })).status).toBe(201);
    const replay = await post(app, '/orders', { key, json: {} });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ runs: 2 });
  });

  it('an HTTPException keeps its own response and releases the key', async () => {
    const store = countingStore();
    const app = new Hono();
    app.use('*', idempotency({ store }));
    app.post('/orders', () => {
      throw new HTTPException(403, { message: 'not yours' });
    });
    const key = newKey();
    const first = await post(app, '/orders', { key, json: {} });
    expect(first.status).toBe(403);
    expect(await first.text()).toBe('not yours');
    expect(store.releases).toBe(1);
    expect((await post(app, '/orders', { key, json: {} })).status).toBe(403);
    expect(store.releases).toBe(2);
  });

  it('a value that is not an Error propagates out of Hono, and the key is released', async () => {
    const store = countingStore();
    const app = new Hono();
    app.use('*', idempotency({ store }));
    app.post('/orders', () => {
      throw 'not an error';
    });
    await expect(post(app, '/orders', { key: newKey(), json: {} })).rejects.toBe('not an error');
    expect(store.releases).toBe(1);
  });

  it('an error from a middleware after idempo releases the key too', async () => {
    const store = countingStore();
    const app = new Hono();
    app.use('*', idempotency({ store }));
    app.onError((_error, c) => c.text('failed', 500));
    app.use('*', async () => {
      throw new Error('auth failed');
    });
    app.post('/orders', (c) => c.text('never'));
    expect((await post(app, '/orders', { key: newKey(), json: {} })).status).toBe(500);
    expect(store.releases).toBe(1);
  });

  it('idempo rejects invalid options when the middleware is created, not on the first request', () => {
    expect(() => idempotency({ store: new MemoryStore(), leaseMs: -1 })).toThrow(/leaseMs/);
    const idem = idempotency({ store: new MemoryStore() });
    expect(() => idem.route({ methods: ['GET'] })).toThrow(/GET/);
    expect(() => idem.route({ ttlMs: 0 })).toThrow(/ttlMs/);
  });
});
