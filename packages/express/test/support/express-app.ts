/**
 * The reference routes served by a real Express server (5, or 4 through the `express4` alias) on 127.0.0.1 and a
 * free port, with or without `express.json()` in front (keeping the raw bytes or not), idempo per route (`idem.route`) or for the whole app
 * (`app.use(idem)`), an error handler that answers an HTTP error with its status and message.
 */
import type { RequestListener } from 'node:http';
import { Readable } from 'node:stream';
import {
  type AdapterApp,
  type AdapterAppOptions,
  createReferenceService,
  principalFromAuthorization,
  type ReferenceRoute,
  type ReferenceService,
} from '@idempo/testing';
import { serveHttp } from '@idempo/testing/node-http';
import express5, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import express4 from 'express4';
import { type IdempotencyMiddleware, idempotency, keepRawBody } from '../../src/index.js';

/** The Express majors under test. */
export const EXPRESS_VERSIONS = [
  { name: 'express 5', major: 5, express: express5 },
  { name: 'express 4', major: 4, express: express4 },
] as const;

/** How the app under test is put together. */
export interface ExpressAppSetup {
  /** Which Express. Default `5`. */
  readonly express?: 4 | 5 | undefined;
  /** `express.json()` in front of idempo. Default `true`. */
  readonly bodyParser?: boolean | undefined;
  /** The parser keeps the bytes it read (`verify: keepRawBody`). Default `false`: core sees the parsed body. */
  readonly rawBody?: boolean | undefined;
  /** `app.use(idem)` for every route instead of `idem.route(...)` per route. Default `false`. */
  readonly appWide?: boolean | undefined;
}

/** A running app: the suite's view, its port, its service and its middleware. */
export interface RunningExpressApp extends AdapterApp {
  readonly port: number;
  readonly service: ReferenceService;
  readonly idem: IdempotencyMiddleware;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The query string of the URL the client sent, without its `?`. */
function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/**
 * Whether a body parser took the body: body-parser 1 (Express 4) marks it `req._body` (and sets `req.body = {}`
 * for every request); body-parser 2 (Express 5) sets `req.body` only for a body it parsed. Express 4 keeps its
 * router as `app._router`, Express 5 as `app.router`.
 */
function parsedByBodyParser(req: Request): boolean {
  if ((req as { _body?: unknown })._body === true) return true;
  return (req.app as { _router?: unknown })._router === undefined && req.body !== undefined;
}

/**
 * An Express handler for a reference route: the body parser's value when it parsed one, else the raw bytes. `POST
 * /forms` is an upload handler as Express apps write them: it reads `req` itself, whatever ran before.
 */
export function handler(route: ReferenceRoute): RequestHandler {
  return (req, res, next) => {
    const parsed = route.id !== 'POST /forms' && parsedByBodyParser(req);
    const body = parsed ? Promise.resolve(req.body as unknown) : readAll(req);
    body
      .then((input) =>
        route.handle({
          params: req.params as Record<string, string>,
          query: queryOf(req.originalUrl),
          body: input,
          contentType: req.get('content-type') || undefined,
          principal: principalFromAuthorization(req.get('authorization') || undefined),
        }),
      )
      .then((answer) => {
        res.status(answer.status);
        for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value as string);
        const out = answer.body;
        if (out instanceof ReadableStream) Readable.fromWeb(out as never).pipe(res);
        else if (typeof out === 'string') res.send(out);
        else res.send(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
      })
      .catch(next);
  };
}

/** Answers an HTTP error (`status`) with its status and message, anything else with a 500. */
export const errorHandler: ErrorRequestHandler = (
  error: { status?: unknown; message?: string },
  _req,
  res,
  _next,
) => {
  const status = typeof error.status === 'number' ? error.status : 500;
  res
    .status(status)
    .type('text/plain')
    .send(status < 500 ? String(error.message) : 'Internal Server Error');
};

/** Starts the app; `close()` closes the server. */
export async function startExpressApp(
  options: AdapterAppOptions,
  setup: ExpressAppSetup = {},
): Promise<RunningExpressApp> {
  const service = createReferenceService();
  const idem = idempotency({
    ...options,
    principal: (request) => principalFromAuthorization(request.header('authorization')),
  });
  const express = setup.express === 4 ? express4 : express5;
  const app = express();
  if (setup.bodyParser !== false)
    app.use(express.json(setup.rawBody === true ? { verify: keepRawBody } : {}));
  if (setup.appWide === true) app.use(idem);
  for (const route of service.routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put';
    if (setup.appWide === true) app[method](route.pattern, handler(route));
    else app[method](route.pattern, idem.route(route.idempotency), handler(route));
  }
  app.use(errorHandler);
  return { ...(await serveHttp(app as unknown as RequestListener)), service, idem };
}
