/**
 * The reference app on Hono, served on Node by @hono/node-server: `app.use('*', idem)` from @idempo/hono for
 * every route, and `idem.route(route.idempotency)` on the routes that have options of their own (or opt out).
 * `POST /forms` reads the upload the way a Hono upload handler does, `await c.req.arrayBuffer()`.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { idempotency } from '@idempo/hono';
import { principalFromAuthorization, type ReferenceRoute } from '@idempo/testing/reference';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { StartFramework } from '../framework.js';

/** The body as a Hono handler reads it: parsed JSON (text when it is not JSON), else the raw bytes. */
async function bodyOf(c: Context): Promise<unknown> {
  if (c.req.method === 'GET') return undefined;
  if ((c.req.header('content-type') ?? '').startsWith('application/json')) {
    return c.req.json().catch(() => c.req.text());
  }
  return new Uint8Array(await c.req.arrayBuffer());
}

/**
 * Runs a reference handler and answers with `c.body()`: text, bytes, or a stream sent as it comes, declared as a
 * stream (`Transfer-Encoding: chunked`, as Hono's `streamText` and `streamSSE` do).
 */
function handler(route: ReferenceRoute) {
  const upload = route.id === 'POST /forms';
  return async (c: Context) => {
    const mark = c.req.url.indexOf('?');
    const answer = await route.handle({
      params: c.req.param(),
      query: mark < 0 ? '' : c.req.url.slice(mark + 1),
      body: upload ? new Uint8Array(await c.req.arrayBuffer()) : await bodyOf(c),
      contentType: c.req.header('content-type'),
      principal: principalFromAuthorization(c.req.header('authorization')),
    });
    const body = answer.body === '' ? null : answer.body;
    const headers = answer.headers as Record<string, string>;
    return c.body(
      body as ReadableStream,
      answer.status as ContentfulStatusCode,
      body instanceof ReadableStream ? { ...headers, 'transfer-encoding': 'chunked' } : headers,
    );
  };
}

/** Starts the Hono variant on `host:port`. */
export const start: StartFramework = async ({ idempotency: options, service, host, port }) => {
  const idem =
    options &&
    idempotency({
      ...options,
      principal: (request) => principalFromAuthorization(request.header('authorization')),
    });
  const app = new Hono();
  app.onError((error, c) => {
    console.error(`reference app: ${error.message}`);
    return c.text('internal error', 500);
  });
  if (idem) app.use('*', idem);
  for (const route of service.routes) {
    if (!idem || route.idempotency === undefined) app.on(route.method, route.pattern, handler(route));
    else app.on(route.method, route.pattern, idem.route(route.idempotency), handler(route));
  }
  const { server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>(
    (resolve) => {
      const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => resolve({ server, info }));
    },
  );
  return {
    port: info.port,
    close: async () => {
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
};
