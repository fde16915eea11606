/**
 * `@idempo/testing/reference`: the reference routes of docs/reference-app.md as a framework-free service, without
 * the suites, so that an application (apps/reference) can serve them without loading vitest.
 *
 * @packageDocumentation
 */
export { principalFromAuthorization } from './principal.js';
export { type ReferenceFormFile, ReferenceHttpError, referenceBytes } from './reference-handlers.js';
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
