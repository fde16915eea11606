/**
 * The Fastify plugin: the five steps of an adapter (DESIGN.md "The flow of one request") on Fastify's hooks.
 * preParsing keeps the raw body of keyed requests; preHandler builds the IdempotencyRequest, calls `begin` and
 * answers replays and rejections; the wrapped handler marks that it ran; onSend captures and commits before
 * the response leaves; onError releases the key of a handler that failed.
 */
import { createIdempotency, type ExecuteDecision } from '@idempo/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import { BodyTee } from './body-tee.js';
import type { FastifyIdempotencyOptions } from './options.js';
import { sendReady } from './ready-response.js';
import { toIdempotencyRequest } from './request.js';

/** A request holding a key: its decision, and whether the route's handler has run. */
interface Execution {
  readonly decision: ExecuteDecision;
  ran: boolean;
}

/** Marks the route configs whose handler this plugin wrapped (routes registered after it loaded). */
const WRAPPED = Symbol('@idempo/fastify wrapped');

function isBody(payload: unknown): payload is string | Uint8Array | null | undefined {
  return (
    payload === null || payload === undefined || typeof payload === 'string' || payload instanceof Uint8Array
  );
}

async function idempotencyPlugin(
  fastify: FastifyInstance,
  options: FastifyIdempotencyOptions,
): Promise<void> {
  const engine = createIdempotency<FastifyRequest>(options);
  const keyHeader = engine.options.headerLookup;
  const tees = new WeakMap<FastifyRequest, BodyTee>();
  const executions = new WeakMap<FastifyRequest, Execution>();
  const warned = new WeakSet<object>();

  fastify.addHook('onRoute', (route) => {
    engine.validateRoute(route.config?.idempotency);
    const handler = route.handler as RouteHandlerMethod;
    route.config = { ...route.config, [WRAPPED]: true } as NonNullable<typeof route.config>;
    route.handler = function (this: FastifyInstance, request, reply) {
      const execution = executions.get(request);
      if (execution) execution.ran = true;
      return handler.call(this, request, reply);
    };
  });

  // Only a request that carries a key may need its body fingerprinted: the others are never slowed down.
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (request.headers[keyHeader] === undefined) return done(null, payload);
    const tee = new BodyTee(payload);
    tees.set(request, tee);
    done(null, tee);
  });

  fastify.addHook('preHandler', (request, reply, done) => {
    engine.begin(toIdempotencyRequest(request, tees.get(request))).then((decision) => {
      if (decision.kind === 'reject' || decision.kind === 'replay') {
        sendReady(reply, decision.response);
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
        executions.set(request, { decision, ran: config[WRAPPED] !== true });
        // A hijacked reply never reaches onSend: release its key once it is over.
        reply.raw.once('finish', () => void settle(request, 'no-capture'));
      }
      done();
    }, done);
  });

  /** Abandons the request's execution, if it has one not yet settled. */
  function settle(request: FastifyRequest, cause: unknown): Promise<void> | undefined {
    const execution = executions.get(request);
    if (!execution) return undefined;
    executions.delete(request);
    return execution.decision.abandon(cause);
  }

  fastify.addHook('onSend', (request, reply: FastifyReply, payload, done) => {
    const execution = executions.get(request);
    if (!execution) return done(null, payload);
    if (!execution.ran || !isBody(payload)) {
      // A reply sent by a hook before the handler, or a stream: neither is stored, and the key is released.
      settle(request, execution.ran ? 'stream' : 'not-handled')?.then(() => done(null, payload));
      return;
    }
    executions.delete(request);
    execution.decision
      .commit({ status: reply.statusCode, headers: reply.getHeaders(), body: payload })
      .then(() => done(null, payload));
  });

  fastify.addHook('onError', (request, _reply, error, done) => {
    const released = settle(request, error);
    if (released) released.then(() => done());
    else done();
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
