/** The handlers of the reference app (docs/reference-app.md "Routes"), free of any framework. */

import { sha256Hex } from './multipart.js';
import { randomHex } from './random.js';
import { bodyBytes, bodyJson, integerParam, toSearchParams } from './reference-input.js';
import type {
  CountedRouteId,
  ReferenceHandler,
  ReferenceInput,
  ReferenceResponse,
} from './reference-types.js';
import { sleep } from './sleep.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const BINARY_TYPE = 'application/octet-stream';
/** `?delay=` is capped so that a typo cannot hang a test run. */
const MAX_DELAY_MS = 60_000;

/** Counts one execution of a route and returns its number (1 for the first); `current` reads without counting. */
export type ExecutionCounter = ((route: CountedRouteId) => number) & {
  readonly current: (route: CountedRouteId) => number;
};

function json(
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): ReferenceResponse {
  return { status, headers: { ...headers, 'content-type': JSON_TYPE }, body: JSON.stringify(value) };
}

function hasNoBody(status: number): boolean {
  return status === 204 || status === 304 || status < 200;
}

/**
 * An HTTP error a reference handler throws (`?throw=http`): every app under test rethrows it as its framework's
 * own (Fastify's `statusCode`, Koa's `ctx.throw`, Hono's HTTPException, Nest's HttpException), so that the
 * framework answers it with `status` and the message (docs/behaviour.md J3).
 */
export class ReferenceHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ReferenceHttpError';
  }
}

/**
 * The `n`-byte body of `?bytes=n`: byte `i` is `(i + execution) mod 256`, so two executions give different
 * bytes and a replay of the wrong execution is visible.
 */
export function referenceBytes(length: number, execution: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i + execution) & 0xff;
  return out;
}

/**
 * `POST /orders` and `POST /payments`: counts the execution, waits `?delay=<ms>`, throws for `?throw=1` (an
 * error the framework answers 500) and `?throw=http` (a {@link ReferenceHttpError} 402, which each app turns into
 * its framework's own HTTP error), then
 * answers `?status=<n>` (default 201) with Location, ETag, Cache-Control, a fresh X-Request-Id, a Set-Cookie
 * and the order as JSON, or `?bytes=<n>` bytes instead of JSON. A body that is not JSON gets a business 400.
 */
export function orderHandler(
  route: 'POST /orders' | 'POST /payments' | 'POST /flaky',
  count: ExecutionCounter,
): ReferenceHandler {
  return async (input: ReferenceInput) => {
    const n = count(route);
    const query = toSearchParams(input.query);
    const delay = integerParam(query, 'delay');
    if (delay !== undefined && delay > 0) await sleep(Math.min(delay, MAX_DELAY_MS));
    if (query.get('throw') === '1') throw new Error(`reference ${route}: failing on purpose (throw=1)`);
    if (query.get('throw') === 'http')
      throw new ReferenceHttpError(402, `payment declined ${n} (throw=http)`);
    const requested = integerParam(query, 'status');
    const status = requested !== undefined && requested >= 100 && requested <= 599 ? requested : 201;
    const headers: Record<string, string | string[]> = {
      location: `/orders/${n}`,
      etag: `"${n}"`,
      'cache-control': 'no-store',
      'x-request-id': randomHex(8),
      'set-cookie': [`order=${n}; Path=/`],
    };
    if (hasNoBody(status)) return { status, headers, body: '' };
    const bytes = integerParam(query, 'bytes');
    if (bytes !== undefined) {
      return { status, headers: { ...headers, 'content-type': BINARY_TYPE }, body: referenceBytes(bytes, n) };
    }
    const order = bodyJson(input.body);
    if (typeof order !== 'object' || order === null || Array.isArray(order)) {
      return json(400, { error: 'the body must be a JSON object {item, qty}' });
    }
    const { item = null, qty = null } = order as { item?: unknown; qty?: unknown };
    return json(status, { id: n, item, qty, principal: input.principal ?? null }, headers);
  };
}

/** `PUT /orders/:id`: answers 200 JSON `{"id": <id>, "n": n}`. */
export function putOrderHandler(count: ExecutionCounter): ReferenceHandler {
  return async (input) => {
    const n = count('PUT /orders/:id');
    return json(200, { id: input.params?.['id'] ?? null, n });
  };
}

/** `POST /uploads`: answers 200 `application/octet-stream` with the request's bytes reversed. */
export function uploadHandler(count: ExecutionCounter): ReferenceHandler {
  return async (input) => {
    count('POST /uploads');
    const reversed = bodyBytes(input.body).slice().reverse();
    return { status: 200, headers: { 'content-type': BINARY_TYPE }, body: reversed };
  };
}

/**
 * `POST /flaky` (docs/reference-app.md "POST /flaky", a route added to the contract): the first execution
 * after a start or a `POST /stats/reset` throws; every later one answers as `POST /orders` does. A retry of
 * the failed request, with the same key and body, therefore runs again and succeeds: what a handler that
 * failed half-way looks like.
 */
export function flakyHandler(count: ExecutionCounter): ReferenceHandler {
  const orders = orderHandler('POST /flaky', count);
  return async (input) => {
    const response = await orders(input);
    if (count.current('POST /flaky') === 1)
      throw new Error('reference POST /flaky: failing on its first execution');
    return response;
  };
}

/**
 * `POST /stream` (docs/reference-app.md "POST /stream", a route added to the contract): counts the
 * execution and answers 200 `application/octet-stream` as a stream of `?chunks=<n>` (default 3) chunks of
 * `?bytes=<n>` (default 1024) bytes, a few milliseconds apart. Adapters send it as a stream; idempo does not
 * store streamed bodies and releases the key, so a retry runs again.
 */
export function streamHandler(count: ExecutionCounter): ReferenceHandler {
  return async (input) => {
    const n = count('POST /stream');
    const query = toSearchParams(input.query);
    const chunks = Math.min(integerParam(query, 'chunks') ?? 3, 1_000);
    const size = Math.min(integerParam(query, 'bytes') ?? 1024, 1024 * 1024);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === chunks) {
          controller.close();
          return;
        }
        if (sent > 0) await sleep(5);
        controller.enqueue(referenceBytes(size, n + sent));
        sent++;
      },
    });
    return { status: 200, headers: { 'content-type': BINARY_TYPE }, body };
  };
}

/** One file part of a `POST /forms` body, as the handler saw it. */
export interface ReferenceFormFile {
  /** The part's field name. */
  readonly field: string;
  /** The part's filename. */
  readonly filename: string;
  /** The part's media type (`''` when the part declared none). */
  readonly type: string;
  /** The file's length in bytes. */
  readonly size: number;
  /** The SHA-256 of the file's bytes, lower-case hexadecimal. */
  readonly sha256: string;
}

/**
 * `POST /forms` (docs/reference-app.md "POST /forms", a route added to the contract; issue 15 items 5, 6 and
 * 9): an upload handler. It counts the execution, parses `input.body` (the raw request bytes, as the
 * framework's upload handler read them from the request stream) as the `input.contentType` says
 * (`multipart/form-data` with its boundary, or `application/x-www-form-urlencoded`), with
 * `new Response(bytes, { headers: { 'content-type': contentType } }).formData()`, and answers 200 JSON
 * `{"fields":{name:value},"files":[{"field","filename","type","size","sha256"}]}` in the body's order (a
 * repeated field name keeps its last value; `sha256` is lower-case hex). So a client sees exactly which bytes
 * the handler received: a truncated or empty body shows in `size` and `sha256`. A body that does not parse
 * gets a business 400 JSON `{"error"}`.
 */
export function formsHandler(count: ExecutionCounter): ReferenceHandler {
  return async (input) => {
    count('POST /forms');
    // A copy over a plain ArrayBuffer, which is what a Response body takes.
    const bytes = new Uint8Array(bodyBytes(input.body));
    const headers: Record<string, string> =
      input.contentType === undefined ? {} : { 'content-type': input.contentType };
    let form: FormData;
    try {
      form = await new Response(bytes, { headers }).formData();
    } catch (error) {
      return json(400, { error: `the body is not a form: ${(error as Error).message}` });
    }
    const fields: Record<string, string> = {};
    const files: ReferenceFormFile[] = [];
    for (const [field, value] of form) {
      if (typeof value === 'string') {
        fields[field] = value;
        continue;
      }
      const content = new Uint8Array(await value.arrayBuffer());
      files.push({
        field,
        filename: value.name,
        type: value.type,
        size: content.length,
        sha256: await sha256Hex(content),
      });
    }
    return json(200, { fields, files });
  };
}

/** `POST /raw` (opted out of idempotency): answers 200 JSON `{"n": n}`. */
export function rawHandler(count: ExecutionCounter): ReferenceHandler {
  return async () => json(200, { n: count('POST /raw') });
}

/** `GET /orders/:id`: answers 200 JSON `{"id": <id>}`. */
export function getOrderHandler(count: ExecutionCounter): ReferenceHandler {
  return async (input) => {
    count('GET /orders/:id');
    return json(200, { id: input.params?.['id'] ?? null });
  };
}

/** `GET /stats`: answers 200 JSON `{"executions": {...}}`. */
export function statsHandler(executions: () => Readonly<Record<CountedRouteId, number>>): ReferenceHandler {
  return async () => json(200, { executions: executions() });
}

/** `POST /stats/reset`: zeroes the counters and answers 204. */
export function resetHandler(reset: () => void): ReferenceHandler {
  return async () => {
    reset();
    return { status: 204, headers: {}, body: '' };
  };
}
