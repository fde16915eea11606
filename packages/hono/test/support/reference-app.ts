/**
 * The reference routes (`@idempo/testing`) on a real Hono app behind `@idempo/hono`, reached with `app.request()`.
 * Handlers read the body the way Hono apps do (`c.req.json()`, `c.req.arrayBuffer()`) after the middleware did;
 * `POST /forms` reads the upload the way a Hono upload handler does, `await c.req.arrayBuffer()`.
 */
import {
  type AdapterApp,
  type AdapterAppOptions,
  type AdapterRequest,
  type AdapterResponse,
  createReferenceService,
  principalFromAuthorization,
  type ReferenceResponse,
  type ReferenceRoute,
} from '@idempo/testing';
import { ReferenceHttpError } from '@idempo/testing/reference';
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type IdempotencyMiddleware, idempotency } from '../../src/index.js';

/**
 * How the routes get their options: `app-wide` is `app.use('*', idem)` with `idem.route(options)` on the
 * routes that have their own; `per-route` is `idem.route(options)` on every route and no `app.use`.
 */
export type RegistrationStyle = 'app-wide' | 'per-route';

/** The request's query string, raw, without `?`. */
export function rawQuery(c: Context): string {
  const mark = c.req.url.indexOf('?');
  return mark < 0 ? '' : c.req.url.slice(mark + 1);
}

async function bodyOf(c: Context): Promise<unknown> {
  if (c.req.method === 'GET') return undefined;
  if ((c.req.header('content-type') ?? '').startsWith('application/json')) {
    return c.req.json().catch(() => c.req.text());
  }
  return new Uint8Array(await c.req.arrayBuffer());
}

/**
 * Writes a reference answer with Hono's own helpers. A stream goes through `c.body(stream)` declared as a stream
 * (`Transfer-Encoding: chunked`, as Hono's `streamText` and `streamSSE` do), so that it reaches the client as it
 * is produced.
 */
export function write(c: Context, answer: ReferenceResponse): Response {
  const body = answer.body === '' ? null : answer.body;
  const headers = answer.headers as Record<string, string>;
  return c.body(
    body as ReadableStream,
    answer.status as ContentfulStatusCode,
    body instanceof ReadableStream ? { ...headers, 'transfer-encoding': 'chunked' } : headers,
  );
}

function handler(route: ReferenceRoute) {
  const upload = route.id === 'POST /forms';
  return async (c: Context) =>
    write(
      c,
      await route
        .handle({
          params: c.req.param(),
          query: rawQuery(c),
          body: upload ? new Uint8Array(await c.req.arrayBuffer()) : await bodyOf(c),
          contentType: c.req.header('content-type'),
          principal: principalFromAuthorization(c.req.header('authorization')),
        })
        .catch((error: unknown) => {
          // A reference HTTP error as Hono's own.
          if (error instanceof ReferenceHttpError)
            throw new HTTPException(error.status as ContentfulStatusCode, { message: error.message });
          throw error;
        }),
    );
}

/** The Hono app serving every reference route; `HonoClass` lets a test run another Hono version. */
export function referenceHonoApp(
  options: AdapterAppOptions,
  style: RegistrationStyle = 'app-wide',
  HonoClass: typeof Hono = Hono,
): { app: Hono; idem: IdempotencyMiddleware } {
  const service = createReferenceService();
  const idem = idempotency({
    ...options,
    principal: (request) => principalFromAuthorization(request.header('authorization')),
  });
  const app = new HonoClass();
  // As Hono apps do: an HTTPException answers itself, anything else is a 500.
  app.onError((error, c) =>
    error instanceof HTTPException ? error.getResponse() : c.text('internal error', 500),
  );
  if (style === 'app-wide') app.use('*', idem);
  for (const route of service.routes) {
    if (style === 'per-route' || route.idempotency !== undefined) {
      app.on(route.method, route.pattern, idem.route(route.idempotency), handler(route));
    } else {
      app.on(route.method, route.pattern, handler(route));
    }
  }
  return { app, idem };
}

/**
 * Sends an {@link AdapterRequest} through `app.request()` and reads the whole response. Its `signal` goes into the
 * Request, as @hono/node-server does when the client disconnects.
 */
export async function send(app: Hono, request: AdapterRequest): Promise<AdapterResponse> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    for (const v of typeof value === 'string' ? [value] : value) headers.append(name, v);
  }
  const res = await app.request(request.path, {
    method: request.method,
    headers,
    body: (request.body ?? null) as BodyInit | null,
    signal: request.signal ?? null,
  });
  return toAdapterResponse(res);
}

/** A fetch `Response` as the suite's {@link AdapterResponse}: Set-Cookie one entry per field line. */
export async function toAdapterResponse(res: Response): Promise<AdapterResponse> {
  const headers: Record<string, string | string[]> = {};
  res.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return { status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/** An {@link AdapterApp} for `adapterSuite`. */
export function makeHonoApp(style: RegistrationStyle = 'app-wide', HonoClass: typeof Hono = Hono) {
  return (options: AdapterAppOptions): AdapterApp => {
    const { app } = referenceHonoApp(options, style, HonoClass);
    return { request: (request) => send(app, request), close: async () => {} };
  };
}
