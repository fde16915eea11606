/**
 * RFC 9457 problem details for the errors idempo answers with itself (BEHAVIOUR H47). Every rejection carries
 * `Cache-Control: no-store`; a 409 and a 503 carry `Retry-After`.
 */
import { type IdempotencyError, RequestInFlightError, StoreUnavailableError } from './errors.js';
import type { HeaderEntry } from './headers.js';
import type { ReadyResponse } from './request.js';

/** The problem+json body. `code` is an extension member with the error's stable code. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
}

/** The media type of problem details. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const encoder = new TextEncoder();

/** The problem details of an error. */
export function problemDetails(error: IdempotencyError, typeBase: string): ProblemDetails {
  return {
    type: `${typeBase}${error.code.replaceAll('_', '-')}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
  };
}

/** The ready-to-write problem+json response of an error. */
export function toProblemResponse(
  error: IdempotencyError,
  typeBase: string,
  retryAfterSeconds = 1,
): ReadyResponse {
  const body = encoder.encode(JSON.stringify(problemDetails(error, typeBase)));
  const headers: HeaderEntry[] = [
    ['content-type', PROBLEM_CONTENT_TYPE],
    ['cache-control', 'no-store'],
    ['content-length', String(body.length)],
  ];
  if (error instanceof RequestInFlightError) headers.push(['retry-after', String(error.retryAfterSeconds)]);
  else if (error instanceof StoreUnavailableError) headers.push(['retry-after', String(retryAfterSeconds)]);
  return { status: error.status, headers, body };
}
