/**
 * The reference app on Koa 3: @koa/bodyparser in front, @koa/router for the routes, each route behind
 * `idem.route(route.idempotency)` from @idempo/koa (its own options, or `false` to opt out). `POST /forms` takes
 * uploads as a Koa upload handler does: the body parser leaves multipart alone and the handler reads `ctx.req`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { idempotency } from '@idempo/koa';
import { principalFromAuthorization, type ReferenceRoute } from '@idempo/testing/reference';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa, { type Context, type Middleware } from 'koa';
import type { StartFramework } from '../framework.js';

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Runs a reference handler: the parsed body when the body parser took it, else the raw bytes of ctx.req (always
 * for `POST /forms`, an upload handler reading the stream itself).
 */
function handler(route: ReferenceRoute): Middleware {
  return async (ctx: Context) => {
    const parsed = route.id !== 'POST /forms' && ctx.request.rawBody !== undefined;
    const answer = await route.handle({
      params: ctx['params'] as Record<string, string>,
      query: ctx.querystring,
      body: parsed ? ctx.request.body : await readAll(ctx.req),
      contentType: ctx.get('content-type') || undefined,
      principal: principalFromAuthorization(ctx.get('authorization') || undefined),
    });
    for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value as string | string[]);
    const body = answer.body;
    if (typeof body === 'string') ctx.body = body;
    else if (body instanceof ReadableStream) ctx.body = Readable.fromWeb(body as never);
    else ctx.body = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    ctx.status = answer.status;
  };
}

/** Starts the Koa variant on `host:port`. */
export const start: StartFramework = async ({ idempotency: options, service, host, port }) => {
  const idem =
    options &&
    idempotency({
      ...options,
      principal: (request) => principalFromAuthorization(request.header('authorization')),
    });
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  for (const route of service.routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put';
    if (idem) router[method](route.pattern, idem.route(route.idempotency), handler(route));
    else router[method](route.pattern, handler(route));
  }
  app.use(bodyParser());
  app.use(router.routes());
  app.use(router.allowedMethods());
  const server = createServer(app.callback());
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
