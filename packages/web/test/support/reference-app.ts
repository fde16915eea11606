/**
 * The reference routes (`@idempo/testing`) as Web-standard handlers, each wrapped by `withIdempotency` with the
 * route's options over the application's, behind a small router (method and `:name` pattern) that answers 404
 * for a path with no route. Handlers read the body the way fetch handlers do (`request.json()`,
 * `request.arrayBuffer()`) after idempo read it; `POST /forms` reads `request.body` as a stream itself.
 */
import type { RouteOptions } from '@idempo/core';
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
import { type WebIdempotencyOptions, withIdempotency } from '../../src/index.js';

/** The route handler shape every runtime calls: the request and whatever comes after it. */
export type Handler = (request: Request, ...rest: unknown[]) => Promise<Response>;

/** Reads the whole stream, chunk by chunk, as an upload handler does. */
async function readStream(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    total += chunk.length;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

async function bodyOf(request: Request): Promise<unknown> {
  if (request.method === 'GET') return undefined;
  if ((request.headers.get('content-type') ?? '').startsWith('application/json')) {
    const text = await request.text();
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return new Uint8Array(await request.arrayBuffer());
}

/**
 * A reference answer as a `Response`. A stream is declared one (`Transfer-Encoding: chunked`), as a handler that
 * means its body to reach the client as it is produced does, so that it is passed through and not stored.
 */
export function write(answer: ReferenceResponse): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const v of typeof value === 'string' ? [value] : value) headers.append(name, v);
  }
  if (answer.body instanceof ReadableStream) headers.set('transfer-encoding', 'chunked');
  const body = answer.body === '' ? null : answer.body;
  return new Response(body as BodyInit | null, { status: answer.status, headers });
}

/** The reference route's handler, with its parameters from the router. */
function handlerOf(route: ReferenceRoute, params: () => Record<string, string>): Handler {
  const upload = route.id === 'POST /forms';
  return async (request) => {
    const url = new URL(request.url);
    return write(
      await route.handle({
        params: params(),
        query: url.search.slice(1),
        body: upload ? await readStream(request.body) : await bodyOf(request),
        contentType: request.headers.get('content-type') ?? undefined,
        principal: principalFromAuthorization(request.headers.get('authorization')),
      }),
    );
  };
}

/** This app's answer to a thrown error, as a framework's error handler: an HTTP error its status, else 500. */
export function answerError(error: unknown): Response {
  if (error instanceof ReferenceHttpError)
    return new Response(error.message, { status: error.status, headers: { 'content-type': 'text/plain' } });
  return new Response('internal error', { status: 500, headers: { 'content-type': 'text/plain' } });
}

/** The options of one route: the application's, the route's over them. */
function routeOptions(
  options: AdapterAppOptions,
  route: RouteOptions | undefined,
): WebIdempotencyOptions<unknown[]> {
  return {
    ...options,
    ...route,
    principal: (request) => principalFromAuthorization(request.header('authorization')),
    onError: answerError,
  };
}

/**
 * Every reference route behind `withIdempotency` (a route that opts out is served bare), and the router: the
 * `fetch`-style handler of the whole app. Parameters reach a handler as Next.js's do, in the second argument.
 */
export function referenceWebApp(options: AdapterAppOptions): {
  fetch: (request: Request) => Promise<Response>;
} {
  const service = createReferenceService();
  const handlers = new Map<string, Handler>();
  for (const route of service.routes) {
    const inner = (request: Request, context: unknown) =>
      handlerOf(route, () => (context as { params: Record<string, string> }).params)(request);
    handlers.set(
      route.id,
      route.idempotency === false
        ? inner
        : (withIdempotency(inner, routeOptions(options, route.idempotency)) as Handler),
    );
  }
  return {
    async fetch(request) {
      const found = service.match(request.method, new URL(request.url).pathname);
      if (!found) return new Response('not found', { status: 404 });
      const handler = handlers.get(found.route.id) as Handler;
      try {
        return await handler(request, { params: found.params });
      } catch (error) {
        return answerError(error);
      }
    },
  };
}

/** Sends an {@link AdapterRequest} to `fetch` as a `Request` (its `signal` in it) and reads the whole response. */
export async function send(
  fetch: (request: Request) => Promise<Response>,
  request: AdapterRequest,
): Promise<AdapterResponse> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    for (const v of typeof value === 'string' ? [value] : value) headers.append(name, v);
  }
  const body = request.body ?? null;
  const res = await fetch(
    new Request(`http://localhost${request.path}`, {
      method: request.method,
      headers,
      body: body as BodyInit | null,
      signal: request.signal ?? null,
    }),
  );
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

/** An {@link AdapterApp} for `adapterSuite`: the app's `fetch` driven directly, as a runtime calls it. */
export function makeWebApp(options: AdapterAppOptions): AdapterApp {
  const { fetch } = referenceWebApp(options);
  return { request: (request) => send(fetch, request), close: async () => {} };
}
