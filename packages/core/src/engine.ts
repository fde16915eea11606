/**
 * The engine: one `begin(request)` per request, returning what the adapter must do (docs/design.md "One
 * request"). Every policy decision is made here, once, for every framework.
 */
import {
  FingerprintMismatchError,
  type IdempotencyError,
  InvalidFingerprintError,
  InvalidKeyError,
  InvalidOptionsError,
  InvalidPrincipalError,
  MissingKeyError,
  RequestInFlightError,
  RequestTooLargeError,
  StoreUnavailableError,
  UnreadableBodyError,
} from './errors.js';
import type { IdempotencyEvent, IdempotencyEventType } from './events.js';
import { fingerprintOf } from './fingerprint.js';
import { type HeaderEntry, storedHeaders } from './headers.js';
import { readKeyHeader, validKeyHint } from './key.js';
import { Lease, type LeaseHost, type LeaseLossReason } from './lease.js';
import {
  type IdempotencyOptions,
  type ResolvedOptions,
  type RouteOptions,
  resolveOptions,
  resolveRoute,
} from './options.js';
import { toProblemResponse } from './problem.js';
import type {
  CapturedResponse,
  IdempotencyRequest,
  IdempotencyRequestInfo,
  ReadyResponse,
} from './request.js';
import { declaredLength, requestTooLarge } from './request-body.js';
import { splitTarget } from './request-target.js';
import { decodeResponse, encodeRecordBlob, recordBodyLength } from './response-encoding.js';
import { hasNoBody } from './status.js';
import { storageKeyOf } from './storage-key.js';
import type { IdempotencyStore, ReserveResult } from './store.js';
import { type BoundedCaller, boundStoreCall, withStoreTimeout } from './with-timeout.js';

/** Why a request passes through untouched. */
/**
 * Why a request passes through untouched. `'nested'`: another idempo mount already holds a reservation for this
 * request (the same app mounted twice, app-wide and per route): the request is handled once, by the first.
 */
export type BypassReason = 'disabled' | 'method' | 'no-key' | 'store-error' | 'nested';

/** The request passes through: run the handler as if idempo were not there. */
export interface BypassDecision {
  readonly kind: 'bypass';
  readonly reason: BypassReason;
}

/** Answer with `response` (problem+json); the handler must not run. Nothing was stored. */
export interface RejectDecision {
  readonly kind: 'reject';
  readonly error: IdempotencyError;
  readonly response: ReadyResponse;
}

/** Answer with the stored `response`; the handler must not run. */
export interface ReplayDecision {
  readonly kind: 'replay';
  readonly response: ReadyResponse;
}

/** How a commit ended. The adapter sends the handler's response whatever the outcome. */
export type CommitOutcome =
  /** Stored: retries will replay it. */
  | 'stored'
  /**
   * Not stored, the key released: `persist(status)` said no, or threw (event `released`, reason
   * `'persist-threw'`), or the response could not be encoded (reason `'encode-failed'`, e.g. a header value that
   * is not text).
   */
  | 'not-persisted'
  /** The body exceeds `maxBodyBytes`; the key was released (C25). */
  | 'too-large'
  /** Another holder took the key over; nothing was written (E35). */
  | 'lease-lost'
  /** The store failed; the key stays in flight until its lease ends. */
  | 'store-error'
  /** `commit` or `abandon` had already been called. */
  | 'settled';

/**
 * This request holds the key: run the handler, then call exactly one of `commit` or `abandon`.
 *
 * While the handler runs, a heartbeat extends the lease every `heartbeatMs` (an extend that fails is retried
 * after `leaseMs / 30`, at most one period, one extend in flight at a time) until `maxExecutionMs`. The engine
 * knows the lease is held until `heldUntil`: the start of the last reserve or extend that answered `true`, plus
 * `leaseMs`, never later than the store's own lease end. `leaseLost` and `signal` say when that no longer holds.
 */
export interface ExecuteDecision {
  readonly kind: 'execute';
  /** The storage key this request holds. */
  readonly keyHash: string;
  /**
   * The route's `maxBodyBytes`: the longest response body `commit` stores. An adapter holds at most this much of
   * a response before deciding that it streams it through and abandons instead (C25).
   */
  readonly maxBodyBytes: number;
  /**
   * `false` while the lease is known to be held: until then no other request can be given this key (short of an operator's forced delete). `true` once
   * it is lost: an extend answered `false` (the store gave the key to another holder), or `heldUntil` passed
   * without a renewal (the store failed or stalled, or the handler ran past `maxExecutionMs`, or there is no
   * heartbeat); event `lease-lost` (reason `'extend'`, `'expired'` or `'max-execution'`), once. Read on the
   * clock, so it is exact whenever it is read; it stays `true`, and stops changing once the decision is settled.
   * A handler with side effects can check it before committing to one; `commit` still tries to store (the store
   * decides by token) and answers `'lease-lost'` if it refuses.
   */
  readonly leaseLost: boolean;
  /**
   * Aborts when `leaseLost` turns true, with a `LeaseLostError` as its reason (pass it to `fetch` or a
   * database driver to stop work that no longer holds the key); it fires when the engine's timer runs, so a
   * stalled event loop delays it, never `leaseLost`. Never aborts once the decision is settled. Created on first
   * read: a request that never reads it costs nothing.
   */
  readonly signal: AbortSignal;
  /** Stores the handler's response (token-checked). Never throws. Await it before sending the response. */
  commit(response: CapturedResponse): Promise<CommitOutcome>;
  /** Releases the key so that a retry runs again: the handler threw, or its response cannot be stored (a stream). Never throws. */
  abandon(cause?: unknown): Promise<void>;
  /**
   * The handler threw `error`: core decides what that does (option `onHandlerError`). Resolves `false` once the
   * key is released (the default): the adapter lets the error go on to the framework as usual. Resolves `true`
   * when the framework's answer to the error is the handler's answer: the adapter lets the framework answer,
   * captures that answer as for a returned response and passes it to `commit`, which stores it when its status
   * is below 500 and otherwise releases the key (outcome `'not-persisted'`, reason `'handler-threw'`). Never
   * throws.
   */
  threw(error: unknown): Promise<boolean>;
}

/** What the adapter must do with a request. */
export type Decision = BypassDecision | RejectDecision | ReplayDecision | ExecuteDecision;

/** An idempotency engine, created once per application with {@link createIdempotency}. */
export interface Idempotency<TContext = unknown> {
  /** The store the engine was created with (Nest provides it under the `IdempotencyStore` token). */
  readonly store: IdempotencyStore;
  /**
   * The key header's name in lower case (`'idempotency-key'` by default): an adapter that must decide before
   * calling `begin` whether a request carries a key (Fastify reads a keyed body ahead of its parser) looks it up.
   */
  readonly keyHeader: string;
  /**
   * Decides what to do with one request. Never throws for store failures (they become 503 or a bypass).
   *
   * An error thrown by the `principal` or `fingerprint` function or by the request's body function (other than
   * `RequestTooLargeError`, answered 413, and `UnreadableBodyError`, answered 500 problem+json), synchronously
   * or as a rejected promise, rejects `begin` with that same error, unwrapped, before anything is reserved: an
   * adapter passes it to the framework's error handling as if the route had thrown it (so an authentication
   * error raised in `principal` answers as the framework answers it). A `principal` returning anything but a
   * string, `null` or `undefined`, or a `fingerprint` returning anything but a string, is answered 500
   * problem+json instead (`invalid_principal`, `invalid_fingerprint`).
   */
  begin(request: IdempotencyRequest<TContext>): Promise<Decision>;
  /**
   * Validates a route's options and caches them, so that a mistake fails at registration, not on the first
   * request. Adapters call it once per route. Throws {@link InvalidOptionsError}.
   */
  validateRoute(route: RouteOptions<TContext> | false | undefined): void;
  /**
   * The route's `maxRequestBodyBytes`, for an adapter that must read a body before calling `begin` (Fastify's
   * `preParsing`); `undefined` when idempotency is off for the route, so the body is never read for it.
   */
  requestBodyLimit(route: RouteOptions<TContext> | false | undefined): number | undefined;
  /**
   * Whether a request with `method` to a route with these options can ever be covered: idempotency is on for the
   * route and `method` is one of its `methods` (default `POST` and `PATCH`; never a safe method, BEHAVIOUR B10).
   * For an adapter that attaches per-route work only where it can matter (Fastify's route hooks); `begin` bypasses
   * every other request anyway. Validates and caches the options as {@link validateRoute} does.
   */
  covers(route: RouteOptions<TContext> | false | undefined, method: string): boolean;
}

const BYPASS: Record<BypassReason, BypassDecision> = {
  disabled: { kind: 'bypass', reason: 'disabled' },
  method: { kind: 'bypass', reason: 'method' },
  'no-key': { kind: 'bypass', reason: 'no-key' },
  'store-error': { kind: 'bypass', reason: 'store-error' },
  nested: { kind: 'bypass', reason: 'nested' },
};

/**
 * The requests (their adapter contexts) that hold a reservation, with the route options it was made under, across
 * every engine of this copy of core: a second mount that sees the same request passes it through.
 */
const holders = new WeakMap<object, RouteOptions<never> | false | undefined>();

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const now = () => performance.now();

type EventFields = Omit<IdempotencyEvent, 'type' | 'method' | 'path' | 'durationMs'>;

class Engine<TContext> implements Idempotency<TContext> {
  readonly options: ResolvedOptions<TContext>;
  readonly store: IdempotencyStore;
  readonly keyHeader: string;
  readonly #routes = new WeakMap<RouteOptions<TContext>, ResolvedOptions<TContext> | undefined>();

  /** The parsed-body fallback has been reported (once per engine). */
  #warnedParsed = false;

  /** Whether anyone listens to events: without `onEvent`, nothing reads the clock for durations. */
  readonly observed: boolean;

  constructor(options: IdempotencyOptions<TContext>) {
    this.options = resolveOptions(options);
    this.store = this.options.store;
    this.keyHeader = this.options.headerLookup;
    this.observed = this.options.onEvent !== undefined;
  }

  /** The clock for event durations: `0` when nobody observes them. */
  time(): number {
    return this.observed ? now() : 0;
  }

  #config(route: RouteOptions<TContext> | false | undefined): ResolvedOptions<TContext> | undefined {
    if (route === false) return undefined;
    if (route === undefined) return this.options.enabled ? this.options : undefined;
    if (this.#routes.has(route)) return this.#routes.get(route);
    const resolved = resolveRoute(this.options, route);
    this.#routes.set(route, resolved);
    return resolved;
  }

  emit(
    cfg: ResolvedOptions<TContext>,
    type: IdempotencyEventType,
    request: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    fields: EventFields,
  ): void {
    if (!cfg.onEvent) return;
    try {
      cfg.onEvent({
        type,
        method: request.method,
        path: request.path,
        durationMs: now() - startedAt,
        ...fields,
      });
    } catch {
      // An observer must never break a request.
    }
  }

  #reject(
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    type: IdempotencyEventType,
    error: IdempotencyError,
    fields: EventFields = {},
  ): RejectDecision {
    this.emit(cfg, type, request, startedAt, { status: error.status, ...fields });
    return { kind: 'reject', error, response: toProblemResponse(error, cfg.problemTypeBase) };
  }

  validateRoute(route: RouteOptions<TContext> | false | undefined): void {
    this.#config(route);
  }

  requestBodyLimit(route: RouteOptions<TContext> | false | undefined): number | undefined {
    return this.#config(route)?.maxRequestBodyBytes;
  }

  covers(route: RouteOptions<TContext> | false | undefined, method: string): boolean {
    const cfg = this.#config(route);
    return cfg !== undefined && (cfg.methods.has(method) || cfg.methods.has(method.toUpperCase()));
  }

  begin(request: IdempotencyRequest<TContext>): Promise<Decision> {
    // Run synchronously as far as nothing awaits (every request over a synchronous body, principal and
    // fingerprint reaches the store's reserve in this call), and as a promise from where something does; a
    // throw rejects, as from an async function.
    try {
      return Promise.resolve(this.#begin(request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #begin(request: IdempotencyRequest<TContext>): Decision | Promise<Decision> {
    const startedAt = this.time();
    const { context } = request;
    if (typeof context === 'object' && context !== null && holders.has(context))
      return nested(request.route, holders.get(context));
    const cfg = this.#config(request.route);
    if (!cfg) return BYPASS.disabled;
    const { method } = request;
    // Methods arrive upper-case from every framework: the look-up that allocates runs only for the rest.
    if (!cfg.methods.has(method) && !cfg.methods.has(method.toUpperCase())) return BYPASS.method;
    const info = requestInfo(request);

    const parsed = readKeyHeader(info.header(cfg.headerLookup), cfg.keyParse);
    if (parsed === undefined) {
      if (!cfg.required) return BYPASS['no-key'];
      return this.#reject(
        cfg,
        info,
        startedAt,
        'missing-key',
        new MissingKeyError(`this endpoint requires an ${cfg.headerName} header`),
      );
    }
    if (!parsed.ok) {
      return this.#reject(
        cfg,
        info,
        startedAt,
        'invalid-key',
        new InvalidKeyError(
          `invalid ${cfg.headerName}: ${parsed.reason}; ${validKeyHint(cfg.headerName, cfg.keyParse)}`,
        ),
      );
    }
    const { key } = parsed;
    if (!cfg.principal) return this.#keyed(cfg, request, info, startedAt, '', key);
    const returned: unknown = cfg.principal(info);
    // What `await` would wait for (a promise, or any object that may be a thenable) is waited for.
    if (maybeThenable(returned)) {
      return Promise.resolve(returned).then((value: unknown) =>
        this.#withPrincipal(cfg, request, info, startedAt, key, value),
      );
    }
    return this.#withPrincipal(cfg, request, info, startedAt, key, returned);
  }

  #withPrincipal(
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequest<TContext>,
    info: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    key: string,
    returned: unknown,
  ): Decision | Promise<Decision> {
    // Anything but a string would be turned into one and merge callers into one key space (Bob gets Alice's
    // stored answer): refused, before anything is read or reserved.
    if (typeof returned === 'string') return this.#keyed(cfg, request, info, startedAt, returned, key);
    if (returned === null || returned === undefined)
      return this.#keyed(cfg, request, info, startedAt, '', key);
    const error = new InvalidPrincipalError(
      `principal must return a string, null or undefined; got ${kindOf(returned)}`,
    );
    return this.#reject(cfg, info, startedAt, 'invalid-principal', error, { error });
  }

  #keyed(
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequest<TContext>,
    info: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    principal: string,
    key: string,
  ): Decision | Promise<Decision> {
    // Digests are synchronous on every runtime (node:crypto or a pure-JS SHA-256): no await, no tick.
    const keyHash = storageKeyOf(cfg.scope, principal, key);
    const limit = cfg.maxRequestBodyBytes;
    const declared = declaredLength(info.header('content-length'));
    if (declared !== undefined && declared > limit)
      return this.#reject(cfg, info, startedAt, 'too-large', requestTooLarge(limit, declared));
    const reads = typeof request.body === 'function';
    let read: unknown;
    try {
      read = reads ? (request.body as (maxBytes: number) => unknown)(limit) : request.body;
    } catch (error) {
      return this.#bodyFailed(cfg, info, startedAt, error);
    }
    // A body function's answer is waited for unless it is bytes or nothing.
    if (reads && read !== null && read !== undefined && !isPlainBytes(read)) {
      return Promise.resolve(read).then(
        (value) =>
          this.#withBody(cfg, request, info, startedAt, keyHash, value as Uint8Array | null | undefined),
        (error: unknown) => this.#bodyFailed(cfg, info, startedAt, error),
      );
    }
    return this.#withBody(cfg, request, info, startedAt, keyHash, read as Uint8Array | null | undefined);
  }

  /** The body could not be read: 413 or 500 problem+json for core's errors; anything else rejects `begin`. */
  #bodyFailed(
    cfg: ResolvedOptions<TContext>,
    info: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    error: unknown,
  ): Decision {
    if (error instanceof RequestTooLargeError) return this.#reject(cfg, info, startedAt, 'too-large', error);
    if (error instanceof UnreadableBodyError)
      return this.#reject(cfg, info, startedAt, 'unreadable-body', error);
    throw error;
  }

  #withBody(
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequest<TContext>,
    info: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    keyHash: string,
    read: Uint8Array | null | undefined,
  ): Decision | Promise<Decision> {
    const limit = cfg.maxRequestBodyBytes;
    let body: Uint8Array | null;
    try {
      body = read === undefined && request.parsedBody ? this.#parsedBody(cfg, info, request) : (read ?? null);
    } catch (error) {
      return this.#bodyFailed(cfg, info, startedAt, error);
    }
    if (body !== null && body.length > limit)
      return this.#reject(cfg, info, startedAt, 'too-large', requestTooLarge(limit));
    const pendingFingerprint = cfg.fingerprint
      ? cfg.fingerprint(info, body)
      : fingerprintOf(info.method, info.path, info.query, firstValue(info.header('content-type')), body);
    if (typeof pendingFingerprint === 'string')
      return this.#reserve(cfg, request, info, startedAt, keyHash, pendingFingerprint);
    // Only a `fingerprint` function of the user's may answer a promise.
    return Promise.resolve(pendingFingerprint).then((fingerprint: unknown) =>
      this.#withFingerprint(cfg, request, info, startedAt, keyHash, fingerprint),
    );
  }

  #withFingerprint(
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequest<TContext>,
    info: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    keyHash: string,
    fingerprint: unknown,
  ): Decision | Promise<Decision> {
    if (typeof fingerprint === 'string')
      return this.#reserve(cfg, request, info, startedAt, keyHash, fingerprint);
    // A forgotten `return` would store every payload under one fingerprint: a different request would replay.
    const error = new InvalidFingerprintError(`fingerprint must return a string; got ${kindOf(fingerprint)}`);
    return this.#reject(cfg, info, startedAt, 'invalid-fingerprint', error, { keyHash, error });
  }

  /**
   * Reserves the key, bounded by `storeTimeoutMs`: the request's promise is settled from the call's answer
   * ({@link Reservation}), without a promise of the bound's own.
   */
  #reserve(
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequest<TContext>,
    info: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    keyHash: string,
    fingerprint: string,
  ): Promise<Decision> {
    // Read whether observed or not: the lease the store grants runs from after this instant (`heldUntil`).
    const storeStart = now();
    const deadline = Date.now() + cfg.storeTimeoutMs;
    const reservation = new Reservation(
      this,
      cfg,
      request,
      info,
      startedAt,
      keyHash,
      fingerprint,
      storeStart,
    );
    const decision = new Promise<Decision>((resolve, reject) => {
      reservation.resolve = resolve;
      reservation.reject = reject;
    });
    let pending: Promise<ReserveResult>;
    try {
      pending = cfg.store.reserve(keyHash, fingerprint, cfg.leaseMs, cfg.ttlMs, { deadline });
    } catch (error) {
      pending = Promise.reject(error);
    }
    boundStoreCall('store reserve', pending, cfg.storeTimeoutMs, deadline, reservation);
    return decision;
  }

  /** The store could not reserve in time (or failed): 503, or a bypass when failing open. */
  reserveFailed(reservation: Reservation<TContext>, error: StoreUnavailableError): Decision {
    const { cfg, info, startedAt, keyHash, storeStart } = reservation;
    return this.#storeFailure(cfg, info, startedAt, keyHash, error, now() - storeStart);
  }

  /** What the store's answer to a reserve makes of the request. */
  reserved(reservation: Reservation<TContext>, result: ReserveResult): Decision {
    const { cfg, info, startedAt, keyHash, storeStart } = reservation;
    const storeMs = this.observed ? now() - storeStart : 0;

    if (result.kind === 'reserved') {
      if (this.observed) this.emit(cfg, 'reserved', info, startedAt, { keyHash, storeMs });
      const { context, route } = reservation.request;
      if (typeof context === 'object' && context !== null)
        holders.set(context, route as RouteOptions<never> | false | undefined);
      return new Execution(this, cfg, info, keyHash, result.token, storeStart);
    }
    if (result.fingerprint !== reservation.fingerprint) {
      return this.#reject(
        cfg,
        info,
        startedAt,
        'mismatch',
        new FingerprintMismatchError(
          `this ${cfg.headerName} was already used with a different request (method, path, query or body); use a new key for a new request`,
        ),
        { keyHash, storeMs },
      );
    }
    if (result.state === 'in-flight') {
      return this.#reject(
        cfg,
        info,
        startedAt,
        'in-flight',
        new RequestInFlightError(
          `a request with this ${cfg.headerName} is still being processed; retry after it completes`,
          cfg.retryAfterSeconds,
        ),
        { keyHash, storeMs },
      );
    }
    let stored: ReturnType<typeof decodeResponse>;
    try {
      stored = decodeResponse(result.response);
    } catch (error) {
      return this.#storeFailure(cfg, info, startedAt, keyHash, error as StoreUnavailableError, storeMs);
    }
    const response = this.#replayResponse(cfg, stored);
    if (this.observed) {
      this.emit(cfg, 'replayed', info, startedAt, {
        keyHash,
        storeMs,
        status: stored.status,
        bytes: stored.body.length,
      });
    }
    return { kind: 'replay', response };
  }

  /**
   * The body a parser left, when the raw bytes cannot be seen, as the bytes the fingerprint reads: its JSON
   * (canonicalised by the fingerprint as any JSON body is). Multipart parts and a value that has no JSON are
   * refused: what the handler consumes could not be told apart.
   */
  #parsedBody(
    cfg: ResolvedOptions<TContext>,
    info: IdempotencyRequestInfo<TContext>,
    request: IdempotencyRequest<TContext>,
  ): Uint8Array | null {
    if (MULTIPART.test(firstValue(info.header('content-type')) ?? '')) {
      throw new UnreadableBodyError(
        'this multipart request body was read before idempo could see it, so the bytes the handler consumes cannot be fingerprinted; let idempo run before the upload parser, or opt the route out',
      );
    }
    const parsed = request.parsedBody?.();
    if (parsed === undefined)
      throw new UnreadableBodyError(
        'the request body was read before idempo could see it and neither its bytes nor a parsed value were left; let idempo run before whatever reads it, or keep the raw bytes (Nest: { rawBody: true }; Koa: a parser that sets ctx.request.rawBody; Express: express.json({ verify: keepRawBody }) from @idempo/express)',
      );
    if (parsed === null) return null;
    let text: string | undefined;
    try {
      text = typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
    } catch {
      text = undefined;
    }
    if (text === undefined)
      throw new UnreadableBodyError(
        'the parsed request body has no JSON form, so it cannot be fingerprinted',
      );
    if (!this.#warnedParsed) {
      this.#warnedParsed = true;
      const advice =
        'idempo: the raw request body was not available (a body parser consumed it), so the parsed body is fingerprinted as JSON; keep the raw bytes (Nest: { rawBody: true }; Koa: a parser that sets ctx.request.rawBody; Express: express.json({ verify: keepRawBody }) from @idempo/express) to fingerprint what was received';
      if (cfg.onEvent) this.emit(cfg, 'parsed-body', info, now(), { reason: advice });
      else console.warn(advice);
    }
    return encoder.encode(text);
  }

  /** Gives back a reservation that landed after its call timed out; reports it. Never throws or rejects. */
  releaseLate(
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequestInfo<TContext>,
    keyHash: string,
    token: string,
    storeStart: number,
  ): void {
    const started = now();
    withStoreTimeout(
      'store release',
      (deadline) => cfg.store.release(keyHash, token, { deadline }),
      cfg.storeTimeoutMs,
    ).then(
      (released) => {
        // `false`: the late record was already taken over or gone; nothing was ours to give back.
        if (released)
          this.emit(cfg, 'released', request, started, {
            keyHash,
            reason: 'late-reservation',
            storeMs: now() - storeStart,
          });
      },
      (error: unknown) =>
        this.emit(cfg, 'store-error', request, started, {
          keyHash,
          reason: 'release',
          error,
          storeMs: now() - started,
        }),
    );
  }

  #replayResponse(cfg: ResolvedOptions<TContext>, stored: ReturnType<typeof decodeResponse>): ReadyResponse {
    // A decoded record's header list is its own (decodeResponse makes one per call): extended, not copied.
    const headers = stored.headers as HeaderEntry[];
    if (!hasNoBody(stored.status)) headers.push(['content-length', String(stored.body.length)]);
    if (cfg.replayHeader) headers.push([cfg.replayHeader, 'true']);
    return { status: stored.status, headers, body: stored.body };
  }

  #storeFailure(
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequestInfo<TContext>,
    startedAt: number,
    keyHash: string,
    error: StoreUnavailableError,
    storeMs: number,
  ): Decision {
    this.emit(cfg, 'store-error', request, startedAt, { keyHash, storeMs, reason: 'reserve', error });
    if (cfg.failOpen) return BYPASS['store-error'];
    const answer = new StoreUnavailableError(
      'the idempotency store is unavailable, so the request was not processed; retry later',
      { cause: error },
    );
    return {
      kind: 'reject',
      error: answer,
      response: toProblemResponse(answer, cfg.problemTypeBase, cfg.retryAfterSeconds),
    };
  }
}

const MULTIPART = /^\s*multipart\//i;

/**
 * A second mount's request: it passes through, handled once by the mount holding it. A second mount with route
 * options of its own that the first could not apply is a configuration mistake, refused rather than ignored.
 */
function nested(
  route: RouteOptions<never> | false | undefined,
  held: RouteOptions<never> | false | undefined,
): BypassDecision {
  if (route === undefined || route === held) return BYPASS.nested;
  throw new InvalidOptionsError(
    'idempo: this request was already reserved by another idempo mount (app-wide) before reaching one with route options of its own; mount idempo once per route, or give the options to the first mount',
  );
}

function requestInfo<TContext>(request: IdempotencyRequest<TContext>): IdempotencyRequestInfo<TContext> {
  const { path, query } = splitTarget(request.url);
  return { method: request.method, path, query, header: request.header, context: request.context };
}

/** What a value is, for messages: `typeof`, except that arrays and `null` are named as such. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function firstValue(value: string | readonly string[] | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}

/** Bytes that `await` would not wait for (no `then` of their own): a body function's usual answer. */
function isPlainBytes(value: unknown): boolean {
  return value instanceof Uint8Array && typeof (value as { then?: unknown }).then !== 'function';
}

/** `value` is what `await` might wait for: a promise, or any object or function (it may be a thenable). */
function maybeThenable(value: unknown): boolean {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * One reserve in flight: what its answer is decided with, and the request's promise it settles (the caller of
 * its bounded call). The decision is made by the engine; a reservation that lands after its timeout is given
 * back at once rather than leaving the key locked for a whole lease (`late` runs once per call).
 */
class Reservation<TContext> implements BoundedCaller<ReserveResult> {
  resolve: (decision: Decision) => void = settledNothing;
  reject: (error: unknown) => void = settledNothing;

  constructor(
    readonly engine: Engine<TContext>,
    readonly cfg: ResolvedOptions<TContext>,
    readonly request: IdempotencyRequest<TContext>,
    readonly info: IdempotencyRequestInfo<TContext>,
    readonly startedAt: number,
    readonly keyHash: string,
    readonly fingerprint: string,
    readonly storeStart: number,
  ) {}

  answered(result: ReserveResult): void {
    try {
      this.resolve(this.engine.reserved(this, result));
    } catch (error) {
      this.reject(error);
    }
  }

  failed(error: StoreUnavailableError): void {
    try {
      this.resolve(this.engine.reserveFailed(this, error));
    } catch (e) {
      this.reject(e);
    }
  }

  late(result: ReserveResult): void {
    if (result.kind === 'reserved')
      this.engine.releaseLate(this.cfg, this.info, this.keyHash, result.token, this.storeStart);
  }
}

const settledNothing = (): void => undefined;

/**
 * What an execution's lease, commit and release share: the key it holds, and whom to tell. It is also the lease's
 * host (its extend, and the reports of a failed extend and of the loss): one object, no closure per request.
 */
class Holding<TContext> implements LeaseHost {
  readonly reservedAt = now();

  constructor(
    readonly engine: Engine<TContext>,
    readonly cfg: ResolvedOptions<TContext>,
    readonly request: IdempotencyRequestInfo<TContext>,
    readonly keyHash: string,
    readonly token: string,
  ) {}

  extend(): Promise<boolean> {
    const { cfg } = this;
    return withStoreTimeout(
      'store extend',
      (deadline) => cfg.store.extend(this.keyHash, this.token, cfg.leaseMs, { deadline }),
      cfg.storeTimeoutMs,
    );
  }

  failed(error: unknown, storeMs: number): void {
    this.emit('store-error', now() - storeMs, { reason: 'extend', error, storeMs });
  }

  lost(reason: LeaseLossReason): void {
    this.emit('lease-lost', now(), { reason, handlerMs: now() - this.reservedAt });
  }

  emit(type: IdempotencyEventType, started: number, fields: EventFields): void {
    this.engine.emit(this.cfg, type, this.request, started, { keyHash: this.keyHash, ...fields });
  }

  /** Releases the key, bounded by `storeTimeoutMs`; reports it. Never rejects. */
  async release(started: number, reason: string, cause?: unknown): Promise<void> {
    const { cfg } = this;
    const handlerMs = started - this.reservedAt;
    const storeStart = now();
    try {
      await withStoreTimeout(
        'store release',
        (deadline) => cfg.store.release(this.keyHash, this.token, { deadline }),
        cfg.storeTimeoutMs,
      );
      this.emit('released', started, { reason, handlerMs, storeMs: now() - storeStart, error: cause });
    } catch (error) {
      this.emit('store-error', started, {
        reason: 'release',
        error,
        cause,
        handlerMs,
        storeMs: now() - storeStart,
      });
    }
  }
}

/** One complete in flight: its answer settles the commit's promise (the caller of its bounded call). */
class Completion<TContext> implements BoundedCaller<boolean> {
  resolve: (outcome: CommitOutcome) => void = settledNothing;

  constructor(
    readonly holding: Holding<TContext>,
    readonly started: number,
    readonly handlerMs: number,
    readonly storeStart: number,
    readonly status: number,
    readonly blob: Uint8Array,
  ) {}

  answered(written: boolean): void {
    const { holding, started, handlerMs } = this;
    const { engine } = holding;
    const storeMs = engine.time() - this.storeStart;
    if (!written) {
      holding.emit('lease-lost', started, { reason: 'complete', handlerMs, storeMs });
      this.resolve('lease-lost');
      return;
    }
    if (engine.observed) {
      holding.emit('committed', started, {
        handlerMs,
        storeMs,
        status: this.status,
        bytes: recordBodyLength(this.blob),
      });
    }
    this.resolve('stored');
  }

  failed(error: StoreUnavailableError): void {
    const { holding } = this;
    holding.emit('store-error', this.started, {
      reason: 'complete',
      error,
      handlerMs: this.handlerMs,
      storeMs: holding.engine.time() - this.storeStart,
    });
    this.resolve('store-error');
  }

  late(): void {
    // A complete that lands after its timeout stored the response: retries replay it; nothing to undo.
  }
}

const notPersisted = (): CommitOutcome => 'not-persisted';
const tooLarge = (): CommitOutcome => 'too-large';

/** The execution of one reserved key: its lease, then exactly one commit or abandon. */
class Execution<TContext> implements ExecuteDecision {
  readonly kind = 'execute';
  readonly keyHash: string;
  #settled = false;
  /** The handler threw and, by `onHandlerError: 'store'`, the framework's answer to it is to be committed. */
  #threw = false;
  readonly #holding: Holding<TContext>;
  readonly #lease: Lease;

  get maxBodyBytes(): number {
    return this.#holding.cfg.maxBodyBytes;
  }

  constructor(
    engine: Engine<TContext>,
    cfg: ResolvedOptions<TContext>,
    request: IdempotencyRequestInfo<TContext>,
    keyHash: string,
    token: string,
    reservedFrom: number,
  ) {
    this.keyHash = keyHash;
    const holding = new Holding(engine, cfg, request, keyHash, token);
    this.#holding = holding;
    this.#lease = new Lease(holding, cfg, reservedFrom, holding.reservedAt);
  }

  get leaseLost(): boolean {
    return this.#lease.lost;
  }

  get signal(): AbortSignal {
    return this.#lease.signal;
  }

  async threw(error: unknown): Promise<boolean> {
    if (this.#settled) return false;
    if (this.#holding.cfg.storeThrown) {
      this.#threw = true;
      return true;
    }
    await this.abandon(error);
    return false;
  }

  commit(response: CapturedResponse): Promise<CommitOutcome> {
    // As from an async function: whatever throws rejects (nothing below does for a well-formed response).
    try {
      return this.#commit(response);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #commit(response: CapturedResponse): Promise<CommitOutcome> {
    if (this.#settled) return Promise.resolve('settled');
    this.#settled = true;
    this.#lease.stop();
    const holding = this.#holding;
    const { cfg, engine } = holding;
    const started = engine.time();
    if (this.#threw && response.status >= 500) {
      // A crash answered by the framework is never replayed: the retry runs again.
      return holding.release(started, 'handler-threw').then(notPersisted);
    }
    // Nothing below may throw out of commit (Fastify would exit the process): a user callback that throws, or a
    // response that cannot be encoded, releases the key once and is reported once; the response is still sent.
    let persisted: boolean;
    try {
      persisted = !cfg.persist || cfg.persist(response.status);
    } catch (error) {
      return holding.release(started, 'persist-threw', error).then(notPersisted);
    }
    if (!persisted) return holding.release(started, 'not-persisted').then(notPersisted);
    let blob: Uint8Array;
    try {
      // A text body is encoded straight into the record. Its UTF-8 length lies between its length and three
      // times that, so it is measured on its own only when the limit falls in between.
      let body = response.body ?? EMPTY;
      if (typeof body === 'string' && body.length <= cfg.maxBodyBytes && body.length * 3 > cfg.maxBodyBytes)
        body = encoder.encode(body);
      if (body.length > cfg.maxBodyBytes) return holding.release(started, 'too-large').then(tooLarge);
      blob = encodeRecordBlob(response.status, storedHeaders(response.headers, cfg.headerFilter), body);
    } catch (error) {
      return holding.release(started, 'encode-failed', error).then(notPersisted);
    }
    const storeStart = engine.time();
    const deadline = Date.now() + cfg.storeTimeoutMs;
    const completion = new Completion(
      holding,
      started,
      started - holding.reservedAt,
      storeStart,
      response.status,
      blob,
    );
    const outcome = new Promise<CommitOutcome>((resolve) => {
      completion.resolve = resolve;
    });
    let pending: Promise<boolean>;
    try {
      pending = cfg.store.complete(holding.keyHash, holding.token, blob, cfg.ttlMs, { deadline });
    } catch (error) {
      pending = Promise.reject(error);
    }
    boundStoreCall('store complete', pending, cfg.storeTimeoutMs, deadline, completion);
    return outcome;
  }

  async abandon(cause?: unknown): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    this.#lease.stop();
    await this.#holding.release(now(), 'abandoned', cause);
  }
}

/**
 * Creates the engine. Options are validated here, once; an invalid option throws
 * {@link InvalidOptionsError} at startup rather than failing requests later.
 */
export function createIdempotency<TContext = unknown>(
  options: IdempotencyOptions<TContext>,
): Idempotency<TContext> {
  return new Engine(options);
}
