/**
 * `@idempo/core`: the framework-free heart of idempo. Adapters (`@idempo/fastify`, `@idempo/hono`,
 * `@idempo/nest`, `@idempo/koa`) translate a framework's request into an {@link IdempotencyRequest}, call
 * {@link Idempotency.begin}, and act on the {@link Decision}.
 *
 * @packageDocumentation
 */
export { canonicalJson } from './canonical-json.js';
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
export { canonicalQuery, computeFingerprint, type FingerprintInput, isJsonMediaType } from './fingerprint.js';
export {
  createHeaderFilter,
  DEFAULT_EXCLUDED_HEADERS,
  type HeaderEntry,
  type HeaderFilter,
  type HeaderFilterOptions,
  type HeaderInput,
  type HeaderValue,
  HOP_BY_HOP_HEADERS,
  normalizeHeaders,
} from './headers.js';
export { type KeyParseOptions, type KeyParseResult, parseIdempotencyKey, readKeyHeader } from './key.js';
export type { LeaseLossReason } from './lease.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  DEFAULTS,
  type FingerprintFunction,
  type IdempotencyOptions,
  type ResolvedOptions,
  type RouteOptions,
  resolveOptions,
} from './options.js';
export { PROBLEM_CONTENT_TYPE, type ProblemDetails, problemDetails, toProblemResponse } from './problem.js';
export type {
  CapturedResponse,
  IdempotencyRequest,
  IdempotencyRequestInfo,
  ReadyResponse,
  RequestBody,
} from './request.js';
export { concatBytes, declaredLength, readBoundedBody, requestTooLarge } from './request-body.js';
export {
  decodeResponse,
  encodeResponse,
  RESPONSE_ENCODING_VERSION,
  type StoredResponse,
} from './response-encoding.js';
export { type StorageKeyParts, storageKey } from './storage-key.js';
export type {
  DeleteOptions,
  DeleteResult,
  IdempotencyStore,
  ReserveResult,
  StoredRecord,
  StoreStats,
} from './store.js';
export { withStoreTimeout } from './with-timeout.js';
