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
import { computeFingerprint } from './fingerprint.js';
import { type HeaderEntry, normalizeHeaders } from './headers.js';
import { readKeyHeader, validKeyHint } from './key.js';
import { Lease, type LeaseLossReason } from './lease.js';
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
import { decodeResponse, encodeRecord } from './response-encoding.js';
import { hasNoBody } from './status.js';
import { storageKey } from './storage-key.js';
import type { IdempotencyStore } from './store.js';
import { withStoreTimeout } from './with-timeout.js';

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

  async begin(request: IdempotencyRequest<TContext>): Promise<Decision> {
    const startedAt = this.time();
    const { context } = request;
    const holdable = typeof context === 'object' && context !== null;
    if (holdable && holders.has(context)) return nested(request.route, holders.get(context));
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

    let principal = '';
    if (cfg.principal) {
      // Anything but a string would be turned into one and merge callers into one key space (Bob gets Alice's
      // stored answer): refused, before anything is read or reserved.
      const returned: unknown = await cfg.principal(info);
      if (typeof returned === 'string') principal = returned;
      else if (returned !== null && returned !== undefined) {
        const error = new InvalidPrincipalError(
          `principal must return a string, null or undefined; got ${kindOf(returned)}`,
        );
        return this.#reject(cfg, info, startedAt, 'invalid-principal', error, { error });
      }
    }
    // Digests are synchronous on every runtime (node:crypto or a pure-JS SHA-256): no await, no tick.
    const keyHash = storageKey({ scope: cfg.scope, principal, key: parsed.key });
    const limit = cfg.maxRequestBodyBytes;
    const declared = declaredLength(info.header('content-length'));
    if (declared !== undefined && declared > limit)
      return this.#reject(cfg, info, startedAt, 'too-large', requestTooLarge(limit, declared));
    let body: Uint8Array | null;
    try {
      const read = typeof request.body === 'function' ? await request.body(limit) : request.body;
      body = read === undefined && request.parsedBody ? this.#parsedBody(cfg, info, request) : (read ?? null);
    } catch (error) {
      if (error instanceof RequestTooLargeError)
        return this.#reject(cfg, info, startedAt, 'too-large', error);
      if (error instanceof UnreadableBodyError)
        return this.#reject(cfg, info, startedAt, 'unreadable-body', error);
      throw error;
    }
    if (body !== null && body.length > limit)
      return this.#reject(cfg, info, startedAt, 'too-large', requestTooLarge(limit));
    const pendingFingerprint = cfg.fingerprint
      ? cfg.fingerprint(info, body)
      : computeFingerprint({
          method: info.method,
          path: info.path,
          query: info.query,
          contentType: firstValue(info.header('content-type')),
          body,
        });
    // Only a `fingerprint` function of the user's may answer a promise.
    const fingerprint: unknown =
      typeof pendingFingerprint === 'string' ? pendingFingerprint : await pendingFingerprint;
    if (typeof fingerprint !== 'string') {
      // A forgotten `return` would store every payload under one fingerprint: a different request would replay.
      const error = new InvalidFingerprintError(
        `fingerprint must return a string; got ${kindOf(fingerprint)}`,
      );
      return this.#reject(cfg, info, startedAt, 'invalid-fingerprint', error, { keyHash, error });
    }

    // Read whether observed or not: the lease the store grants runs from after this instant (`heldUntil`).
    const storeStart = now();
    let result: Awaited<ReturnType<typeof cfg.store.reserve>>;
    try {
      result = await withStoreTimeout(
        'store reserve',
        (deadline) => cfg.store.reserve(keyHash, fingerprint, cfg.leaseMs, cfg.ttlMs, { deadline }),
        cfg.storeTimeoutMs,
        // A reservation that arrives after the timeout belongs to nobody: give it back at once rather than
        // leaving the key locked for a whole lease. `onLate` runs once per call, so it is given back once.
        (late) => {
          if (late.kind === 'reserved') this.#releaseLate(cfg, info, keyHash, late.token, storeStart);
        },
      );
    } catch (error) {
      return this.#storeFailure(
        cfg,
        info,
        startedAt,
        keyHash,
        error as StoreUnavailableError,
        now() - storeStart,
      );
    }
    const storeMs = this.observed ? now() - storeStart : 0;

    if (result.kind === 'reserved') {
      if (this.observed) this.emit(cfg, 'reserved', info, startedAt, { keyHash, storeMs });
      if (holdable) holders.set(context, request.route as RouteOptions<never> | false | undefined);
      return new Execution(this, cfg, info, keyHash, result.token, storeStart);
    }
    if (result.fingerprint !== fingerprint) {
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
  #releaseLate(
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

/** The execution of one reserved key: its lease, then exactly one commit or abandon. */
class Execution<TContext> implements ExecuteDecision {
  readonly kind = 'execute';
  readonly #reservedAt = now();
  #settled = false;
  /** The handler threw and, by `onHandlerError: 'store'`, the framework's answer to it is to be committed. */
  #threw = false;
  readonly #lease: Lease;

  get maxBodyBytes(): number {
    return this.cfg.maxBodyBytes;
  }

  constructor(
    private readonly engine: Engine<TContext>,
    private readonly cfg: ResolvedOptions<TContext>,
    private readonly request: IdempotencyRequestInfo<TContext>,
    readonly keyHash: string,
    private readonly token: string,
    reservedFrom: number,
  ) {
    this.#lease = new Lease(
      {
        extend: () =>
          withStoreTimeout(
            'store extend',
            (deadline) => cfg.store.extend(keyHash, token, cfg.leaseMs, { deadline }),
            cfg.storeTimeoutMs,
          ),
        failed: (error, storeMs) =>
          this.#emit('store-error', now() - storeMs, { reason: 'extend', error, storeMs }),
        lost: (reason: LeaseLossReason) =>
          this.#emit('lease-lost', now(), { reason, handlerMs: now() - this.#reservedAt }),
      },
      cfg,
      reservedFrom,
      this.#reservedAt,
    );
  }

  get leaseLost(): boolean {
    return this.#lease.lost;
  }

  get signal(): AbortSignal {
    return this.#lease.signal;
  }

  #emit(type: IdempotencyEventType, started: number, fields: EventFields): void {
    this.engine.emit(this.cfg, type, this.request, started, { keyHash: this.keyHash, ...fields });
  }

  async #release(started: number, reason: string, cause?: unknown): Promise<void> {
    const { cfg } = this;
    const handlerMs = started - this.#reservedAt;
    const storeStart = now();
    try {
      await withStoreTimeout(
        'store release',
        (deadline) => cfg.store.release(this.keyHash, this.token, { deadline }),
        cfg.storeTimeoutMs,
      );
      this.#emit('released', started, { reason, handlerMs, storeMs: now() - storeStart, error: cause });
    } catch (error) {
      this.#emit('store-error', started, {
        reason: 'release',
        error,
        cause,
        handlerMs,
        storeMs: now() - storeStart,
      });
    }
  }

  async threw(error: unknown): Promise<boolean> {
    if (this.#settled) return false;
    if (this.cfg.storeThrown) {
      this.#threw = true;
      return true;
    }
    await this.abandon(error);
    return false;
  }

  async commit(response: CapturedResponse): Promise<CommitOutcome> {
    if (this.#settled) return 'settled';
    this.#settled = true;
    this.#lease.stop();
    const started = this.engine.time();
    const { cfg } = this;
    if (this.#threw && response.status >= 500) {
      // A crash answered by the framework is never replayed: the retry runs again.
      await this.#release(started, 'handler-threw');
      return 'not-persisted';
    }
    // Nothing below may throw out of commit (Fastify would exit the process): a user callback that throws, or a
    // response that cannot be encoded, releases the key once and is reported once; the response is still sent.
    try {
      if (cfg.persist && !cfg.persist(response.status)) {
        await this.#release(started, 'not-persisted');
        return 'not-persisted';
      }
    } catch (error) {
      await this.#release(started, 'persist-threw', error);
      return 'not-persisted';
    }
    let record: ReturnType<typeof encodeRecord>;
    try {
      // A text body is encoded straight into the record. Its UTF-8 length lies between its length and three
      // times that, so it is measured on its own only when the limit falls in between.
      let body = response.body ?? EMPTY;
      if (typeof body === 'string' && body.length <= cfg.maxBodyBytes && body.length * 3 > cfg.maxBodyBytes)
        body = encoder.encode(body);
      if (body.length > cfg.maxBodyBytes) {
        await this.#release(started, 'too-large');
        return 'too-large';
      }
      record = encodeRecord(response.status, cfg.headerFilter(normalizeHeaders(response.headers)), body);
    } catch (error) {
      await this.#release(started, 'encode-failed', error);
      return 'not-persisted';
    }
    const { blob, bodyLength } = record;
    const handlerMs = started - this.#reservedAt;
    const storeStart = this.engine.time();
    try {
      const written = await withStoreTimeout(
        'store complete',
        (deadline) => cfg.store.complete(this.keyHash, this.token, blob, cfg.ttlMs, { deadline }),
        cfg.storeTimeoutMs,
      );
      const storeMs = this.engine.time() - storeStart;
      if (!written) {
        this.#emit('lease-lost', started, { reason: 'complete', handlerMs, storeMs });
        return 'lease-lost';
      }
      if (this.engine.observed)
        this.#emit('committed', started, { handlerMs, storeMs, status: response.status, bytes: bodyLength });
      return 'stored';
    } catch (error) {
      this.#emit('store-error', started, {
        reason: 'complete',
        error,
        handlerMs,
        storeMs: this.engine.time() - storeStart,
      });
      return 'store-error';
    }
  }

  async abandon(cause?: unknown): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    this.#lease.stop();
    await this.#release(now(), 'abandoned', cause);
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
