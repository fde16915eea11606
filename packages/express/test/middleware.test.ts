/** `app.use(idempotency())`, `idem.route()`, options validated once, the principal, mounted routers. */
import { InvalidOptionsError, MemoryStore } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { EXPRESS_VERSIONS, text, withExpress } from './support/harness.js';

const JSON_BODY = { headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' };

for (const { name, express } of EXPRESS_VERSIONS) {
  describe(`${name}: registration`, () => {
    it('C14 C15 app.use(idem) protects every route with the application options; GET and key-less requests pass', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.use(idem);
          app.post('/orders', (_req, res) => {
            res.status(201).json({ n: ++runs });
          });
          app.get('/orders', (_req, res) => {
            res.json({ n: runs });
          });
          return undefined;
        },
        async (app) => {
          const first = await app.keyed('/orders', 'a');
          expect([first.status, text(first)]).toEqual([201, '{"n":1}']);
          const replay = await app.keyed('/orders', 'a');
          expect([replay.status, replay.headers['idempotent-replayed'], text(replay)]).toEqual([
            201,
            'true',
            '{"n":1}',
          ]);
          expect(replay.headers['etag']).toBe(first.headers['etag']);
          expect(text(await app.keyed('/orders', 'a', { method: 'GET' }))).toBe('{"n":1}');
          expect(text(await app.request({ method: 'POST', path: '/orders' }))).toBe('{"n":2}');
          expect((await app.keyed('/orders', '"unclosed')).status).toBe(400);
          expect(runs).toBe(2);
        },
      );
    });

    it('B idem.route(options) gives a route its own options; idem.route(false) opts it out', async () => {
      const runs = { pay: 0, hook: 0, put: 0 };
      await withExpress(
        express,
        ({ app, idem }) => {
          app.post('/payments', idem.route({ required: true }), (_req, res) => {
            res.json({ n: ++runs.pay });
          });
          app.post('/hooks', idem.route(false), (_req, res) => {
            res.json({ n: ++runs.hook });
          });
          app.put('/items/:id', idem.route({ methods: ['PUT'] }), (req, res) => {
            res.json({ id: req.params['id'], n: ++runs.put });
          });
          return undefined;
        },
        async (app) => {
          const missing = await app.request({ method: 'POST', path: '/payments' });
          expect([missing.status, missing.headers['content-type']]).toEqual([
            400,
            'application/problem+json',
          ]);
          expect((await app.keyed('/hooks', '"unclosed')).status, 'an opted-out route ignores the key').toBe(
            200,
          );
          await app.keyed('/hooks', 'h');
          expect(runs.hook).toBe(2);
          const put = await app.keyed('/items/7', 'p', { method: 'PUT' });
          const again = await app.keyed('/items/7', 'p', { method: 'PUT' });
          expect([text(put), again.headers['idempotent-replayed']]).toEqual(['{"id":"7","n":1}', 'true']);
          expect(runs.put).toBe(1);
        },
      );
    });

    it('J2 a route with options of its own behind app.use(idem) is refused (500), never silently ignored', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.use(idem);
          app.post('/payments', idem.route({ required: true }), (_req, res) => {
            res.json({ n: ++runs });
          });
          app.post('/orders', idem.route(), (_req, res) => {
            res.status(201).json({ n: ++runs });
          });
          return undefined;
        },
        async (app) => {
          expect((await app.keyed('/payments', 'a')).status).toBe(500);
          const first = await app.keyed('/orders', 'b');
          const second = await app.keyed('/orders', 'b');
          expect([first.status, second.headers['idempotent-replayed']]).toEqual([201, 'true']);
          expect(runs, 'reserved once, by app.use(idem); the handler ran once').toBe(1);
        },
      );
    });

    it('route options are validated at registration, once', () => {
      const idem = idempotency({ store: new MemoryStore() });
      expect(() => idem.route({ leaseMs: -1 })).toThrow(InvalidOptionsError);
    });

    it('I7 [15.8] a principal that is not a string is a 500 problem+json and the handler does not run', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.post('/orders', idem.route(), (_req, res) => {
            res.json({ n: ++runs });
          });
          return undefined;
        },
        async (app) => {
          const response = await app.keyed('/orders', 'a', JSON_BODY);
          expect([response.status, response.headers['content-type']]).toEqual([
            500,
            'application/problem+json',
          ]);
          expect(runs).toBe(0);
        },
        { principal: (() => 42) as never },
      );
    });

    it('C14 C17 an Express sub-app behind app.use(idem), or with idem inside it: the answer is stored and replayed, the handler runs once', async () => {
      const runs = { outer: 0, inner: 0 };
      await withExpress(
        express,
        ({ app, express: make, idem }) => {
          // The sub-app sets its own prototype on the response when the request enters it (its expressInit).
          const outer = make();
          outer.post('/orders', (_req, res) => {
            res.status(201).json({ sub: 'outer', n: ++runs.outer });
          });
          const inner = make();
          inner.use(idem);
          inner.post('/orders', (_req, res) => {
            // writeHead itself, while the app's response prototype holds idem's write methods too.
            res.writeHead(201, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ sub: 'inner', n: ++runs.inner }));
          });
          app.use('/in', inner);
          app.use(idem);
          app.use('/v1', outer);
          return undefined;
        },
        async (app) => {
          for (const [path, sub] of [
            ['/v1/orders', 'outer'],
            ['/in/orders', 'inner'],
          ] as const) {
            const first = await app.keyed(path, sub, JSON_BODY);
            expect([first.status, text(first)]).toEqual([201, `{"sub":"${sub}","n":1}`]);
            const replay = await app.keyed(path, sub, JSON_BODY);
            expect([replay.status, replay.headers['idempotent-replayed'], text(replay)]).toEqual([
              201,
              'true',
              `{"sub":"${sub}","n":1}`,
            ]);
          }
          expect(runs).toEqual({ outer: 1, inner: 1 });
        },
      );
    });

    it('J1 a router mounted at a sub-path: core sees req.originalUrl, so /a/orders and /b/orders are two requests', async () => {
      const runs = { a: 0, b: 0 };
      await withExpress(
        express,
        ({ app, express: make, idem }) => {
          for (const prefix of ['a', 'b'] as const) {
            const router = make.Router();
            router.use(idem);
            router.post('/orders', (_req, res) => {
              res.status(201).json({ prefix, n: ++runs[prefix] });
            });
            app.use(`/${prefix}`, router);
          }
          return undefined;
        },
        async (app) => {
          const first = await app.keyed('/a/orders?x=1', 'k', JSON_BODY);
          expect([first.status, text(first)]).toEqual([201, '{"prefix":"a","n":1}']);
          const replay = await app.keyed('/a/orders?x=1', 'k', JSON_BODY);
          expect(replay.headers['idempotent-replayed']).toBe('true');
          const other = await app.keyed('/b/orders?x=1', 'k', JSON_BODY);
          expect(other.status, 'the same key on another path is another request').toBe(422);
          expect(runs).toEqual({ a: 1, b: 0 });
        },
      );
    });
  });
}
