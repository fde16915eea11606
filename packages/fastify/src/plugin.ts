/**
 * The Fastify plugin: the five steps of an adapter (docs/design.md "One request") on Fastify's hooks.
 * preParsing reads the body of keyed requests ahead of the parser (bounded) and hands every consumer a stream
 * that replays it; preHandler builds the IdempotencyRequest, calls `begin` and answers replays and rejections;
 * the wrapped handler marks that it ran (and whether it threw); onSend captures and commits before the response
 * leaves, or hands a thrown error's reply to core's `threw`; onError releases the key of a request that failed
 * elsewhere. Requests no route matched (Fastify's 404) are left alone. preParsing, onSend and onError are app-wide
 * hooks; preHandler is added to each route core may cover (`covers`: one of its methods is among the route's
 * `methods`), so the others never run it.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import {
  createIdempotency,
  declaredLength,
  type ExecuteDecision,
  type ReadyResponse,
} from '@idempo/core/adapter';
import {
  canPeekBody,
  captureBody,
  discardRest,
  hasRequestBody,
  peekBody,
  readableAgain,
  replayStream,
} from '@idempo/core/node';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onErrorHookHandler,
  onSendHookHandler,
  preHandlerHookHandler,
  preParsingHookHandler,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { capturedResponse } from './captured-response.js';
import type { FastifyIdempotencyOptions } from './options.js';
import { sendReady } from './ready-response.js';
import { toIdempotencyRequest } from './request.js';

/** A request holding a key: its decision, and whether the route's handler has run. */
interface Execution {
  readonly decision: ExecuteDecision;
  ran: boolean;
  /** The handler threw (or rejected): core decides what its answer does to the key (`onHandlerError`). */
  threw: boolean;
  thrown?: unknown;
}

/** What preParsing read of a keyed request's body, as the rest of the plugin needs it. */
interface ReadAhead {
  /** The body was longer than the limit: only its beginning was read. */
  readonly overflow: boolean;
  /** Core's body function (see `CapturedBody`). */
  readonly read: (maxBytes: number) => Uint8Array | null;
}

/** A body read whole and put back into its stream. */
function wholeBody(bytes: Uint8Array): ReadAhead {
  const body = bytes.length === 0 ? null : bytes;
  return { overflow: false, read: () => body };
}

/** Marks the route configs whose handler this plugin wrapped (routes registered after it loaded). */
const WRAPPED = Symbol('@idempo/fastify wrapped');

const noop = () => undefined;

function isBody(payload: unknown): payload is string | Uint8Array | null | undefined {
  return (
    payload === null || payload === undefined || typeof payload === 'string' || payload instanceof Uint8Array
  );
}

/**
 * Whether the request may have a body: core's answer from its framing (`hasRequestBody`), or a Content-Type
 * without a Content-Length, since Fastify parses a body whenever there is a Content-Type and `inject` sends a
 * stream payload with no framing header.
 */
function mayHaveBody(request: FastifyRequest): boolean {
  const { headers } = request;
  if (headers['content-length'] === undefined && headers['content-type'] !== undefined) return true;
  return hasRequestBody(headers, request.raw);
}

/** What `printRoutes` prints for a router without routes (find-my-way). */
const EMPTY_ROUTES = '(empty tree)';

/** Marks this plugin's preHandler (any copy of it, any mount) in a route's list of preHandler hooks. */
const HOOK = Symbol.for('@idempo/fastify hook');

/**
 * Adds the plugin's preHandler to a route, where the app-wide one used to run: before the route's own preHandler
 * hooks (a route's preHandler that answers 401 does so after the key was reserved, and the key is released), after
 * an earlier mount's (the outer mount reserves, as J2 says).
 */
function addRoutePreHandler(route: RouteOptions, hook: preHandlerHookHandler): void {
  const current: unknown = route.preHandler;
  const list: unknown[] = current === undefined ? [] : Array.isArray(current) ? [...current] : [current];
  let at = 0;
  for (let i = 0; i < list.length; i++) if ((list[i] as Record<symbol, unknown>)[HOOK] === true) at = i + 1;
  list.splice(at, 0, hook);
  route.preHandler = list as preHandlerHookHandler[];
}

async function idempotencyPlugin(
  fastify: FastifyInstance,
  options: FastifyIdempotencyOptions,
): Promise<void> {
  const engine = createIdempotency<FastifyRequest>(options);
  const keyHeader = engine.keyHeader;
  const bodies = new WeakMap<FastifyRequest, ReadAhead>();
  const executions = new WeakMap<FastifyRequest, Execution>();
  const warned = new WeakSet<object>();

  /** The limit the route reads keyed bodies with: its own `maxRequestBodyBytes`, or the plugin's. */
  function bodyLimit(request: FastifyRequest): number | undefined {
    return engine.requestBodyLimit(request.routeOptions.config.idempotency);
  }

  // Only a request that carries a key and has a body is read ahead: the others keep Fastify's stream untouched.
  // The body is read before the parser, up to the limit, so that the fingerprint covers what any consumer reads
  // (a parser calling done(null), a request.body stream, request.raw, @fastify/multipart); they all get a stream
  // that replays it. A body over the limit is answered 413 here, when core says the request is its business.
  const idempotencyPreParsing: preParsingHookHandler = (request, reply, payload, done) => {
    if (request.headers[keyHeader] === undefined || request.is404 || !mayHaveBody(request))
      return done(null, payload);
    const limit = bodyLimit(request);
    if (limit === undefined) return done(null, payload);
    const raw = payload === (request.raw as unknown) ? request.raw : undefined;
    const declared = declaredLength(request.headers['content-length']);
    // A Node request whose whole body fits the limit (its Content-Length says so, and Node's parser holds the
    // body to it): read and put back into the same stream (`unshift`), which Fastify's parser, a handler reading
    // `request.raw` and @fastify/multipart then read from its start. No second stream, nothing to copy.
    if (raw !== undefined && declared !== undefined && declared <= limit && canPeekBody(raw)) {
      peekBody(raw, limit, declared).then(
        (bytes) => {
          bodies.set(request, wholeBody(bytes));
          done(null, payload);
        },
        (error: Error) => {
          if (!reply.sent) done(error);
        },
      );
      return;
    }
    captureBody(payload as Readable, limit, declared)
      .then(async (body) => {
        bodies.set(request, body);
        if (body.overflow && (await answeredTooLarge(request, reply))) return;
        const source = body.replay();
        if (body.overflow) reply.raw.once('finish', () => discardRest(source));
        if (raw === undefined) return done(null, replayStream(source));
        const again = readableAgain(raw, source);
        (request as { raw: IncomingMessage }).raw = again;
        done(null, again);
      })
      .catch((error: Error) => {
        if (!reply.sent) done(error);
      });
  };

  /**
   * For a body over the limit: core's answer if it is a rejection (the 413, before anything is reserved: core
   * reads the body before it reserves), sent at once so that the parser never reads the rest. A route core does
   * not cover bypasses: its body goes on to the parser whole. A `principal` that cannot run this early (it
   * throws before authentication) leaves the decision to the preHandler, which answers the same 413.
   */
  async function answeredTooLarge(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const decision = await engine
      .begin(toIdempotencyRequest(request, bodies.get(request)))
      .catch(() => undefined);
    if (decision?.kind !== 'reject') return false;
    answer(request, reply, decision.response);
    return true;
  }

  /**
   * Sends core's answer instead of the handler's. When the body was left partly unread (over the limit), the
   * connection is closed after it, as Fastify does for its own body errors: Node would neither read the rest
   * (the request counts as being consumed) nor take another request on it.
   */
  function answer(request: FastifyRequest, reply: FastifyReply, response: ReadyResponse): void {
    if (bodies.get(request)?.overflow) reply.header('connection', 'close');
    sendReady(reply, response);
  }

  const idempotencyPreHandler: preHandlerHookHandler = (request, reply, done) => {
    // Fastify's 404 (its own or setNotFoundHandler's) is no route's answer: a retry may reach an instance that
    // has the route, so it is neither stored nor answered from the store.
    if (request.is404) return done();
    engine
      .begin(toIdempotencyRequest(request, bodies.get(request)))
      .then((decision) => {
        if (decision.kind === 'reject' || decision.kind === 'replay') {
          answer(request, reply, decision.response);
          return;
        }
        if (decision.kind === 'execute') {
          const config = request.routeOptions.config as unknown as Record<symbol, unknown>;
          if (config[WRAPPED] !== true && !warned.has(config)) {
            warned.add(config);
            request.log.warn(
              '@idempo/fastify: this route was registered before the plugin had loaded (await app.register(idempotency, ...) first): its options were not validated at start-up and a reply sent by a later preHandler hook cannot be told from its handler',
            );
          }
          executions.set(request, { decision, ran: config[WRAPPED] !== true, threw: false });
          // A hijacked reply never reaches onSend: release its key once it is over.
          reply.raw.once('finish', () => settle(request, 'no-capture')?.catch(noop));
        }
        done();
      })
      .catch((error: Error) => {
        // A principal or fingerprint function that threw: Fastify's error handling answers.
        if (bodies.get(request)?.overflow) reply.header('connection', 'close');
        if (!reply.sent) done(error);
      });
  };

  /** Abandons the request's execution, if it has one not yet settled. */
  function settle(request: FastifyRequest, cause: unknown): Promise<void> | undefined {
    const execution = executions.get(request);
    if (!execution) return undefined;
    executions.delete(request);
    return execution.decision.abandon(cause);
  }

  // Core's commit and abandon never reject; if one did, the response would still leave, and no rejection may be
  // left unhandled (Node would end the process).
  const idempotencyOnSend: onSendHookHandler = (request, reply, payload, done) => {
    const execution = executions.get(request);
    if (!execution) return done(null, payload);
    const send = () => done(null, payload);
    if (!execution.ran || !isBody(payload)) {
      // A reply sent by a hook before the handler, or a stream: neither is stored, and the key is released.
      settle(request, execution.ran ? 'stream' : 'not-handled')?.then(send, send);
      return;
    }
    executions.delete(request);
    const commit = () => execution.decision.commit(capturedResponse(reply, payload));
    if (!execution.threw) return void commit().then(send, send);
    // The error handler's reply to what the handler threw: stored or released, as core decides.
    execution.decision
      .threw(execution.thrown)
      .then((capture) => (capture ? commit() : undefined))
      .then(send, send);
  };

  const idempotencyOnError: onErrorHookHandler = (request, _reply, error, done) => {
    const finish = () => done();
    // What the handler threw is settled in onSend, with the error handler's reply (a route registered before the
    // plugin loaded is not wrapped: an error once it ran counts as its throw). An error before it ran releases.
    const execution = executions.get(request);
    if (execution?.ran) {
      if (!execution.threw) Object.assign(execution, { threw: true, thrown: error });
      return finish();
    }
    const released = settle(request, error);
    if (released) released.then(finish, finish);
    else finish();
  };
  // preParsing and onSend stay app-wide: they keep their place among the app's own hooks of the same kind, which
  // a route's hook could not (Fastify runs a route's hooks after all of the app's): a preParsing hook or an
  // onSend hook (compression) registered after the plugin still sees the replayable body, or the handler's payload.
  // onError too: Fastify runs it only for a request that failed, and a not-found handler called from a route
  // (`reply.callNotFound()`) fails under the 404 context, which has none of the route's hooks.
  fastify.addHook('preParsing', idempotencyPreParsing);
  fastify.addHook('onSend', idempotencyOnSend);
  fastify.addHook('onError', idempotencyOnError);
  // preHandler is the route's, on the routes core may cover only: a route where idempotency can never apply (a
  // safe method, or opted out) does not run it, nor Fastify's preHandler runner for it. Routes declared before the
  // plugin loaded never reach the onRoute hook: when there are any, it stays app-wide too.
  Object.defineProperty(idempotencyPreHandler, HOOK, { value: true });
  const appWide = fastify.printRoutes() !== EMPTY_ROUTES;
  if (appWide) fastify.addHook('preHandler', idempotencyPreHandler);

  fastify.addHook('onRoute', (route) => {
    const routeOptions = route.config?.idempotency;
    engine.validateRoute(routeOptions);
    if (!appWide) {
      // Core says which routes can ever be covered: idempotency on for the route, and one of its methods among
      // the route's `methods` (never a safe one, B10).
      const methods = typeof route.method === 'string' ? [route.method] : route.method;
      if (!methods.some((method) => engine.covers(routeOptions, method))) return;
      addRoutePreHandler(route, idempotencyPreHandler);
    }
    const handler = route.handler as RouteHandlerMethod;
    route.config = { ...route.config, [WRAPPED]: true } as NonNullable<typeof route.config>;
    route.handler = function (this: FastifyInstance, request, reply) {
      const execution = executions.get(request);
      if (!execution) return handler.call(this, request, reply);
      execution.ran = true;
      const threw = (error: unknown) => {
        execution.threw = true;
        execution.thrown = error;
        throw error;
      };
      try {
        const result: unknown = handler.call(this, request, reply);
        return result instanceof Promise ? result.then(undefined, threw) : result;
      } catch (error) {
        return threw(error);
      }
    };
  });
}

/**
 * Idempotency-Key for Fastify 5: `await app.register(idempotency, { store })`. It applies to the scope it is
 * registered in (root, or an encapsulated plugin such as a `/v1` prefix) and to that scope's children; routes
 * tune it with `config: { idempotency: {...} | false }`. Register it before declaring routes, and after the hooks
 * that authenticate (the `principal` function sees what they set).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { MemoryStore } from '@idempo/core';
 * import { idempotency } from '@idempo/fastify';
 *
 * const app = Fastify();
 * await app.register(idempotency, { store: new MemoryStore() });
 * app.post('/orders', async (request, reply) => reply.code(201).send({ id: 1 }));
 * ```
 */
export const idempotency = fp(idempotencyPlugin, { fastify: '5.x', name: '@idempo/fastify' });
