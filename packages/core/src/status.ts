/** What HTTP says about a status, decided once for every adapter. */

/**
 * Whether a response with this status has no body (RFC 9110 §6.4.1, §15.3.5, §15.3.6, §15.4.5): 1xx, 204, 205
 * and 304. Adapters write such a response without a body and without `Content-Length`, and core stores none.
 */
export function hasNoBody(status: number): boolean {
  return status === 204 || status === 205 || status === 304 || (status >= 100 && status < 200);
}
