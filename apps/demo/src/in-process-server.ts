/**
 * The smallest possible "framework": it runs a request through a middleware and a handler, and turns an
 * exception into a 500 as a real server would. It stands in for an HTTP server until the demo moves onto one.
 */
import type { Middleware } from './adapter.js';
import type { Client, DemoResponse, Handler } from './http-types.js';

const encoder = new TextEncoder();

function internalError(): DemoResponse {
  const body = encoder.encode(JSON.stringify({ error: 'internal server error' }));
  return { status: 500, headers: [['content-type', 'application/json']], body };
}

/** A client that serves every request in process through `middleware` and `handler`. */
export function createInProcessServer(middleware: Middleware, handler: Handler): Client {
  return async (request) => {
    try {
      return await middleware(request, handler);
    } catch {
      return internalError();
    }
  };
}
