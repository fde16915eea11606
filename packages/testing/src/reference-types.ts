import type { RouteOptions } from '@idempo/core';

/** The routes of the reference app (docs/reference-app.md "Routes"), named `"<METHOD> <pattern>"`. */
export type ReferenceRouteId =
  | 'POST /orders'
  | 'POST /payments'
  | 'PUT /orders/:id'
  | 'POST /uploads'
  | 'POST /stream'
  | 'POST /flaky'
  | 'POST /raw'
  | 'POST /forms'
  | 'GET /orders/:id'
  | 'GET /stats'
  | 'POST /stats/reset';

/**
 * The idempotency options of a reference route. They hold no context-typed function (`fingerprint`), so they
 * are assignable to `RouteOptions<TContext>` whatever a framework's context type is.
 */
export type ReferenceRouteOptions = Omit<RouteOptions, 'fingerprint'>;

/** The routes whose executions are counted: every route but the two `/stats` ones. */
export type CountedRouteId = Exclude<ReferenceRouteId, 'GET /stats' | 'POST /stats/reset'>;

/** A query as frameworks hand it over: a `URLSearchParams`, the raw string, or a parsed record. */
export type ReferenceQuery =
  | URLSearchParams
  | string
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** One request, as a framework adapter's test translates it for a reference handler. */
export interface ReferenceInput {
  /** Route parameters by name (`id` for `/orders/:id`). */
  readonly params?: Readonly<Record<string, string | undefined>> | undefined;
  /** The query; absent for none. */
  readonly query?: ReferenceQuery | undefined;
  /**
   * The request body: its raw bytes (a `Buffer` will do), its text, or the value a framework's JSON parser
   * made of it. Absent or `null` for none.
   */
  readonly body?: unknown;
  /**
   * The request's `Content-Type` field value (with its parameters: a multipart body's boundary). `POST /forms`
   * parses its body by it. Absent for none.
   */
  readonly contentType?: string | undefined;
  /** Who is calling, from `Authorization: Bearer <name>` ({@link principalFromAuthorization}); absent for anonymous. */
  readonly principal?: string | null | undefined;
}

/** What a reference handler answers. The adapter's test writes it as it is. */
export interface ReferenceResponse {
  readonly status: number;
  /** Header values by lower-case name; `set-cookie` is an array, one field line per cookie. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /**
   * A string for text (JSON) bodies, bytes for binary ones, `''` for none; a web `ReadableStream` for a streamed
   * body (`POST /stream`), which the adapter's test pipes as a stream (e.g. `Readable.fromWeb` on Node).
   */
  readonly body: Uint8Array | string | ReadableStream<Uint8Array>;
}

/** A reference handler. It may throw (`?throw=1`): the framework's error handling then answers. */
export type ReferenceHandler = (input: ReferenceInput) => Promise<ReferenceResponse>;

/** One route of the reference app. */
export interface ReferenceRoute {
  readonly id: ReferenceRouteId;
  readonly method: 'GET' | 'POST' | 'PUT';
  /** The path pattern, `:name` for a parameter (the syntax of Fastify, Hono, Koa routers and Nest). */
  readonly pattern: string;
  /**
   * The route's idempotency options, to hand to the adapter's per-route configuration: `undefined` for the
   * application-wide options, `false` to opt the route out. The same object on every call, as core expects.
   */
  readonly idempotency: ReferenceRouteOptions | false | undefined;
  /** The handler. */
  readonly handle: ReferenceHandler;
}

/** A route found by {@link ReferenceService.match}, with its parameters. */
export interface ReferenceMatch {
  readonly route: ReferenceRoute;
  readonly params: Readonly<Record<string, string>>;
}

/** One reference app's state and routes, made by {@link createReferenceService}. */
export interface ReferenceService {
  /** Every route, in the order a router should register them. */
  readonly routes: readonly ReferenceRoute[];
  /** Executions per counted route since the start or the last reset; `GET /stats` answers with it. */
  readonly executions: Readonly<Record<CountedRouteId, number>>;
  /** The route with this id. */
  route(id: ReferenceRouteId): ReferenceRoute;
  /** The route serving `method` and `path` (no query string), or `undefined`. */
  match(method: string, path: string): ReferenceMatch | undefined;
  /** Zeroes the execution counters (what `POST /stats/reset` does). */
  reset(): void;
}
