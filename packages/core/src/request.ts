/**
 * What an adapter hands to the engine, and what the engine hands back to it. These shapes are the whole
 * interface between a framework and core.
 */
import type { HeaderEntry, HeaderInput } from './headers.js';
import type { RouteOptions } from './options.js';

/**
 * The raw request body bytes, or a function that reads them (called only when a fingerprint is needed). The
 * function receives the route's `maxRequestBodyBytes` and should stop reading past it, throwing
 * `RequestTooLargeError` (see `readBoundedBody`); bytes longer than the limit are refused with 413
 * either way. It throws `UnreadableBodyError` when the adapter cannot see the bytes the handler will consume:
 * the request is answered 500 problem+json (`unreadable_body`), nothing reserved.
 */
export type RequestBody =
  | Uint8Array
  | null
  | undefined
  | ((maxBytes: number) => Uint8Array | null | undefined | Promise<Uint8Array | null | undefined>);

/**
 * What `principal` and `fingerprint` functions see of a request. `TContext` is the framework's own request
 * object (e.g. a `FastifyRequest` or a Hono `Context`).
 */
export interface IdempotencyRequestInfo<TContext = unknown> {
  /** The HTTP method. */
  readonly method: string;
  /** The concrete path, route parameters filled in, without the query string. */
  readonly path: string;
  /** The raw query string without the leading `?`. */
  readonly query?: string | undefined;
  /** Reads a request header by lower-case name: its value, one value per field line, or nothing. */
  readonly header: (name: string) => string | readonly string[] | null | undefined;
  /** The framework's request, handed to `principal` and `fingerprint` functions. */
  readonly context: TContext;
}

/** One incoming request, as an adapter translates it: raw facts only; core derives the rest, once. */
export interface IdempotencyRequest<TContext = unknown> {
  /** The HTTP method. */
  readonly method: string;
  /**
   * The request target as received, before any router rewrote it: origin-form (`/v1/orders/7?x=1`) or an
   * absolute URL (`https://api.example/v1/orders/7?x=1`, as fetch-style frameworks hold it). Core splits path
   * and query from it.
   */
  readonly url: string;
  /** Reads a request header by lower-case name: its value, one value per field line, or nothing. */
  readonly header: (name: string) => string | readonly string[] | null | undefined;
  /** The framework's request, handed to `principal` and `fingerprint` functions. */
  readonly context: TContext;
  /**
   * The raw body bytes, exactly as received, or a function that reads them. `undefined` (or a function
   * resolving to it) says the bytes cannot be seen (a body parser consumed them and kept no copy): core then
   * fingerprints `parsedBody()`.
   */
  readonly body?: RequestBody;
  /**
   * The body as a parser left it, when the raw bytes cannot be seen. Core fingerprints it as canonical JSON and
   * reports it once per engine (event `parsed-body`, or a console warning when nobody listens); a multipart
   * body has files a parsed value does not hold, and is answered 500 `unreadable_body` instead.
   */
  readonly parsedBody?: (() => unknown) | undefined;
  /**
   * The route's own options; `false` opts the route out. Pass the same object for every request of a route, and
   * validate it once at registration with {@link Idempotency.validateRoute}.
   */
  readonly route?: RouteOptions<TContext> | false | undefined;
}

/** A response that is ready to be written as it is: a replay or a rejection. */
export interface ReadyResponse {
  readonly status: number;
  /** Header field lines with lower-case names; Set-Cookie may appear more than once. */
  readonly headers: readonly HeaderEntry[];
  readonly body: Uint8Array;
}

/** The handler's response as the adapter captured it. */
export interface CapturedResponse {
  readonly status: number;
  readonly headers?: HeaderInput | undefined;
  /** The body bytes as sent; a string is taken as UTF-8. */
  readonly body?: Uint8Array | string | null | undefined;
}
