/**
 * [15.7] A path with no route: Hono answers with the app's notFound, which idempo never stores (in a rolling
 * deploy, the retry may reach an instance that has the route). Only a route's own answer is stored.
 */
import { MemoryStore } from '@idempo/core';
import { Hono } from 'hono';
import { Hono as Hono40 } from 'hono4-0';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { countingStore, newKey, post } from './support/client.js';

/** Counts every store call, to show that a request with no route reserves nothing. */
function watchedStore() {
  const store = countingStore();
  let reserves = 0;
  const reserve = store.reserve.bind(store);
  store.reserve = (...args) => {
    reserves++;
    return reserve(...args);
  };
  return Object.assign(store, { reserves: () => reserves });
}

/** Sends the same keyed POST twice: two notFound answers, neither replayed. */
async function expectNotStoredTwice(app: Pick<Hono, 'request'>, path: string, status = 404) {
  const key = newKey();
  const answers = [await post(app, path, { key, json: {} }), await post(app, path, { key, json: {} })];
  for (const answer of answers) {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('idempotent-replayed')).toBeNull();
  }
  return { key, answers };
}

describe('[15.7] a path with no route is not covered', () => {
  it("F39 [15.7] app.use('*'): POST to a path with no route gets Hono's 404 twice, nothing reserved or stored", async () => {
    const store = watchedStore();
    const app = new Hono();
    app.use('*', idempotency({ store }));
    app.post('/orders', (c) => c.json({ ok: true }, 201));
    const { key } = await expectNotStoredTwice(app, '/no-such-route');
    expect(store.reserves()).toBe(0);
    // The key is free: the route that exists later (after a deploy) runs with it.
    expect((await post(app, '/orders', { key, json: {} })).status).toBe(201);
    expect(store.reserves()).toBe(1);
  });

  it("F39 [15.7] app.use('/api/*') with another middleware after it: a missing /api route is not stored", async () => {
    const store = watchedStore();
    const app = new Hono();
    app.use('/api/*', idempotency({ store, required: true }));
    app.use('/api/*', async (c, next) => {
      c.header('x-seen', 'yes');
      await next();
    });
    app.post('/api/orders', (c) => c.json({ ok: true }, 201));
    // Not even the missing key is answered: a path with no route is the app's 404, not idempo's 400.
    expect((await post(app, '/api/missing', { json: {} })).status).toBe(404);
    await expectNotStoredTwice(app, '/api/missing');
    // PATCH on a path that has only a POST route: no route for this request either.
    const patch = await post(app, '/api/orders', { key: newKey(), json: {}, method: 'PATCH' });
    expect(patch.status).toBe(404);
    expect(store.reserves()).toBe(0);
    expect((await post(app, '/api/orders', { json: {} })).status).toBe(400);
  });

  it('F39 [15.7] a custom app.notFound answer is not stored either', async () => {
    const store = watchedStore();
    const app = new Hono();
    let notFound = 0;
    app.notFound((c) => c.json({ error: 'no such route', n: ++notFound }, 404));
    app.use('*', idempotency({ store }));
    app.post('/orders', (c) => c.json({ ok: true }, 201));
    const { answers } = await expectNotStoredTwice(app, '/no-such-route');
    expect(await answers[0]?.json()).toEqual({ error: 'no such route', n: 1 });
    expect(await answers[1]?.json()).toEqual({ error: 'no such route', n: 2 });
    expect(store.reserves()).toBe(0);
  });

  it("F39 [15.7] a route's own 404 (c.notFound() in the handler) is its answer: stored and replayed", async () => {
    const app = new Hono();
    let runs = 0;
    app.use('*', idempotency({ store: new MemoryStore() }));
    app.post('/orders/:id/cancel', (c) => {
      runs++;
      return c.notFound();
    });
    const key = newKey();
    expect((await post(app, '/orders/7/cancel', { key, json: {} })).status).toBe(404);
    const replay = await post(app, '/orders/7/cancel', { key, json: {} });
    expect(replay.status).toBe(404);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(1);
  });

  it('[15.7] a route is a handler of a method, app.all(), or a sub-app route (with its own onError), also on Hono 4.0', async () => {
    for (const HonoClass of [Hono, Hono40 as unknown as typeof Hono]) {
      const idem = idempotency({ store: new MemoryStore() });
      const sub = new HonoClass();
      sub.onError((_error, c) => c.text('sub failed', 500));
      let runs = 0;
      sub.post('/payments', (c) => c.json({ runs: ++runs }, 201));
      // app.all() in a sub-app with its own onError: Hono wraps the handler, idempo looks through the wrapper.
      sub.all('/any', (c) => c.json({ runs: ++runs }, 201));
      const app = new HonoClass();
      app.use('*', idem);
      app.route('/v1', sub);
      app.all('/proxy/*', (c) => c.json({ runs: ++runs }, 201));
      // A route handler that declares `next` is still a route when it is registered for a method.
      app.post('/with-next', async (c, _next) => c.json({ runs: ++runs }, 201));
      for (const path of ['/v1/payments', '/v1/any', '/proxy/x', '/with-next']) {
        const key = newKey();
        await post(app, path, { key, json: {} });
        const replay = await post(app, path, { key, json: {} });
        expect(replay.headers.get('idempotent-replayed'), `${path} is a route`).toBe('true');
      }
      expect(runs).toBe(4);
      await expectNotStoredTwice(app, '/v1/none');
    }
  });

  it('[15.7] .route() middleware: on app.use of a path, a missing route under it is not stored', async () => {
    const store = watchedStore();
    const app = new Hono();
    const idem = idempotency({ store });
    app.use('/pay/*', idem.route({ required: true }));
    app.post('/pay/now', (c) => c.json({ ok: true }, 201));
    await expectNotStoredTwice(app, '/pay/later');
    expect(store.reserves()).toBe(0);
  });
});
