/** Small Express apps for the framework-specific tests, on Express 5 and Express 4. */
import type { RequestListener } from 'node:http';
import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import type { AdapterRequest, AdapterResponse } from '@idempo/testing';
import { type ServedHttp, serveHttp } from '@idempo/testing/node-http';
import type { Express } from 'express';
import { type ExpressIdempotencyOptions, type IdempotencyMiddleware, idempotency } from '../../src/index.js';
import { EXPRESS_VERSIONS, errorHandler } from './express-app.js';

export { EXPRESS_VERSIONS };

/** The `express` function of one major. */
export type ExpressFactory = (typeof EXPRESS_VERSIONS)[number]['express'];

/** What a test builds its app with. */
export interface Parts {
  readonly app: Express;
  readonly express: ExpressFactory;
  readonly idem: IdempotencyMiddleware;
  readonly store: IdempotencyStore;
}

/** A served test app with a few helpers. */
export interface TestApp extends ServedHttp {
  readonly store: IdempotencyStore;
  /** POSTs (by default) with an Idempotency-Key. */
  keyed(path: string, key: string, init?: Partial<AdapterRequest>): Promise<AdapterResponse>;
}

const decoder = new TextDecoder();

/** The body as text. */
export const text = (response: AdapterResponse): string => decoder.decode(response.body);

/**
 * Builds an app: `build` adds middleware and routes, then the test's error handler (status and message of an HTTP
 * error, else 500) is added unless `build` returns `false`, and it is served. Runs `run` and closes everything.
 */
export async function withExpress(
  express: ExpressFactory,
  build: (parts: Parts) => undefined | false,
  run: (app: TestApp) => Promise<void>,
  options: Partial<ExpressIdempotencyOptions> = {},
): Promise<void> {
  const store = options.store ?? new MemoryStore();
  const app = express();
  const idem = idempotency({ ...options, store });
  if (build({ app, express, idem, store }) !== false) app.use(errorHandler);
  const served = await serveHttp(app as unknown as RequestListener);
  try {
    await run({
      ...served,
      store,
      keyed: (path, key, init = {}) =>
        served.request({
          method: 'POST',
          path,
          ...init,
          headers: { 'idempotency-key': key, ...init.headers },
        }),
    });
  } finally {
    await served.close();
    await store.close?.();
  }
}

/** An HTTP error as `http-errors` makes them: a status and a message. */
export function httpError(status: number, message: string): Error & { status: number } {
  return Object.assign(new Error(message), { status });
}
