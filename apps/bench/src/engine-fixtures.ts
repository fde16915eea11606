/**
 * The request and the captured response the engine harnesses (engine-ab, engine-count) drive core with, so that
 * an A/B and an instruction count measure the same keyed path.
 */
import type { IdempotencyRequest } from '@idempo/core/adapter';

const encoder = new TextEncoder();
const REQUEST_BODY = encoder.encode(JSON.stringify({ item: 'widget', colour: 'blue', quantity: 2 }));

/** What the handler answered: committed for every new key. */
export const CAPTURED = {
  status: 201,
  headers: { 'content-type': 'application/json', location: '/orders/ord_3f9c1a7e' },
  body: encoder.encode(JSON.stringify({ id: 'ord_3f9c1a7e', status: 'accepted', note: 'x'.repeat(100) })),
} as const;

/** MemoryStore limits no run can reach: eviction would measure the evictor. */
export const NO_EVICTION = { maxEntries: 100_000_000, maxBytes: 64 * 1024 ** 3 } as const;

const header = (key: string) => (name: string) =>
  name === 'idempotency-key' ? key : name === 'content-type' ? 'application/json' : undefined;

/** `POST /orders`, as both the engines before `url` (`path`) and after it read a request. */
export function orderRequest(key: string): IdempotencyRequest<undefined> {
  const request = { method: 'POST', url: '/orders', path: '/orders', header: header(key) };
  return { ...request, body: REQUEST_BODY, context: undefined };
}
