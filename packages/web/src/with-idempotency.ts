/**
 * `withIdempotency(handler, options)`: a Web-standard handler (`Request` in, `Response` out) behind idempo. It
 * does what every idempo adapter does (docs/design.md "One request"): build the request, `begin`, answer a
 * ready response, capture the handler's response, `commit` or `abandon`. Core decides; this only translates.
 */
import { InvalidOptionsError } from '@idempo/core';
import { createIdempotency, type ExecuteDecision } from '@idempo/core/adapter';
import { captureResponse } from './capture-response.js';
import type { WebContext, WebErrorHandler, WebIdempotencyOptions } from './options.js';
import { toResponse } from './ready-response.js';
import { toIdempotencyRequest } from './request.js';

/**
 * A Web-standard request handler: `Bun.serve`'s and `Deno.serve`'s `fetch`, a Workers `fetch`, a Next.js route
 * handler. `rest` is whatever the runtime passes after the request.
 */
export type WebHandler<Rest extends readonly unknown[] = unknown[], Req extends Request = Request> = (
  request: Req,
  ...rest: Rest
) => Response | Promise<Response>;

/** The handler `withIdempotency` returns: the same arguments, a `Response` promised. */
export type IdempotentHandler<Rest extends readonly unknown[] = unknown[], Req extends Request = Request> = (
  request: Req,
  ...rest: Rest
) => Promise<Response>;

/**
 * The contexts of the requests a wrapped handler is running, so that a second `withIdempotency` reached with the
 * same `Request` hands core the same context, and core lets it pass (docs/behaviour.md J2).
 */
const contexts = new WeakMap<Request, WebContext<readonly unknown[], Request>>();

function contextOf<Rest extends readonly unknown[], Req extends Request>(
  request: Req,
  args: Rest,
): WebContext<Rest, Req> {
  const known = contexts.get(request) as WebContext<Rest, Req> | undefined;
  if (known !== undefined) return known;
  const context: WebContext<Rest, Req> = { request, args };
  contexts.set(request, context);
  return context;
}

/** Duck-typed, so that a `Response` of another realm or a subclass (`NextResponse`) is one too. */
function isResponse(value: unknown): value is Response {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Response).status === 'number' &&
    typeof (value as Response).headers?.get === 'function' &&
    'body' in value
  );
}

/**
 * Wraps a Web-standard handler with idempo. The options are validated here, once (an invalid one throws
 * `InvalidOptionsError` now, not on a request), and one engine serves every request of the handler. A keyed
 * request (POST and PATCH by default) is reserved, the handler runs once, its response is stored and every retry
 * gets it back byte for byte with `Idempotent-Replayed: true`; a duplicate in flight gets 409, another payload
 * under the same key 422, a store that is down 503 (all `application/problem+json`). The handler receives the
 * `Request` itself, its body unread (idempo read a clone), and every other argument untouched.
 *
 * @param handler - The handler to protect: `(request, ...rest) => Response | Promise<Response>`.
 * @param options - Core's options (`store` required) and `onError`; see {@link WebIdempotencyOptions}.
 * @returns A handler with the same arguments, answering a `Promise<Response>`.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@idempo/core';
 * import { withIdempotency } from '@idempo/web';
 *
 * const fetch = withIdempotency(async (request: Request) => Response.json(await request.json(), { status: 201 }), {
 *   store: new MemoryStore(),
 *   principal: (req) => req.header('x-user-id'),
 * });
 * Bun.serve({ fetch });
 * ```
 */
export function withIdempotency<Rest extends readonly unknown[] = [], Req extends Request = Request>(
  handler: WebHandler<Rest, Req>,
  options: WebIdempotencyOptions<Rest, Req>,
): IdempotentHandler<Rest, Req> {
  if (typeof handler !== 'function')
    throw new InvalidOptionsError('idempo: withIdempotency needs a handler function as its first argument');
  const { onError, ...coreOptions } = options ?? ({} as WebIdempotencyOptions<Rest, Req>);
  if (onError !== undefined && typeof onError !== 'function')
    throw new InvalidOptionsError('idempo: onError must be a function');
  const engine = createIdempotency<WebContext<Rest, Req>>(coreOptions);
  const answerError = failWith(onError);

  return async function idempotent(request: Req, ...rest: Rest): Promise<Response> {
    const context = contextOf(request, rest);
    let decision: Awaited<ReturnType<typeof engine.begin>>;
    try {
      decision = await engine.begin(toIdempotencyRequest(context));
    } catch (error) {
      // `principal` or `fingerprint` threw (an authentication error, say): answered as the handler's own error.
      return answerError(error, request, rest);
    }
    if (decision.kind === 'replay' || decision.kind === 'reject') return toResponse(decision.response);
    if (decision.kind === 'bypass') {
      try {
        return await handler(request, ...rest);
      } catch (error) {
        return answerError(error, request, rest);
      }
    }
    return execute(handler, request, rest, decision, onError);
  };
}

/** The answer to an error outside an execution: `onError`'s, or the error goes on. */
function failWith<Rest extends readonly unknown[], Req extends Request>(
  onError: WebErrorHandler<Rest, Req> | undefined,
): (error: unknown, request: Req, rest: Rest) => Promise<Response> {
  return async (error, request, rest) => {
    if (onError === undefined) throw error;
    return onError(error, request, ...rest);
  };
}

/** Runs the handler for a request that holds its key, then stores its response or releases the key. */
async function execute<Rest extends readonly unknown[], Req extends Request>(
  handler: WebHandler<Rest, Req>,
  request: Req,
  rest: Rest,
  decision: ExecuteDecision,
  onError: WebErrorHandler<Rest, Req> | undefined,
): Promise<Response> {
  let res: unknown;
  try {
    res = await handler(request, ...rest);
  } catch (error) {
    // Core decides what a throw does to the key (onHandlerError, docs/behaviour.md J3): `true` means the answer
    // to it is the handler's answer, to be captured like a returned one.
    const captured = await decision.threw(error);
    if (onError === undefined) {
      // No error handler: nothing answers the error here, so there is nothing to store.
      if (captured) await decision.abandon(error);
      throw error;
    }
    let answer: Response;
    try {
      answer = await onError(error, request, ...rest);
    } catch (failure) {
      await decision.abandon(failure);
      throw failure;
    }
    if (!captured) return answer;
    res = answer;
  }
  if (!isResponse(res)) {
    const error = new TypeError(`idempo: the handler must return a Response; got ${typeof res}`);
    await decision.abandon(error);
    throw error;
  }
  try {
    return await captureResponse(res, decision);
  } catch (error) {
    await decision.abandon(error);
    throw error;
  }
}
