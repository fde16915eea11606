/**
 * `@idempo/testing`: the conformance suites of idempo, run under vitest. {@link storeSuite} checks an
 * `IdempotencyStore`.
 *
 * @packageDocumentation
 */
export { storeSuite } from './store-suite.js';
export type { StoreFactory, StoreSuiteOptions } from './store-suite-options.js';
