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
export { principalFromAuthorization } from './principal.js';
export { referenceBytes } from './reference-handlers.js';
export { createReferenceService, REFERENCE_ROUTE_OPTIONS } from './reference-routes.js';
export type {
  CountedRouteId,
  ReferenceHandler,
  ReferenceInput,
  ReferenceMatch,
  ReferenceQuery,
  ReferenceResponse,
  ReferenceRoute,
  ReferenceRouteId,
  ReferenceRouteOptions,
  ReferenceService,
} from './reference-types.js';
export { storeSuite } from './store-suite.js';
export type { StoreFactory, StoreSuiteOptions } from './store-suite-options.js';
