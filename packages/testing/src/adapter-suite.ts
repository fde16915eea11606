import { describe } from 'vitest';
import { defineApplicabilityCases } from './adapter-applicability-cases.js';
import { defineConcurrencyCases } from './adapter-concurrency-cases.js';
import { defineDisconnectCases } from './adapter-disconnect-cases.js';
import { defineErrorCases } from './adapter-error-cases.js';
import { defineInputCases } from './adapter-input-cases.js';
import { defineKeyCases } from './adapter-key-cases.js';
import { defineMismatchCases } from './adapter-mismatch-cases.js';
import { defineOutcomeCases } from './adapter-outcome-cases.js';
import { definePolicyCases } from './adapter-policy-cases.js';
import { definePrincipalCases } from './adapter-principal-cases.js';
import { defineReplayCases } from './adapter-replay-cases.js';
import { defineRequestSizeCases } from './adapter-request-size-cases.js';
import { defineRouteCases } from './adapter-route-cases.js';
import { defineScopeCases } from './adapter-scope-cases.js';
import { createAdapterSuiteContext } from './adapter-suite-context.js';
import type { AdapterSuiteOptions, MakeAdapterApp } from './adapter-types.js';
import { defineUploadCases } from './adapter-upload-cases.js';

/**
 * The conformance suite of a framework adapter: call it at the top level of a vitest test file. It registers
 * one `describe` block named after `name` whose cases drive the reference routes ({@link createReferenceService})
 * through the app that `makeApp` builds, and check what a client sees: key syntax (A1-A9), which requests are
 * covered (B10-B12), replays (C14-C25), mismatches (D26-D31), concurrency (E32-E34), stored outcomes
 * (F38-F40), principals and expiry (G41, G44), the error surface (H47, H48), the exactly-once holes of issue 15
 * (a client disconnect mid-handler, a path with no route, a principal that is not a string, multipart uploads,
 * bodies over `maxRequestBodyBytes`) and property tests of random keys and bodies (fast-check, bounded runs).
 * Titles carry the docs/behaviour.md numbers and `[15.N]` for the items.
 *
 * `makeApp(options)` must serve every reference route with the adapter (`POST /forms` reading the request stream
 * as the framework's upload handlers do), pass `options` to it and add `principal` from `Authorization: Bearer
 * <name>` ({@link principalFromAuthorization}); its `request` must honour `signal` (a client disconnect). The suite makes one app
 * with default options before the cases (zeroing its counters through `POST /stats/reset` before each case and
 * reading them through `GET /stats`), and short-lived extra apps for the cases that need other options; it
 * closes every app and every store it made.
 *
 * @example
 * ```ts
 * import { adapterSuite } from '@idempo/testing';
 *
 * adapterSuite('hono', async (options) => {
 *   const app = referenceHonoApp(options); // the reference routes behind app.use(idempotency(...))
 *   return { request: (req) => inject(app, req), close: async () => {} };
 * });
 * ```
 */
export function adapterSuite(name: string, makeApp: MakeAdapterApp, options: AdapterSuiteOptions = {}): void {
  describe(`adapterSuite: ${name}`, () => {
    const ctx = createAdapterSuiteContext(makeApp, options);
    defineKeyCases(ctx);
    defineApplicabilityCases(ctx);
    defineReplayCases(ctx);
    defineMismatchCases(ctx);
    defineConcurrencyCases(ctx);
    defineOutcomeCases(ctx);
    defineScopeCases(ctx);
    defineErrorCases(ctx);
    defineDisconnectCases(ctx);
    defineRouteCases(ctx);
    definePrincipalCases(ctx);
    defineUploadCases(ctx);
    defineRequestSizeCases(ctx);
    defineInputCases(ctx);
    definePolicyCases(ctx);
  });
}
