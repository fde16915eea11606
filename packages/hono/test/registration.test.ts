/** Registering the middleware: app-wide, per route, both at once, in sub-apps, and two instances. */
import { MemoryStore } from '@idempo/core';
import { type Context, Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { countingStore, newKey, post } from './support/client.js';

function counter() {
  let runs = 0;
  return (c: Context) => c.json({ runs: ++runs }, 201);
}

describe('registration', () => {
  it("a .route() middleware's options win over the app-wide middleware of the same instance", async () => {
    const app = new Hono();
    const idem = idempotency({ store: new MemoryStore() });
    app.use('/api/*', idem);
    app.post('/api/orders', counter());
    app.post('/api/payments', idem.route({ required: true }), counter());
    app.post('/api/webhook', idem.route(false), counter());
    app.put('/api/orders/:id', idem.route({ methods: ['PUT'] }), counter());

    expect((await post(app, '/api/orders', { json: {} })).status).toBe(201);
    const missing = await post(app, '/api/payments', { json: {} });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const key = newKey();
    for (let i = 0; i < 2; i++) await post(app, '/api/webhook', { key, json: {} });
    expect(await (await post(app, '/api/webhook', { key, json: {} })).json()).toEqual({ runs: 3 });
    await post(app, '/api/orders/7', { key, json: {}, method: 'PUT' });
    const replay = await post(app, '/api/orders/7', { key, json: {}, method: 'PUT' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('a .route() middleware registered on a path (app.use) applies to every route under it', async () => {
    const app = new Hono();
    const idem = idempotency({ store: new MemoryStore() });
    app.use('*', idem);
    app.use('/pay/*', idem.route({ required: true }));
    app.post('/pay/now', counter());
    app.post('/free', counter());
    expect((await post(app, '/pay/now', { json: {} })).status).toBe(400);
    expect((await post(app, '/free', { json: {} })).status).toBe(201);
  });

  it('route options apply in a sub-app with its own onError, mounted with app.route()', async () => {
    const idem = idempotency({ store: new MemoryStore() });
    const sub = new Hono();
    sub.onError((_error, c) => c.text('sub failed', 500));
    sub.post('/payments', idem.route({ required: true }), counter());
    const app = new Hono();
    app.use('*', idem);
    app.route('/v1', sub);
    expect((await post(app, '/v1/payments', { json: {} })).status).toBe(400);
    const key = newKey();
    expect((await post(app, '/v1/payments', { key, json: {} })).status).toBe(201);
    expect((await post(app, '/v1/payments', { key, json: {} })).headers.get('idempotent-replayed')).toBe(
      'true',
    );
  });

  it('a request is reserved once: a second idempo middleware (another instance) lets it through', async () => {
    const outer = countingStore();
    const inner = countingStore();
    const app = new Hono();
    app.use('*', idempotency({ store: outer }));
    app.use('*', idempotency({ store: inner }));
    app.post('/orders', counter());
    const key = newKey();
    await post(app, '/orders', { key, json: {} });
    const replay = await post(app, '/orders', { key, json: {} });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ runs: 1 });
    expect(outer.completes).toBe(1);
    expect(inner.completes + inner.releases).toBe(0);
  });

  it('principal receives the Hono Context', async () => {
    type AppEnv = { Variables: { user: string } };
    const app = new Hono<AppEnv>();
    app.use('*', async (c, next) => {
      c.set('user', c.req.header('x-user') ?? 'anonymous');
      await next();
    });
    app.use(
      '*',
      idempotency<AppEnv>({ store: new MemoryStore(), principal: (req) => req.context.get('user') }),
    );
    app.post('/orders', counter());
    const key = newKey();
    await post(app, '/orders', { key, json: {}, headers: { 'x-user': 'ann' } });
    const bob = await post(app, '/orders', { key, json: {}, headers: { 'x-user': 'bob' } });
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(await bob.json()).toEqual({ runs: 2 });
  });
});

describe('what is stored and replayed', () => {
  it('the exact status, header entries (Set-Cookie one line per cookie, when opted in) and body bytes', async () => {
    const app = new Hono();
    app.use('*', idempotency({ store: new MemoryStore(), replaySetCookie: true }));
    let runs = 0;
    app.post('/orders', (c) => {
      runs++;
      c.header('set-cookie', 'a=1; Path=/', { append: true });
      c.header('set-cookie', 'b=2; Path=/', { append: true });
      c.header('x-custom', 'kept');
      return c.body(new Uint8Array([0, 255, 1, 254]), 202, { 'content-type': 'application/x-bytes' });
    });
    const key = newKey();
    const first = await post(app, '/orders', { key, json: {} });
    const replay = await post(app, '/orders', { key, json: {} });
    expect(runs).toBe(1);
    for (const res of [first, replay]) {
      expect(res.status).toBe(202);
      expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
      expect(res.headers.get('x-custom')).toBe('kept');
      expect(res.headers.get('content-type')).toBe('application/x-bytes');
      expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0, 255, 1, 254]);
    }
    expect(replay.headers.get('content-length')).toBe('4');
  });
});
