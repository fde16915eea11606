/**
 * Errors passed to `next(err)`, thrown, or (Express 5) rejected after idempo let a request through reach core's
 * `threw` before any error handler answers them (J3): by default the key is released and the error handler's
 * answer goes out untouched, so a retry runs again; with `onHandlerError: 'store'` that answer below 500 is stored.
 */
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { EXPRESS_VERSIONS, httpError, text, withExpress } from './support/harness.js';

const JSON_BODY = { headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' };

for (const { name, major, express } of EXPRESS_VERSIONS) {
  describe(`${name}: errors after idempo`, () => {
    it('J3 next(err) from a route, a thrown error and a middleware after app.use(idem) release the key: the error handler answers each time', async () => {
      const runs = { next: 0, thrown: 0, middleware: 0 };
      await withExpress(
        express,
        ({ app, idem }) => {
          app.use(express.json());
          app.use(idem);
          app.post('/next', (_req, _res, next) => {
            runs.next++;
            next(httpError(402, 'payment declined'));
          });
          app.post('/thrown', () => {
            runs.thrown++;
            throw httpError(409, 'conflict in the handler');
          });
          app.use('/guarded', (_req: Request, _res: Response, next: NextFunction) => {
            runs.middleware++;
            next(httpError(401, 'who are you'));
          });
          return undefined;
        },
        async (app) => {
          for (const [path, status, message] of [
            ['/next', 402, 'payment declined'],
            ['/thrown', 409, 'conflict in the handler'],
            ['/guarded/x', 401, 'who are you'],
          ] as const) {
            const first = await app.keyed(path, `k${path}`, JSON_BODY);
            const second = await app.keyed(path, `k${path}`, JSON_BODY);
            expect([first.status, text(first)], path).toEqual([status, message]);
            expect([second.status, second.headers['idempotent-replayed']], path).toEqual([status, undefined]);
          }
          expect(runs).toEqual({ next: 2, thrown: 2, middleware: 2 });
        },
      );
    });

    it("J3 idem.route() in a router with its own error handler, mounted at a sub-path: released; with onHandlerError 'store' the 4xx answer is stored, a 500 is not", async () => {
      for (const onHandlerError of ['release', 'store'] as const) {
        const runs = { declined: 0, crash: 0 };
        await withExpress(
          express,
          ({ app, express: make, idem }) => {
            const api = make.Router();
            api.post('/declined', idem.route(), (_req, _res, next) => {
              runs.declined++;
              next(httpError(402, 'payment declined'));
            });
            api.post('/crash', idem.route(), () => {
              runs.crash++;
              throw new Error('boom');
            });
            api.use((error: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
              res.status(error.status ?? 500).json({ error: error.status ?? 500 });
            });
            app.use('/api', api);
            return undefined;
          },
          async (app) => {
            const first = await app.keyed('/api/declined', 'd', JSON_BODY);
            const second = await app.keyed('/api/declined', 'd', JSON_BODY);
            expect([first.status, text(first)]).toEqual([402, '{"error":402}']);
            expect(second.headers['idempotent-replayed'], onHandlerError).toBe(
              onHandlerError === 'store' ? 'true' : undefined,
            );
            expect(text(second)).toBe(text(first));
            expect(runs.declined, onHandlerError).toBe(onHandlerError === 'store' ? 1 : 2);
            await app.keyed('/api/crash', 'c', JSON_BODY);
            const crash = await app.keyed('/api/crash', 'c', JSON_BODY);
            expect([crash.status, crash.headers['idempotent-replayed']]).toEqual([500, undefined]);
            expect(runs.crash).toBe(2);
          },
          { onHandlerError },
        );
      }
    });

    it.runIf(major === 5)('J3 Express 5: a rejected async handler releases the key', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.post('/orders', idem.route(), async () => {
            runs++;
            await new Promise((resolve) => setTimeout(resolve, 5));
            throw httpError(402, 'payment declined');
          });
          return undefined;
        },
        async (app) => {
          expect((await app.keyed('/orders', 'a', JSON_BODY)).status).toBe(402);
          expect((await app.keyed('/orders', 'a', JSON_BODY)).status).toBe(402);
          expect(runs).toBe(2);
        },
      );
    });

    it('J3 an error handler added after the first request still comes after idempo', async () => {
      let runs = 0;
      let late = false;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.use(idem);
          app.post('/orders', (_req, _res, next) => {
            runs++;
            next(httpError(402, 'payment declined'));
          });
          app.post('/add', (_req, res) => {
            if (!late) {
              late = true;
              app.post('/later', (_q: Request, _r: Response, next: NextFunction) => {
                runs++;
                next(httpError(403, 'later'));
              });
              app.use((_error: unknown, _q: Request, r: Response, _n: NextFunction) => {
                r.status(418).send('late handler');
              });
            }
            res.send('added');
          });
          return false;
        },
        async (app) => {
          expect((await app.keyed('/orders', 'a', JSON_BODY)).status, 'Express final handler').toBe(402);
          expect(text(await app.request({ method: 'POST', path: '/add' }))).toBe('added');
          const first = await app.keyed('/later', 'b', JSON_BODY);
          const second = await app.keyed('/later', 'b', JSON_BODY);
          expect([first.status, text(first), second.headers['idempotent-replayed']]).toEqual([
            418,
            'late handler',
            undefined,
          ]);
          expect(runs).toBe(3);
        },
      );
    });
  });
}
