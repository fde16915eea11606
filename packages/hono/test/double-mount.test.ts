/** J2 on Hono: two idempo middlewares over one route reserve once; route options behind another mount are refused. */
import { MemoryStore } from '@idempo/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

const keyed = (app: Hono, key: string) =>
  app.request('/orders', {
    method: 'POST',
    headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    body: '{}',
  });

describe('J2 double mounting on Hono', () => {
  it('J2 two instances over one route: one reservation, one execution, a replay', async () => {
    const outer = idempotency({ store: new MemoryStore() });
    const inner = idempotency({ store: new MemoryStore() });
    const app = new Hono();
    let runs = 0;
    app.use('*', outer);
    app.post('/orders', inner, (c) => c.json({ n: ++runs }, 201));
    const first = await keyed(app, '"twice"');
    expect(first.status).toBe(201);
    const second = await keyed(app, '"twice"');
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.text()).toBe(await first.text());
    expect(runs).toBe(1);
  });

  it('J2 route options of another instance behind an app-wide mount are refused (500), not ignored', async () => {
    const outer = idempotency({ store: new MemoryStore() });
    const inner = idempotency({ store: new MemoryStore() });
    const app = new Hono();
    let runs = 0;
    app.onError((_error, c) => c.text('refused', 500));
    app.use('*', outer);
    app.post('/orders', inner.route({ ttlMs: 60_000 }), (c) => c.json({ n: ++runs }, 201));
    expect((await keyed(app, '"options"')).status).toBe(500);
    expect(runs).toBe(0);
    // The same instance's own route mount is seen ahead: its options apply, nothing is refused.
    const same = idempotency({ store: new MemoryStore() });
    const own = new Hono();
    own.use('*', same);
    own.post('/orders', same.route({ required: true }), (c) => c.json({ n: ++runs }, 201));
    expect((await own.request('/orders', { method: 'POST', body: '{}' })).status).toBe(400);
    expect((await keyed(own, '"own"')).status).toBe(201);
  });
});
