/**
 * `@idempo/core/store`: what a store imports. A store does the atomic part and nothing else (docs/design.md
 * "The store contract"); `storeSuite` in `@idempo/testing` checks that it keeps the contract.
 *
 * @packageDocumentation
 */
export {
  CorruptRecordError,
  InvalidOptionsError,
  StoreTimeoutError,
  StoreUnavailableError,
} from './errors.js';
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
  StoreCallOptions,
  StoredRecord,
  StoreStats,
} from './store.js';
export {
  checkDeadline,
  durationArgument,
  positiveIntegerOption,
  remainingMs,
  requireOptionsObject,
  storeUnavailable,
  withStoreErrors,
} from './store-kit.js';
export { withStoreTimeout } from './with-timeout.js';
