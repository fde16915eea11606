/** What HTTP says about a status, decided once for every adapter. */

/**
 * Whether a response with this status has no body (RFC 9110 §6.4.1, §15.3.5, §15.3.6, §15.4.5): 1xx, 204, 205
 * and 304. Adapters write such a response without a body and without `Content-Length`, and core stores none.
 */
export function hasNoBody(status: number): boolean {
  return status === 204 || status === 205 || status === 304 || (status >= 100 && status < 200);
}

/** The statuses a framework or a router answers for a request none of its routes matched. */
const NO_ROUTE_STATUSES: ReadonlySet<number> = new Set([404, 405, 501]);

/**
 * Whether `status` is one a framework answers when no route matched (not found, method not allowed, not
 * implemented): with the adapter's evidence that no route matched, such an answer is released, never stored
 * (docs/behaviour.md I6; a retry may reach an instance that has the route). A matched route's own 404 is its answer.
 */
export function isNoRouteStatus(status: number): boolean {
  return NO_ROUTE_STATUSES.has(status);
}
