/**
 * Records written the way a service writes them: one request through core's engine (`createIdempotency`) over
 * the store under test, so that what the CLI reads is what an application stores (the same storage key, the same
 * fingerprint, the same encoded response).
 */
import type { IdempotencyStore } from '@idempo/core';
import { createIdempotency } from '@idempo/core/adapter';

/** One request of the "orders" service. */
export interface OrderRequest {
  /** The client's `Idempotency-Key`. */
  readonly key: string;
  /** What the service's `principal` function returns. Default: no principal function (keys are global). */
  readonly principal?: string;
  /** The route's scope. Default `''`. */
  readonly scope?: string;
  /** The request body. Default `{"amount":1000}`. */
  readonly body?: string;
  /** The lease. Default core's 30 s. */
  readonly leaseMs?: number;
}

/** The handler's answer: a 201 with a Location, as the reference orders API answers. */
export interface OrderResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

const encoder = new TextEncoder();

function engine(store: IdempotencyStore, request: OrderRequest) {
  return createIdempotency({
    store,
    ...(request.principal === undefined ? {} : { principal: () => request.principal }),
    ...(request.scope === undefined ? {} : { scope: request.scope }),
    ...(request.leaseMs === undefined ? {} : { leaseMs: request.leaseMs }),
    // No heartbeat: a request left in flight must not keep timers (or the lease) going.
    heartbeatMs: false,
  });
}

/**
 * Sends `request` to the service and returns what the engine decided: `'execute'` when it ran (the response is
 * then stored unless `leaveInFlight`), `'replay'`, or `'reject'` (409 or 422).
 */
export async function order(
  store: IdempotencyStore,
  request: OrderRequest,
  response: OrderResponse = {},
  leaveInFlight = false,
): Promise<{ kind: string; status: number | undefined }> {
  const decision = await engine(store, request).begin({
    method: 'POST',
    url: '/orders',
    header: (name) => (name === 'idempotency-key' ? request.key : undefined),
    body: encoder.encode(request.body ?? '{"amount":1000}'),
    context: undefined,
  });
  switch (decision.kind) {
    case 'execute': {
      if (leaveInFlight) return { kind: 'execute', status: undefined };
      const outcome = await decision.commit({
        status: response.status ?? 201,
        headers: response.headers ?? { 'content-type': 'application/json', location: '/orders/42' },
        body: response.body ?? '{"id":42,"amount":1000}',
      });
      if (outcome !== 'stored') throw new Error(`the response was not stored: ${outcome}`);
      return { kind: 'execute', status: response.status ?? 201 };
    }
    case 'replay':
    case 'reject':
      return { kind: decision.kind, status: decision.response.status };
    default:
      throw new Error(`unexpected decision ${decision.kind}`);
  }
}
