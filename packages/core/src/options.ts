/**
 * Options: their types, their defaults (docs/design.md "Defaults, and why"), and their validation, done once
 * when idempo is created and once per route object, never per request.
 */
import { InvalidOptionsError } from './errors.js';
import type { IdempotencyEvent } from './events.js';
import { createHeaderFilter, DEFAULT_EXCLUDED_HEADERS, type HeaderFilter } from './headers.js';
import type { KeyParseOptions } from './key.js';
import type { IdempotencyRequestInfo } from './request.js';
import type { IdempotencyStore } from './store.js';

/** Computes a custom fingerprint from the request and its raw body. */
export type FingerprintFunction<TContext = unknown> = (
  request: IdempotencyRequestInfo<TContext>,
  body: Uint8Array | null,
) => string | Promise<string>;

/** Options that a route may override. */
export interface RouteOptions<TContext = unknown> {
  /** `false` opts the route out: every request passes through untouched. Default `true`. */
  readonly enabled?: boolean | undefined;
  /** A request without a key is rejected with 400 instead of passing through (B11). Default `false`. */
  readonly required?: boolean | undefined;
  /**
   * Methods covered; others pass through. GET, HEAD and OPTIONS are never covered (B10, C24): listing one is
   * refused at start-up. Default `['POST', 'PATCH']`.
   */
  readonly methods?: readonly string[] | undefined;
  /** Namespace of the records; the same key in two scopes is two records (G42). Default `''`. */
  readonly scope?: string | undefined;
  /**
   * How long a reservation is held without a heartbeat, in ms (E35): a crashed process frees its keys one lease
   * later. Default `30_000`.
   */
  readonly leaseMs?: number | undefined;
  /** How long a completed response is kept, in ms (G44); at least `leaseMs`. Default `86_400_000` (24 h). */
  readonly ttlMs?: number | undefined;
  /** Responses with a longer body are sent in full but not stored; the key is released (C25). Default 1 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /**
   * A keyed request with a longer body is answered 413 problem+json before anything is reserved; the adapter
   * stops reading at the limit, so a huge upload costs at most this much memory. Default 1 MiB (as Fastify's
   * default `bodyLimit`).
   */
  readonly maxRequestBodyBytes?: number | undefined;
  /**
   * Which handler statuses are stored (F38). A status it answers `false` for (or a `persist` that throws) is sent
   * but not stored, and the key is released (event `released`, reason `'not-persisted'` or `'persist-threw'`).
   * Default: every status, 5xx included.
   */
  readonly persist?: ((status: number) => boolean) | undefined;
  /**
   * What an error the handler throws does to its key, on every adapter. `'release'`: the key is released and a
   * retry runs the handler again, whatever the framework answers for the error (docs/design.md "One request").
   * `'store'`: the answer the framework gives for it (Nest's HttpException, Fastify's or Koa's error with a
   * status, Hono's HTTPException, an error handler's reply) is the handler's answer and is stored like a returned
   * one when its status is below 500 (still subject to `persist`); a 5xx answer to a thrown error is a crash and
   * releases the key. A request the framework refused before the handler ran (a Nest pipe) always releases.
   * Default `'release'`.
   */
  readonly onHandlerError?: 'release' | 'store' | undefined;
  /**
   * Replaces the default fingerprint (D26-D31). It must return a string (or a promise of one): anything else is
   * answered 500 problem+json `invalid_fingerprint`, nothing reserved; an error it throws rejects `begin` with
   * that same error, as for `principal`. Default: SHA-256 over the method, path, canonical query and body.
   */
  readonly fingerprint?: FingerprintFunction<TContext> | undefined;
}

/** Options of {@link createIdempotency}. Every option but `store` has a default. */
export interface IdempotencyOptions<TContext = unknown> extends RouteOptions<TContext> {
  /** Where records live. Required. */
  readonly store: IdempotencyStore;
  /**
   * Scopes keys per tenant or user (G41): return the caller's id as a string (e.g. `req.user.id`, never the
   * user object). Without it keys are global within the scope: two users sending the same key share one record.
   * Default: none (global).
   *
   * - a string scopes the key to it; `null`, `undefined` and `''` mean anonymous (the global key space);
   * - anything else (an object, a number, a boolean) is a bug that would merge callers into one key space: the
   *   request is answered 500 problem+json `invalid_principal` (`InvalidPrincipalError`, event
   *   `'invalid-principal'`), the handler does not run and nothing is reserved;
   * - an error it throws (or a promise it rejects with), e.g. an authentication failure, rejects
   *   `begin` with that same error before anything is read or reserved; every adapter hands it
   *   to the framework's error handling unchanged, as if the route had thrown it.
   */
  readonly principal?:
    | ((
        request: IdempotencyRequestInfo<TContext>,
      ) => string | null | undefined | Promise<string | null | undefined>)
    | undefined;
  /** The request header that carries the key. Default `'Idempotency-Key'`. */
  readonly headerName?: string | undefined;
  /** Accept only quoted sf-string keys (A8). Default `false` (bare token keys accepted). */
  readonly strict?: boolean | undefined;
  /** Longest key accepted (A7). Default `255`. */
  readonly maxKeyLength?: number | undefined;
  /**
   * Heartbeat period in ms while the handler runs (each beat extends the lease), or `false` for none; shorter
   * than `leaseMs`. Left unset, a route with its own `leaseMs` derives its own. Default `leaseMs / 3`.
   */
  readonly heartbeatMs?: number | false | undefined;
  /**
   * The longest a handler holds its key: the heartbeat stops after this many ms, so a handler that never answers
   * frees its key one lease later (its execution sees `leaseLost` then). It may not exceed `ttlMs` (a handler
   * may not outlast its record's retention): a larger value is refused at start-up, and a route whose `ttlMs` is
   * shorter than it is refused at registration. Default `min(300_000, ttlMs)` (5 min, or the retention when that
   * is shorter), and at least `leaseMs`; left unset, a route's bound follows the route's own `ttlMs`.
   */
  readonly maxExecutionMs?: number | undefined;
  /** Store and replay Set-Cookie (C22). Default `false`. */
  readonly replaySetCookie?: boolean | undefined;
  /**
   * Response headers never stored (case-insensitive; a trailing `*` matches a prefix). A list replaces the
   * default one: spread {@link DEFAULT_EXCLUDED_HEADERS} to add to it. Hop-by-hop headers, `Date`,
   * `Content-Length` and, unless `replaySetCookie`, `Set-Cookie` are never stored whatever it says. Default
   * {@link DEFAULT_EXCLUDED_HEADERS} (request ids, tracing, timing, rate limits, CORS).
   */
  readonly excludeHeaders?: readonly string[] | undefined;
  /** The header added to replays (C16), or `false` for none. Default `'Idempotent-Replayed'`. */
  readonly replayHeader?: string | false | undefined;
  /**
   * `Retry-After` seconds of idempo's 409 for a request still in flight (E32) and of its 503 when the store fails
   * a reservation (H48). Default `1`.
   */
  readonly retryAfterSeconds?: number | undefined;
  /** What to do when the store fails: answer 503, or run the handler unprotected (H48). Default `'fail-closed'`. */
  readonly onStoreError?: 'fail-closed' | 'fail-open' | undefined;
  /**
   * A store call that has not answered after this many ms fails as a store error (`StoreTimeoutError`): for a
   * reservation, a 503 (or, under `'fail-open'`, the handler runs unprotected; H48). Default `5_000`.
   */
  readonly storeTimeoutMs?: number | undefined;
  /**
   * Receives every {@link IdempotencyEvent} (reserved, replayed, in-flight, mismatch, invalid-key, missing-key,
   * too-large, unreadable-body, invalid-principal, invalid-fingerprint, committed, released, lease-lost,
   * store-error), with timings and the storage key's digest, never the client's key. Exceptions it throws are
   * ignored. Default: none.
   */
  readonly onEvent?: ((event: IdempotencyEvent) => void) | undefined;
  /** Prefix of the problem+json `type` URIs; the error code (dashed) is appended. Default `'https://idempo.dev/problems/'`. */
  readonly problemTypeBase?: string | undefined;
}

/** Defaults of every option. */
export const DEFAULTS = {
  methods: ['POST', 'PATCH'],
  required: false,
  scope: '',
  leaseMs: 30_000,
  ttlMs: 86_400_000,
  maxBodyBytes: 1024 * 1024,
  maxRequestBodyBytes: 1024 * 1024,
  headerName: 'Idempotency-Key',
  strict: false,
  maxKeyLength: 255,
  maxExecutionMs: 300_000,
  replaySetCookie: false,
  excludeHeaders: DEFAULT_EXCLUDED_HEADERS,
  replayHeader: 'Idempotent-Replayed',
  retryAfterSeconds: 1,
  onStoreError: 'fail-closed',
  onHandlerError: 'release',
  storeTimeoutMs: 5_000,
  problemTypeBase: 'https://idempo.dev/problems/',
} as const;

/** Options after validation, with every default filled in. */
export interface ResolvedOptions<TContext = unknown> {
  readonly store: IdempotencyStore;
  readonly enabled: boolean;
  readonly methods: ReadonlySet<string>;
  readonly required: boolean;
  readonly scope: string;
  readonly leaseMs: number;
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  readonly maxExecutionMs: number;
  readonly maxBodyBytes: number;
  readonly maxRequestBodyBytes: number;
  readonly persist: ((status: number) => boolean) | undefined;
  /** `onHandlerError: 'store'`. */
  readonly storeThrown: boolean;
  readonly fingerprint: FingerprintFunction<TContext> | undefined;
  readonly principal: IdempotencyOptions<TContext>['principal'];
  /** The key header's name as configured, for messages. */
  readonly headerName: string;
  /** The key header's name in lower case, for look-ups. */
  readonly headerLookup: string;
  readonly strict: boolean;
  readonly maxKeyLength: number;
  /** `strict` and `maxKeyLength` as the key parser reads them: made once, not per request. */
  readonly keyParse: KeyParseOptions;
  readonly headerFilter: HeaderFilter;
  readonly replayHeader: string | undefined;
  readonly retryAfterSeconds: number;
  readonly failOpen: boolean;
  readonly storeTimeoutMs: number;
  readonly onEvent: ((event: IdempotencyEvent) => void) | undefined;
  readonly problemTypeBase: string;
  /** Whether the heartbeat was set explicitly (then a route's own lease does not re-derive it). */
  readonly heartbeatExplicit: boolean;
  /** Whether `maxExecutionMs` was set explicitly (then a route's own ttl does not re-derive it). */
  readonly maxExecutionExplicit: boolean;
}

const NEVER_COVERED = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function invalid(message: string): never {
  throw new InvalidOptionsError(`idempo: ${message}`);
}

function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalid(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalid(`${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function handlerError(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value !== 'release' && value !== 'store')
    invalid(`${name} must be 'release' or 'store', got ${JSON.stringify(value)}`);
  return value === 'store';
}

function optionalFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') invalid(`${name} must be a function`);
  return value;
}

function methodSet(value: readonly string[]): ReadonlySet<string> {
  if (!Array.isArray(value) || value.length === 0)
    invalid('methods must be a non-empty array of method names');
  const set = new Set<string>();
  for (const m of value) {
    if (typeof m !== 'string' || !TOKEN.test(m)) invalid(`methods: ${String(m)} is not a method name`);
    const upper = m.toUpperCase();
    if (NEVER_COVERED.has(upper)) invalid(`methods: ${upper} is safe and is never covered (BEHAVIOUR B10)`);
    set.add(upper);
  }
  return set;
}

/** The execution bound when none is set: 5 min, or the retention when shorter, and never under one lease. */
function defaultMaxExecution(leaseMs: number, ttlMs: number): number {
  return Math.max(leaseMs, Math.min(DEFAULTS.maxExecutionMs, ttlMs));
}

/**
 * The lease rules, with the names of the options as the user wrote them (`route ` for a route's own):
 * retention >= lease > heartbeat, and lease <= execution bound <= retention.
 */
function checkLeases(
  leaseMs: number,
  ttlMs: number,
  heartbeatMs: number,
  maxExecutionMs: number,
  route = { lease: '', ttl: '' },
): void {
  const lease = `${route.lease}leaseMs (${leaseMs})`;
  const ttl = `${route.ttl}ttlMs (${ttlMs})`;
  if (ttlMs < leaseMs) invalid(`${ttl} must be at least ${lease}`);
  if (heartbeatMs !== 0 && heartbeatMs >= leaseMs) {
    invalid(`heartbeatMs (${heartbeatMs}) must be shorter than ${lease} or the lease lapses between beats`);
  }
  if (maxExecutionMs < leaseMs) invalid(`maxExecutionMs (${maxExecutionMs}) must be at least ${lease}`);
  if (maxExecutionMs > ttlMs) {
    invalid(
      `maxExecutionMs (${maxExecutionMs}) must not exceed ${ttl}: a handler may not hold its key longer than its record is retained; raise ttlMs or lower maxExecutionMs`,
    );
  }
}

/** `strict` and `maxKeyLength`, and the two as the key parser reads them. */
function keyOptions(strict: boolean, maxKeyLength: number) {
  return { strict, maxKeyLength, keyParse: { strict, maxLength: maxKeyLength } };
}

/** Validates options and fills in defaults. Throws {@link InvalidOptionsError}. */
export function resolveOptions<TContext>(options: IdempotencyOptions<TContext>): ResolvedOptions<TContext> {
  if (typeof options !== 'object' || options === null) invalid('options must be an object');
  const store = options.store as Partial<IdempotencyStore> | undefined;
  if (!store || typeof store !== 'object') invalid('a store is required (e.g. new MemoryStore())');
  for (const op of ['reserve', 'complete', 'release', 'extend'] as const) {
    if (typeof store[op] !== 'function') invalid(`the store has no ${op}() method`);
  }
  const leaseMs = integer('leaseMs', options.leaseMs ?? DEFAULTS.leaseMs, 1);
  const ttlMs = integer('ttlMs', options.ttlMs ?? DEFAULTS.ttlMs, 1);
  const heartbeatExplicit = options.heartbeatMs !== undefined;
  const heartbeatMs =
    options.heartbeatMs === false
      ? 0
      : integer('heartbeatMs', options.heartbeatMs ?? Math.floor(leaseMs / 3), 0);
  const maxExecutionExplicit = options.maxExecutionMs !== undefined;
  const maxExecutionMs = maxExecutionExplicit
    ? integer('maxExecutionMs', options.maxExecutionMs, 1)
    : defaultMaxExecution(leaseMs, ttlMs);
  checkLeases(leaseMs, ttlMs, heartbeatMs, maxExecutionMs);
  const headerName = options.headerName ?? DEFAULTS.headerName;
  if (typeof headerName !== 'string' || !TOKEN.test(headerName))
    invalid(`headerName ${String(headerName)} is not a header name`);
  const replayHeader = options.replayHeader ?? DEFAULTS.replayHeader;
  if (replayHeader !== false && (typeof replayHeader !== 'string' || !TOKEN.test(replayHeader))) {
    invalid(`replayHeader ${String(replayHeader)} is not a header name`);
  }
  const excludeHeaders = options.excludeHeaders ?? DEFAULTS.excludeHeaders;
  if (!Array.isArray(excludeHeaders) || excludeHeaders.some((h) => typeof h !== 'string')) {
    invalid('excludeHeaders must be an array of header names');
  }
  const onStoreError = options.onStoreError ?? DEFAULTS.onStoreError;
  if (onStoreError !== 'fail-closed' && onStoreError !== 'fail-open') {
    invalid(`onStoreError must be 'fail-closed' or 'fail-open', got ${String(onStoreError)}`);
  }
  const scope = options.scope ?? DEFAULTS.scope;
  if (typeof scope !== 'string') invalid('scope must be a string');
  const problemTypeBase = options.problemTypeBase ?? DEFAULTS.problemTypeBase;
  if (typeof problemTypeBase !== 'string') invalid('problemTypeBase must be a string');
  return {
    store: store as IdempotencyStore,
    enabled: boolean('enabled', options.enabled, true),
    methods: methodSet(options.methods ?? DEFAULTS.methods),
    required: boolean('required', options.required, DEFAULTS.required),
    scope,
    leaseMs,
    ttlMs,
    heartbeatMs,
    heartbeatExplicit,
    maxExecutionMs,
    maxExecutionExplicit,
    maxBodyBytes: integer('maxBodyBytes', options.maxBodyBytes ?? DEFAULTS.maxBodyBytes, 0),
    maxRequestBodyBytes: integer(
      'maxRequestBodyBytes',
      options.maxRequestBodyBytes ?? DEFAULTS.maxRequestBodyBytes,
      0,
    ),
    persist: optionalFunction('persist', options.persist),
    storeThrown: handlerError('onHandlerError', options.onHandlerError, false),
    fingerprint: optionalFunction('fingerprint', options.fingerprint),
    principal: optionalFunction('principal', options.principal),
    headerName,
    headerLookup: headerName.toLowerCase(),
    ...keyOptions(
      boolean('strict', options.strict, DEFAULTS.strict),
      integer('maxKeyLength', options.maxKeyLength ?? DEFAULTS.maxKeyLength, 1),
    ),
    headerFilter: createHeaderFilter({
      replaySetCookie: boolean('replaySetCookie', options.replaySetCookie, DEFAULTS.replaySetCookie),
      excludeHeaders,
      replayHeader,
    }),
    replayHeader: replayHeader === false ? undefined : replayHeader.toLowerCase(),
    retryAfterSeconds: integer(
      'retryAfterSeconds',
      options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds,
      0,
    ),
    failOpen: onStoreError === 'fail-open',
    storeTimeoutMs: integer('storeTimeoutMs', options.storeTimeoutMs ?? DEFAULTS.storeTimeoutMs, 1),
    onEvent: optionalFunction('onEvent', options.onEvent),
    problemTypeBase,
  };
}

/** Applies a route's overrides to resolved options. Throws {@link InvalidOptionsError}. */
export function resolveRoute<TContext>(
  base: ResolvedOptions<TContext>,
  route: RouteOptions<TContext>,
): ResolvedOptions<TContext> | undefined {
  if (typeof route !== 'object' || route === null) invalid('route options must be an object or false');
  if (!boolean('route enabled', route.enabled, base.enabled)) return undefined;
  const leaseMs = route.leaseMs === undefined ? base.leaseMs : integer('route leaseMs', route.leaseMs, 1);
  const ttlMs = route.ttlMs === undefined ? base.ttlMs : integer('route ttlMs', route.ttlMs, 1);
  const heartbeatMs =
    route.leaseMs === undefined || base.heartbeatExplicit ? base.heartbeatMs : Math.floor(leaseMs / 3);
  const maxExecutionMs =
    base.maxExecutionExplicit || (route.leaseMs === undefined && route.ttlMs === undefined)
      ? base.maxExecutionMs
      : defaultMaxExecution(leaseMs, ttlMs);
  checkLeases(leaseMs, ttlMs, heartbeatMs, maxExecutionMs, {
    lease: route.leaseMs === undefined ? '' : 'route ',
    ttl: route.ttlMs === undefined ? '' : 'route ',
  });
  const scope = route.scope ?? base.scope;
  if (typeof scope !== 'string') invalid('route scope must be a string');
  return {
    ...base,
    enabled: true,
    methods: route.methods === undefined ? base.methods : methodSet(route.methods),
    required: boolean('route required', route.required, base.required),
    scope,
    leaseMs,
    ttlMs,
    heartbeatMs,
    maxExecutionMs,
    maxBodyBytes:
      route.maxBodyBytes === undefined
        ? base.maxBodyBytes
        : integer('route maxBodyBytes', route.maxBodyBytes, 0),
    maxRequestBodyBytes:
      route.maxRequestBodyBytes === undefined
        ? base.maxRequestBodyBytes
        : integer('route maxRequestBodyBytes', route.maxRequestBodyBytes, 0),
    persist: route.persist === undefined ? base.persist : optionalFunction('route persist', route.persist),
    storeThrown: handlerError('route onHandlerError', route.onHandlerError, base.storeThrown),
    fingerprint:
      route.fingerprint === undefined
        ? base.fingerprint
        : optionalFunction('route fingerprint', route.fingerprint),
  };
}
