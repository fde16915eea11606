/**
 * The demo's route: `POST /orders` creates an order and answers 201 with a Location and a JSON body carrying a
 * fresh id, so that a second execution is visible (another id) and a replay is too (the same bytes). It counts
 * its executions, waits a little so that concurrent duplicates overlap, and fails once for each distinct
 * `x-fail-once` header value to show that a handler that throws releases the key.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoRequest, Handler } from './http-types.js';

/** The handler and its execution counter. */
export interface OrdersHandler {
  readonly handle: Handler;
  /** How many times the handler body has run, failed runs included. */
  readonly executions: () => number;
}

/** Options of {@link createOrdersHandler}. */
export interface OrdersHandlerOptions {
  /** How long each execution takes, in ms. */
  readonly delayMs: number;
}

interface OrderInput {
  readonly item?: unknown;
  readonly quantity?: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function readOrder(request: DemoRequest): OrderInput {
  if (!request.body || request.body.length === 0) return {};
  const parsed: unknown = JSON.parse(decoder.decode(request.body));
  return typeof parsed === 'object' && parsed !== null ? (parsed as OrderInput) : {};
}

/** Creates the orders handler. */
export function createOrdersHandler(options: OrdersHandlerOptions): OrdersHandler {
  let executions = 0;
  const failedOnce = new Set<string>();

  const handle: Handler = async (request) => {
    executions++;
    await sleep(options.delayMs);
    const failToken = request.headers['x-fail-once'];
    if (failToken !== undefined && !failedOnce.has(failToken)) {
      failedOnce.add(failToken);
      throw new Error(`simulated failure (${failToken})`);
    }
    const input = readOrder(request);
    const id = `ord_${randomUUID().slice(0, 8)}`;
    const order = { id, item: input.item ?? null, quantity: input.quantity ?? 1, execution: executions };
    return {
      status: 201,
      headers: [
        ['content-type', 'application/json'],
        ['location', `/orders/${id}`],
      ],
      body: encoder.encode(JSON.stringify(order)),
    };
  };

  return { handle, executions: () => executions };
}
