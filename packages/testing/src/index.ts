/**
 * `@idempo/testing`: the conformance suites of idempo, run under vitest. {@link storeSuite} checks an
 * `IdempotencyStore`; {@link adapterSuite} checks a framework adapter serving the reference routes of
 * {@link createReferenceService}.
 *
 * @packageDocumentation
 */
export { adapterSuite } from './adapter-suite.js';
export type {
  AdapterApp,
  AdapterAppOptions,
  AdapterRequest,
  AdapterResponse,
  AdapterSuiteOptions,
  MakeAdapterApp,
} from './adapter-types.js';
export { createFailingStore } from './failing-store.js';
export { type MultipartBody, type MultipartPart, multipartBody, sha256Hex } from './multipart.js';
export * from './reference.js';
export { type BoundedStore, boundStore } from './store-bounded.js';
export { storeSuite } from './store-suite.js';
export type { StoreFactory, StoreSuiteOptions } from './store-suite-options.js';
