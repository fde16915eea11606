/**
 * The reference app on Express 5: `express.json()` in front (keeping the bytes it read for the fingerprint), each route behind `idem.route(route.idempotency)`
 * from @idempo/express (its own options, or `false` to opt out). Bodies `express.json()` does not take (an
 * upload, octets) are read from `req` by the handler, as `POST /forms` always does (an upload handler reading the
 * stream itself). A thrown error goes to the error handler last in the app: an HTTP error (`status` 400-499) is
 * answered with its status and message, anything else logged to stderr and answered 500 `internal error`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { idempotency, keepRawBody } from '@idempo/express';
import { principalFromAuthorization, type ReferenceRoute } from '@idempo/testing/reference';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { StartFramework } from '../framework.js';

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Runs a reference handler: the parsed body when `express.json()` took it (Express 5 sets `req.body` only then),
 * else the raw bytes of `req` (always for `POST /forms`, an upload handler reading the stream itself).
 */
function handler(route: ReferenceRoute): RequestHandler {
  return (req, res, next) => {
    const parsed = route.id !== 'POST /forms' && req.body !== undefined;
    const url = req.originalUrl;
    const mark = url.indexOf('?');
    (parsed ? Promise.resolve(req.body as unknown) : readAll(req))
      .then((body) =>
        route.handle({
          params: req.params as Record<string, string>,
          query: mark === -1 ? '' : url.slice(mark + 1),
          body,
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

/** An HTTP error with its status and message; anything else logged and answered 500 `internal error`. */
const errorHandler: ErrorRequestHandler = (
  error: { status?: unknown; message?: unknown },
  _req,
  res,
  _next,
) => {
  const status =
    typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(`reference app: ${String(error.message ?? error)}`);
  res
    .status(status)
    .type('text/plain; charset=utf-8')
    .send(status === 500 ? 'internal error' : String(error.message));
};

/** Starts the Express variant on `host:port`. */
export const start: StartFramework = async ({ idempotency: options, service, host, port }) => {
  const idem =
    options &&
    idempotency({
      ...options,
      principal: (request) => principalFromAuthorization(request.header('authorization')),
    });
  const app = express();
  app.use(express.json({ verify: keepRawBody }));
  for (const route of service.routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put';
    if (idem) app[method](route.pattern, idem.route(route.idempotency), handler(route));
    else app[method](route.pattern, handler(route));
  }
  app.use(errorHandler);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeIdleConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
};
