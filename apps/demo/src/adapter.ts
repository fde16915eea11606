/**
 * A minimal in-process idempo adapter: the five things every adapter does (DESIGN.md "The flow of one request")
 * and nothing else. Build the IdempotencyRequest, call begin, write a ready response, or run the handler,
 * capture its response and commit it (abandon when the handler throws). No policy lives here.
 */
import type { Idempotency, IdempotencyRequest, ReadyResponse } from '@idempo/core';
import type { DemoRequest, DemoResponse, Handler } from './http-types.js';

/** Wraps a handler: `(request, next) => response`, like a framework middleware. */
export type Middleware = (request: DemoRequest, next: Handler) => Promise<DemoResponse>;

function toIdempotencyRequest(request: DemoRequest): IdempotencyRequest<DemoRequest> {
  return {
    method: request.method,
    path: request.path,
    query: request.query,
    header: (name) => request.headers[name] ?? null,
    body: request.body,
    context: request,
  };
}

function write(response: ReadyResponse): DemoResponse {
  return { status: response.status, headers: response.headers, body: response.body };
}

/** The idempotency middleware over an engine. */
export function idempotencyMiddleware(engine: Idempotency<DemoRequest>): Middleware {
  return async (request, next) => {
    const decision = await engine.begin(toIdempotencyRequest(request));
    switch (decision.kind) {
      case 'reject':
      case 'replay':
        return write(decision.response);
      case 'bypass':
        return next(request);
      case 'execute': {
        let response: DemoResponse;
        try {
          response = await next(request);
        } catch (error) {
          await decision.abandon(error);
          throw error;
        }
        await decision.commit({ status: response.status, headers: response.headers, body: response.body });
        return response;
      }
    }
  };
}
