/**
 * One fresh application per scenario: a MemoryStore, an engine whose principal is the `x-user` header, the
 * orders handler, and a client that reaches them through the adapter. Fresh state keeps every scenario's
 * execution count its own.
 */
import { createIdempotency, MemoryStore } from '@idempo/core';
import { idempotencyMiddleware } from './adapter.js';
import type { Client, DemoRequest } from './http-types.js';
import { createInProcessServer } from './in-process-server.js';
import { createOrdersHandler } from './orders-handler.js';

/** What a scenario works with. */
export interface DemoEnvironment {
  /** Sends a request to the application. */
  readonly send: Client;
  /** How many times the orders handler has run. */
  readonly executions: () => number;
}

/** How long the handler takes: long enough that 20 concurrent duplicates overlap. */
export const HANDLER_DELAY_MS = 50;

/** Creates a fresh application. */
export function createDemoEnvironment(): DemoEnvironment {
  const engine = createIdempotency<DemoRequest>({
    store: new MemoryStore(),
    principal: (request) => request.context.headers['x-user'],
  });
  const orders = createOrdersHandler({ delayMs: HANDLER_DELAY_MS });
  return {
    send: createInProcessServer(idempotencyMiddleware(engine), orders.handle),
    executions: orders.executions,
  };
}
