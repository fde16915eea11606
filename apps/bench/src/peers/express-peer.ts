/**
 * The Express peer `express-idempotency`: Express 5 with `express.json()` and the reference handlers, express-idempotency
 * 1.0.6 on `POST /orders`, configured as its README says: the default `Idempotency-Key` header, its default in-memory
 * data adapter, and a handler that returns at once when `isHit(req)` says the middleware has already answered. Its
 * baseline is the reference app's bare Express (`--framework express --store none`), which serves the same handler
 * with `express.json()` in front.
 *
 * It has a JSON error handler, as any Express app in production does: express-idempotency reports a request still
 * in progress (409) and a key reused for another request (417) by calling `next(error)` after setting the status,
 * and Express's default handler would log every such error's stack to stderr.
 */
import type { AddressInfo } from 'node:net';
import type { ReferenceService } from '@idempo/testing/reference';
import express, { type NextFunction, type Request, type Response } from 'express';
import { getSharedIdempotencyService, idempotency } from 'express-idempotency';
import { referenceInput, writeAnswer } from './express-io.js';
import type { PeerStartOptions, RunningPeer } from './peer-types.js';

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;

function handler(
  service: ReferenceService,
  id: 'POST /orders' | 'GET /stats' | 'POST /stats/reset',
): Handler {
  const route = service.route(id);
  return async (req, res, next) => {
    try {
      writeAnswer(res, await route.handle(referenceInput(req)));
    } catch (error) {
      next(error);
    }
  };
}

/** The reference handler behind express-idempotency: nothing runs when the middleware has already answered. */
function unlessHit(run: Handler): Handler {
  return async (req, res, next) => {
    if (getSharedIdempotencyService().isHit(req)) return;
    await run(req, res, next);
  };
}

function errorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  const status = res.statusCode >= 400 ? res.statusCode : 500;
  res.status(status).json({ error: error instanceof Error ? error.message : String(error) });
}

/** Starts the Express peer: express-idempotency on `POST /orders`. */
export async function startExpressPeer(options: PeerStartOptions): Promise<RunningPeer> {
  const app = express();
  app.use(express.json());
  const orders = handler(options.service, 'POST /orders');
  app.post('/orders', idempotency(), unlessHit(orders));
  app.get('/stats', handler(options.service, 'GET /stats'));
  app.post('/stats/reset', handler(options.service, 'POST /stats/reset'));
  app.use(errorHandler);

  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(options.port, options.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    description: 'express 5 + express-idempotency 1.0.6 (its in-memory data adapter)',
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
