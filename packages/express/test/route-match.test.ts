/**
 * `app.use(idem)` runs before Express matched a route, so a request no route serves is reserved like any other;
 * its answer (Express's final 404, a catch-all not-found middleware) must never be stored under the key [15.7]:
 * in a rolling deploy the retry may reach an instance that has the route.
 */
import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { EXPRESS_VERSIONS, type TestApp, text, withExpress } from './support/harness.js';

const JSON_BODY = { headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' };

/** Sends `method path` twice with `key`: the same framework answer both times, never a replay. */
async function expectNeverStored(app: TestApp, method: string, path: string, key: string, status: number) {
  const first = await app.keyed(path, key, { method, ...JSON_BODY });
  const second = await app.keyed(path, key, { method, ...JSON_BODY });
  expect([first.status, second.status], `${method} ${path}`).toEqual([status, status]);
  expect(second.headers['idempotent-replayed'], `${method} ${path}: not a replay`).toBeUndefined();
  // Had the answer been stored under the key, this would be a 422 (another method or path).
  const order = await app.keyed('/orders', key, JSON_BODY);
  expect(order.status, `${method} ${path}: nothing was stored under the key`).toBe(201);
  expect(order.headers['idempotent-replayed']).toBeUndefined();
}

for (const { name, express } of EXPRESS_VERSIONS) {
  describe(`${name}: a request no route serves, behind app.use(idem)`, () => {
    it("I6 [15.7] Express's final 404, for a path or a method no route serves, is never stored; a route's own 404 is", async () => {
      let lookups = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.use(idem);
          app.post('/orders', (_req, res) => {
            res.status(201).json({ ok: true });
          });
          app.post('/lookups/:id', (req, res) => {
            lookups++;
            res.status(404).json({ error: `no order ${req.params['id']}` });
          });
          return false;
        },
        async (app) => {
          await expectNeverStored(app, 'POST', '/no-such-route', 'a', 404);
          await expectNeverStored(app, 'PATCH', '/orders', 'b', 404);
          const own = await app.keyed('/lookups/7', 'c', JSON_BODY);
          const replay = await app.keyed('/lookups/7', 'c', JSON_BODY);
          expect([own.status, text(own)]).toEqual([404, '{"error":"no order 7"}']);
          expect(replay.headers['idempotent-replayed']).toBe('true');
          expect(lookups).toBe(1);
        },
      );
    });

    it('I6 [15.7] a catch-all not-found middleware after the routes, in a router mounted at a sub-path: not stored', async () => {
      await withExpress(
        express,
        ({ app, express: make, idem }) => {
          const api = make.Router();
          api.use(idem);
          api.use((_req: Request, res: Response) => {
            res.status(404).json({ error: 'not found' });
          });
          app.post('/orders', idem.route(), (_req, res) => {
            res.status(201).json({ ok: true });
          });
          app.use('/api', api);
          return undefined;
        },
        async (app) => {
          await expectNeverStored(app, 'POST', '/api/nothing', 'd', 404);
        },
      );
    });
  });
}
