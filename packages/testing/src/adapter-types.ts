import type { IdempotencyOptions, IdempotencyStore } from '@idempo/core';

/**
 * The core options {@link adapterSuite} hands to `makeApp`: a `store` and the overrides a case needs
 * (`leaseMs`, `ttlMs`, `maxBodyBytes`, `onStoreError`, ...). The app adds `principal`, read from
 * `Authorization: Bearer <name>` with {@link principalFromAuthorization}, and passes the rest to its adapter.
 */
export type AdapterAppOptions = Omit<IdempotencyOptions, 'principal' | 'fingerprint'>;

/** A request the suite sends to the app under test. */
export interface AdapterRequest {
  /** The method, upper case. */
  readonly method: string;
  /** The path with its query string, e.g. `/orders?delay=100`. */
  readonly path: string;
  /**
   * Request headers. Names are sent as given (the suite varies their case); an array value is sent as several
   * field lines of that header.
   */
  readonly headers?: Readonly<Record<string, string | readonly string[]>> | undefined;
  /** The body bytes or text, sent as they are. */
  readonly body?: Uint8Array | string | undefined;
  /**
   * When it aborts, the client disconnects: a real HTTP client destroys its socket (`http.request({ signal })`
   * does), an in-process helper simulates the same (light-my-request's `signal` for `fastify.inject`, the
   * Request's `signal` for Hono's `app.request`). The app keeps running what it started; the suite then retries
   * with another request. The returned promise may resolve or reject once it aborts: the suite ignores it.
   * Every app used with `adapterSuite` must honour it (the client-disconnect cases, issue 15.1). Default: none.
   */
  readonly signal?: AbortSignal | undefined;
}

/** The response the app under test gave, as its client saw it. */
export interface AdapterResponse {
  readonly status: number;
  /** Response headers by name (any case); an array holds one entry per field line (Set-Cookie). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The body bytes exactly as received. */
  readonly body: Uint8Array;
}

/**
 * The app under test: the reference routes ({@link createReferenceService}) served by a framework through its
 * idempo adapter, reached in process (an `inject`/`request` helper) or over real HTTP.
 */
export interface AdapterApp {
  /** Sends one request and resolves with the complete response. */
  request(request: AdapterRequest): Promise<AdapterResponse>;
  /** Stops the app. The suite closes the store itself. */
  close(): Promise<void>;
}

/** Builds an app under test with the given core options. */
export type MakeAdapterApp = (options: AdapterAppOptions) => AdapterApp | Promise<AdapterApp>;

/** Options of {@link adapterSuite}. */
export interface AdapterSuiteOptions {
  /**
   * Makes the store of each app the suite starts; the suite closes it with the app. Default: a new
   * `MemoryStore` from `@idempo/core`. Keys are unique per case, so a shared database may be used.
   */
  readonly store?: (() => IdempotencyStore | Promise<IdempotencyStore>) | undefined;
  /** Parallel duplicates in the concurrency cases (E32). Default `20`; at least `2`. */
  readonly parallel?: number | undefined;
  /**
   * Added to every wait on the app (handler delays, expiry waits, polling), in ms, for slow apps (a real
   * server in a busy CI). Default `0`.
   */
  readonly extraDelayMs?: number | undefined;
}
