/**
 * `@idempo/core/adapter`: what an adapter imports. An adapter translates a framework's request into an
 * {@link IdempotencyRequest}, calls {@link Idempotency.begin} and acts on the {@link Decision} (docs/design.md
 * "One request"). Every policy is core's; an adapter hands over raw facts and writes what it is given.
 *
 * @packageDocumentation
 */
export type {
  BypassDecision,
  BypassReason,
  CommitOutcome,
  Decision,
  ExecuteDecision,
  Idempotency,
  RejectDecision,
  ReplayDecision,
} from './engine.js';
export { createIdempotency } from './engine.js';
export { RequestTooLargeError, UnreadableBodyError } from './errors.js';
export type { HeaderEntry, HeaderInput, HeaderValue } from './headers.js';
export { PROBLEM_CONTENT_TYPE } from './problem.js';
export type {
  CapturedResponse,
  IdempotencyRequest,
  IdempotencyRequestInfo,
  ReadyResponse,
  RequestBody,
} from './request.js';
export { concatBytes, declaredLength, readBoundedBody, requestTooLarge } from './request-body.js';
export { hasNoBody, isNoRouteStatus } from './status.js';
