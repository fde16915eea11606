/**
 * `@idempo/core`: what an application using idempo imports. The adapters (`@idempo/fastify`, `@idempo/hono`,
 * `@idempo/nest`, `@idempo/koa`) take these options; the in-memory store, the errors idempo answers with, the
 * events it reports and the default fingerprint (for a custom `fingerprint` that extends it) are here.
 *
 * Writing an adapter: `@idempo/core/adapter`. Writing a store: `@idempo/core/store`.
 *
 * @packageDocumentation
 */
export { canonicalJson } from './canonical-json.js';
export {
  CorruptRecordError,
  FingerprintMismatchError,
  IdempotencyError,
  type IdempotencyErrorCode,
  InvalidFingerprintError,
  InvalidKeyError,
  InvalidOptionsError,
  InvalidPrincipalError,
  LeaseLostError,
  MissingKeyError,
  RequestInFlightError,
  RequestTooLargeError,
  StoreCapacityError,
  StoreTimeoutError,
  StoreUnavailableError,
  UnreadableBodyError,
} from './errors.js';
export type { IdempotencyEvent, IdempotencyEventType } from './events.js';
export { computeFingerprint, type FingerprintInput } from './fingerprint.js';
export { DEFAULT_EXCLUDED_HEADERS } from './headers.js';
export { type KeyParseOptions, type KeyParseResult, parseIdempotencyKey } from './key.js';
export type { LeaseLossReason } from './lease.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  DEFAULTS,
  type FingerprintFunction,
  type IdempotencyOptions,
  type RouteOptions,
} from './options.js';
export type { ProblemDetails } from './problem.js';
export type { IdempotencyRequestInfo } from './request.js';
export type { IdempotencyStore } from './store.js';
