/**
 * The reference routes served by a real Koa server (3, or 2 through the `koa2` alias) on 127.0.0.1 and a free
 * port, behind `@koa/router`, with or without `@koa/bodyparser`, idempo per route (`idem.route`).
 */
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
import { ReferenceHttpError } from '@idempo/testing/reference';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa3, { type Context, type Middleware } from 'koa';
import Koa2 from 'koa2';
import { type IdempotencyMiddleware, idempotency } from '../../src/index.js';

/** How the app under test is put together. */
export interface KoaAppSetup {
  /** Which Koa. Default `3`. */
  readonly koa?: 2 | 3 | undefined;
  /** `@koa/bodyparser` in front of idempo. Default `true`. */
  readonly bodyParser?: boolean | undefined;
  /** Middleware run before the router (after idempo's app-level middleware, when there is one). */
  readonly before?: readonly Middleware[] | undefined;
}

/** A running app: the suite's view, the Koa app, its service and its middleware. */
export interface RunningKoaApp extends AdapterApp {
  readonly port: number;
  readonly service: ReferenceService;
  readonly idem: IdempotencyMiddleware;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A Koa handler for a reference route: the body parser's value when it parsed one, else the raw bytes. `POST
 * /forms` is an upload handler as Koa apps write them: it reads `ctx.req` itself, whatever ran before.
 */
function handler(route: ReferenceRoute): Middleware {
  return async (ctx: Context) => {
    const parsed = route.id !== 'POST /forms' && (ctx.request as { rawBody?: unknown }).rawBody !== undefined;
    const body = parsed ? (ctx.request as { body?: unknown }).body : await readAll(ctx.req);
    const answer = await route
      .handle({
        params: ctx['params'] as Record<string, string>,
        query: ctx.querystring,
        body,
        contentType: ctx.get('content-type') || undefined,
        principal: principalFromAuthorization(ctx.get('authorization') || undefined),
      })
      .catch((error: unknown) => {
        // A reference HTTP error as Koa's own (http-errors, exposed).
        if (error instanceof ReferenceHttpError) ctx.throw(error.status, error.message);
        throw error;
      });
    ctx.status = answer.status;
    for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value as string | string[]);
    const out = answer.body;
    if (typeof out === 'string') ctx.body = out;
    else if (out instanceof ReadableStream) ctx.body = Readable.fromWeb(out as never);
    else ctx.body = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    ctx.status = answer.status;
  };
}

/** Starts the app; `close()` closes the server. */
export async function startKoaApp(
  options: AdapterAppOptions,
  setup: KoaAppSetup = {},
): Promise<RunningKoaApp> {
  const service = createReferenceService();
  const idem = idempotency({
    ...options,
    principal: (request) => principalFromAuthorization(request.header('authorization')),
  });
  const app = setup.koa === 2 ? new Koa2() : new Koa3();
  app.silent = true;
  const router = new Router();
  for (const route of service.routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put';
    router[method](route.pattern, idem.route(route.idempotency), handler(route));
  }
  if (setup.bodyParser !== false) app.use(bodyParser() as Middleware);
  for (const middleware of setup.before ?? []) app.use(middleware);
  app.use(router.routes() as Middleware);
  return { ...(await serveHttp(app.callback())), service, idem };
}
