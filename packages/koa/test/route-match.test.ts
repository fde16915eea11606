/**
 * `app.use(idem)` runs before the router knows the route, so a request no route serves is reserved like any
 * other; its answer (Koa's 404, @koa/router's 405 from allowedMethods() or its not-found handler) must never be
 * stored under the key [15.7]: in a rolling deploy the retry may reach an instance that has the route.
 */
import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { KOA_VERSIONS, type TestApp, text, withKoa } from './support/harness.js';

const JSON_BODY = { headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' };

/** Sends `method path` twice with `key`: the same framework answer both times, never a replay. */
async function expectNeverStored(app: TestApp, method: string, path: string, key: string, status: number) {
  const first = await app.keyed(path, key, { method, ...JSON_BODY });
  const second = await app.keyed(path, key, { method, ...JSON_BODY });
  expect([first.status, second.status], `${method} ${path}`).toEqual([status, status]);
  expect(first.headers['idempotent-replayed']).toBeUndefined();
  expect(second.headers['idempotent-replayed'], `${method} ${path}: not a replay`).toBeUndefined();
  // Had the answer been stored under the key, this would be a 422 (another method or path).
  const order = await app.keyed('/orders', key, JSON_BODY);
  expect(order.status, `${method} ${path}: nothing was stored under the key`).toBe(201);
  expect(order.headers['idempotent-replayed']).toBeUndefined();
}

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`${name}: a request no route serves, behind app.use(idem)`, () => {
    it("F39 F40 [15.7] Koa 404 for a path with no route, @koa/router 405 (allowedMethods) and its not-found handler are never stored; a route's own 404 is stored", async () => {
      let orders = 0;
      let lookups = 0;
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(idem);
          app.use(router.allowedMethods());
          router.post('/orders', (ctx: Context) => {
            ctx.status = 201;
            ctx.body = { n: ++orders };
          });
          router.post('/lookups/:id', (ctx: Context) => {
            lookups++;
            ctx.status = 404;
            ctx.body = { error: `no order ${ctx['params'].id}` };
          });
        },
        async (app) => {
          await expectNeverStored(app, 'POST', '/no-such-route', 'a', 404);
          await expectNeverStored(app, 'PATCH', '/orders', 'b', 405);
          expect(orders).toBe(2);
          // A matched route's own 404 is its answer: stored and replayed.
          const own = await app.keyed('/lookups/7', 'c', JSON_BODY);
          const replay = await app.keyed('/lookups/7', 'c', JSON_BODY);
          expect([own.status, replay.status, replay.headers['idempotent-replayed']]).toEqual([
            404,
            404,
            'true',
          ]);
          expect(text(replay)).toBe('{"error":"no order 7"}');
          expect(lookups).toBe(1);
        },
      );
    });

    it('F39 [15.7] without a router: Koa 404 when no middleware answered is never stored', async () => {
      await withKoa(
        Koa,
        ({ app, idem }) => {
          app.use(idem);
          app.use(async (ctx, next) => {
            if (ctx.path !== '/orders') return next();
            ctx.status = 201;
            ctx.body = { ok: true };
          });
        },
        async (app) => {
          await expectNeverStored(app, 'POST', '/elsewhere', 'd', 404);
        },
      );
    });
  });
}

describe('koa 3: @koa/router not-found handler, behind app.use(idem)', () => {
  it('F39 [15.7] a router not-found answer (router.on("not-found")) with a body is never stored', async () => {
    await withKoa(
      KOA_VERSIONS[0].Koa,
      ({ app, router, idem }) => {
        app.use(idem);
        router.on('not-found', (ctx: Context) => {
          ctx.status = 404;
          ctx.body = { error: 'no such route' };
        });
        router.post('/orders', (ctx: Context) => {
          ctx.status = 201;
          ctx.body = { ok: true };
        });
      },
      async (app) => {
        const first = await app.keyed('/nowhere', 'e', JSON_BODY);
        expect(text(first)).toBe('{"error":"no such route"}');
        await expectNeverStored(app, 'POST', '/nowhere', 'e', 404);
      },
    );
  });
});
