/**
 * The public surface (issue 16 item 5): a small entry for applications and one entry each for adapter and store
 * authors. The lists below are the contract: a name added or removed here is a user-visible change (changeset).
 * Run against the built package, both module formats, as a user's resolver sees it.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as Adapter from '../src/adapter-api.js';
import type * as Main from '../src/index.js';
import type * as Store from '../src/store-api.js';

const require = createRequire(import.meta.url);

/** What an application imports from `@idempo/core` (types are not visible at run time and are listed apart). */
const MAIN = [
  'CorruptRecordError',
  'DEFAULTS',
  'DEFAULT_EXCLUDED_HEADERS',
  'FingerprintMismatchError',
  'IdempotencyError',
  'InvalidFingerprintError',
  'InvalidKeyError',
  'InvalidOptionsError',
  'InvalidPrincipalError',
  'LeaseLostError',
  'MemoryStore',
  'MissingKeyError',
  'RequestInFlightError',
  'RequestTooLargeError',
  'StoreCapacityError',
  'StoreTimeoutError',
  'StoreUnavailableError',
  'UnreadableBodyError',
  'canonicalJson',
  'computeFingerprint',
  'parseIdempotencyKey',
];
const ADAPTER = [
  'PROBLEM_CONTENT_TYPE',
  'RequestTooLargeError',
  'UnreadableBodyError',
  'concatBytes',
  'createIdempotency',
  'declaredLength',
  'hasNoBody',
  'isNoRouteStatus',
  'readBoundedBody',
  'requestTooLarge',
];
const STORE = [
  'CorruptRecordError',
  'InvalidOptionsError',
  'RESPONSE_ENCODING_VERSION',
  'StoreTimeoutError',
  'StoreUnavailableError',
  'checkDeadline',
  'decodeResponse',
  'durationArgument',
  'encodeResponse',
  'positiveIntegerOption',
  'remainingMs',
  'requireOptionsObject',
  'storageKey',
  'storeUnavailable',
  'withStoreErrors',
  'withStoreTimeout',
];

/** The Node request/response layer of the adapters on `node:http` (Koa, Fastify, Nest). */
const NODE = [
  'answerWithReady',
  'canPeekBody',
  'captureBody',
  'captureResponse',
  'discardRest',
  'hasRequestBody',
  'headerLines',
  'headerSource',
  'isUnreadStream',
  'peekBody',
  'readableAgain',
  'replayStream',
  'writeReady',
];

const entries = {
  '@idempo/core': MAIN,
  '@idempo/core/adapter': ADAPTER,
  '@idempo/core/store': STORE,
  '@idempo/core/node': NODE,
};

describe('the public surface of @idempo/core', () => {
  for (const [entry, names] of Object.entries(entries)) {
    it(`${entry} exports exactly its listed names, in ESM and CommonJS`, async () => {
      const esm = Object.keys(await import(entry)).sort();
      const cjs = Object.keys(require(entry) as object)
        .filter((name) => name !== '__esModule')
        .sort();
      expect(esm).toEqual([...names].sort());
      expect(cjs).toEqual([...names].sort());
    });
  }

  it('keeps one copy of each class across the entries, in both formats (instanceof holds between them)', async () => {
    // Loaded by name, as a user's resolver does; typed from the sources (typecheck runs before the build).
    const load = (name: string) => import(name);
    const main = (await load('@idempo/core')) as typeof Main;
    const adapter = (await load('@idempo/core/adapter')) as typeof Adapter;
    const store = (await load('@idempo/core/store')) as typeof Store;
    expect(adapter.RequestTooLargeError).toBe(main.RequestTooLargeError);
    expect(store.StoreUnavailableError).toBe(main.StoreUnavailableError);
    const cjsMain = require('@idempo/core') as typeof main;
    const cjsAdapter = require('@idempo/core/adapter') as typeof adapter;
    expect(cjsAdapter.requestTooLarge(1, 2)).toBeInstanceOf(cjsMain.RequestTooLargeError);
    expect(cjsAdapter.requestTooLarge(1, 2)).toBeInstanceOf(cjsMain.IdempotencyError);
  });
});
