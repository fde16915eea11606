/** Builds the `POST /orders` requests the scenarios send. */
import type { DemoRequest } from './http-types.js';

/** What varies between the scenarios' requests. */
export interface OrderRequestOptions {
  /** The raw `Idempotency-Key` header value, e.g. `"order-1"` (an sf-string). */
  readonly key: string;
  /** The order; serialised as JSON. Default: one blue widget. */
  readonly order?: Readonly<Record<string, unknown>>;
  /** The `x-user` header: the principal that scopes keys. */
  readonly user?: string;
  /** Makes the handler throw the first time it sees this value. */
  readonly failOnce?: string;
}

const encoder = new TextEncoder();
const DEFAULT_ORDER = { item: 'widget', colour: 'blue', quantity: 2 };

/** Quotes a key as an RFC 8941 sf-string, as clients should send it. */
export function quoted(key: string): string {
  return `"${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** A `POST /orders` request with a JSON body. */
export function orderRequest(options: OrderRequestOptions): DemoRequest {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'idempotency-key': options.key,
  };
  if (options.user !== undefined) headers['x-user'] = options.user;
  if (options.failOnce !== undefined) headers['x-fail-once'] = options.failOnce;
  return {
    method: 'POST',
    path: '/orders',
    headers,
    body: encoder.encode(JSON.stringify(options.order ?? DEFAULT_ORDER)),
  };
}
