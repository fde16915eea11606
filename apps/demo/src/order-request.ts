/** Builds the requests the scenarios send to the reference app. */
import type { DemoRequest } from './http-types.js';

/** What varies between the scenarios' requests. */
export interface OrderRequestOptions {
  /** The raw `Idempotency-Key` header value, e.g. `"order-1"` (an sf-string); absent for none. */
  readonly key?: string;
  /** The order; serialised as JSON. Default: two books. */
  readonly order?: Readonly<Record<string, unknown>>;
  /** Sent as `Authorization: Bearer <user>`: the principal that scopes keys. */
  readonly user?: string;
  /** The route. Default `/orders`; `/payments` requires a key; `/flaky` fails on its first execution. */
  readonly path?: '/orders' | '/payments' | '/flaky' | `/orders?${string}`;
}

const encoder = new TextEncoder();
const DEFAULT_ORDER = { item: 'book', qty: 2 };

/** Quotes a key as an RFC 8941 sf-string, as clients should send it. */
export function quoted(key: string): string {
  return `"${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** A unique key for one scenario run, so that runs against a shared store never meet. */
export function freshKey(name: string): string {
  return quoted(`${name}-${crypto.randomUUID()}`);
}

/** A POST with a JSON body. */
export function orderRequest(options: OrderRequestOptions = {}): DemoRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  if (options.user !== undefined) headers['authorization'] = `Bearer ${options.user}`;
  return {
    method: 'POST',
    path: options.path ?? '/orders',
    headers,
    body: encoder.encode(JSON.stringify(options.order ?? DEFAULT_ORDER)),
  };
}
