/** `app.use(idempotency())`, `idem.route()` with @koa/router, options validated once, the principal. */
import { InvalidOptionsError, MemoryStore } from '@idempo/core';
import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { KOA_VERSIONS, text, withKoa } from './support/harness.js';

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`${name}: registration`, () => {
    it('app.use(idem) protects every route with the application options; GET and key-less requests pass', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(idem);
          router.post('/orders', (ctx: Context) => {
            ctx.status = 201;
            ctx.body = { n: ++runs };
          });
          router.get('/orders', (ctx: Context) => {
            ctx.body = { n: runs };
          });
        },
        async (app) => {
          const first = await app.keyed('/orders', 'a');
          expect([first.status, text(first)]).toEqual([201, '{"n":1}']);
          const replay = await app.keyed('/orders', 'a');
          expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([201, 'true']);
          expect(text(await app.keyed('/orders', 'a', { method: 'GET' }))).toBe('{"n":1}');
          expect(text(await app.request({ method: 'POST', path: '/orders' }))).toBe('{"n":2}');
          expect((await app.keyed('/orders', '"unclosed')).status).toBe(400);
          expect(runs).toBe(2);
        },
      );
    });

    it('idem.route(options) gives a route its own options; idem.route(false) opts it out', async () => {
      const runs = { pay: 0, hook: 0, put: 0 };
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/payments', idem.route({ required: true }), (ctx: Context) => {
            ctx.body = { n: ++runs.pay };
          });
          router.post('/hooks', idem.route(false), (ctx: Context) => {
            ctx.body = { n: ++runs.hook };
          });
          router.put('/items/:id', idem.route({ methods: ['PUT'] }), (ctx: Context) => {
            ctx.body = { id: ctx['params'].id, n: ++runs.put };
          });
        },
        async (app) => {
          const missing = await app.request({ method: 'POST', path: '/payments' });
          expect([missing.status, missing.headers['content-type']]).toEqual([
            400,
            'application/problem+json',
          ]);
          expect(
            (await app.keyed('/hooks', '"unclosed')).status,
            'an opted-out route never looks at the key',
          ).toBe(200);
          await app.keyed('/hooks', 'h');
          await app.keyed('/hooks', 'h');
          expect(runs.hook).toBe(3);
          await app.keyed('/items/a', 'p', { method: 'PUT' });
          expect((await app.keyed('/items/a', 'p', { method: 'PUT' })).headers['idempotent-replayed']).toBe(
            'true',
          );
          expect((await app.keyed('/items/b', 'p', { method: 'PUT' })).status).toBe(422);
          expect(runs.put).toBe(1);
        },
      );
    });

    it('J2 a route with options of its own behind app.use(idem) is refused by core (500) instead of its options ignored', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(idem);
          router.post('/payments', idem.route({ required: true }), (ctx: Context) => {
            ctx.body = { n: ++runs };
          });
          router.post('/orders', idem.route(), (ctx: Context) => {
            ctx.body = { n: ++runs };
          });
        },
        async (app) => {
          expect((await app.keyed('/payments', 'x')).status).toBe(500);
          expect(String(app.errors[0])).toMatch(/already reserved by another idempo mount/);
          await app.keyed('/orders', 'y');
          const replay = await app.keyed('/orders', 'y');
          expect(replay.headers['idempotent-replayed'], 'idem.route() alone defers to app.use(idem)').toBe(
            'true',
          );
          expect(runs).toBe(1);
        },
      );
    });

    it('the fingerprint takes the path the client sent, not the one a mount rewrote (ctx.originalUrl)', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(async (ctx, next) => {
            ctx.path = ctx.path.replace(/^\/(a|b)\//, '/'); // what koa-mount does to ctx.path
            await next();
          });
          router.post('/orders', idem.route(), (ctx: Context) => {
            ctx.body = { n: ++runs };
          });
        },
        async (app) => {
          expect(text(await app.keyed('/a/orders?x=1', 'm'))).toBe('{"n":1}');
          expect((await app.keyed('/a/orders?x=1', 'm')).headers['idempotent-replayed']).toBe('true');
          expect((await app.keyed('/b/orders?x=1', 'm')).status).toBe(422);
          expect(runs).toBe(1);
        },
      );
    });

    it('the principal function sees the Koa context (ctx.state)', async () => {
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(async (ctx, next) => {
            ctx.state['user'] = ctx.get('x-user');
            await next();
          });
          router.post('/me', idem.route(), (ctx: Context) => {
            ctx.body = { user: ctx.state['user'] };
          });
        },
        async (app) => {
          const ann = await app.keyed('/me', 'k', { headers: { 'x-user': 'ann' } });
          const bob = await app.keyed('/me', 'k', { headers: { 'x-user': 'bob' } });
          expect([text(ann), text(bob)]).toEqual(['{"user":"ann"}', '{"user":"bob"}']);
          expect(bob.headers['idempotent-replayed']).toBeUndefined();
        },
        { principal: (request) => request.context.state['user'] as string },
      );
    });
  });
}

describe('options are validated once, at registration', () => {
  it('idempotency() throws InvalidOptionsError for bad options', () => {
    expect(() => idempotency({ store: new MemoryStore(), leaseMs: 0 })).toThrow(InvalidOptionsError);
  });

  it('idem.route() validates the route options when the route middleware is created', () => {
    const idem = idempotency({ store: new MemoryStore() });
    expect(() => idem.route({ methods: ['GET'] })).toThrow(InvalidOptionsError);
    expect(() => idem.route({ ttlMs: 10, leaseMs: 100 })).toThrow(InvalidOptionsError);
    expect(typeof idem.route(false)).toBe('function');
    expect(idem.engine.keyHeader).toBe('idempotency-key');
  });
});
