/** Small Koa apps for the framework-specific tests, on Koa 3 and Koa 2. */
import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import type { AdapterRequest, AdapterResponse } from '@idempo/testing';
import { type ServedHttp, serveHttp } from '@idempo/testing/node-http';
import Router from '@koa/router';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { type IdempotencyMiddleware, idempotency, type KoaIdempotencyOptions } from '../../src/index.js';

/** The Koa majors under test. */
export const KOA_VERSIONS = [
  { name: 'koa 3', Koa: Koa3 },
  { name: 'koa 2', Koa: Koa2 },
] as const;

/** What a test builds its app with. */
export interface Parts {
  readonly app: Koa3;
  readonly router: Router;
  readonly idem: IdempotencyMiddleware;
  readonly store: IdempotencyStore;
}

/** A served test app with a few helpers. */
export interface TestApp extends ServedHttp {
  readonly store: IdempotencyStore;
  /** POSTs (by default) with an Idempotency-Key. */
  keyed(path: string, key: string, init?: Partial<AdapterRequest>): Promise<AdapterResponse>;
  /** Errors Koa reported through `app.on('error')`. */
  readonly errors: unknown[];
}

const decoder = new TextDecoder();

/** The body as text. */
export const text = (response: AdapterResponse): string => decoder.decode(response.body);

/**
 * Builds an app: `build` adds middleware and routes (the router's routes are mounted after it), then it is
 * served. Runs `run` and closes everything.
 */
export async function withKoa(
  Koa: typeof Koa3,
  build: (parts: Parts) => void,
  run: (app: TestApp) => Promise<void>,
  options: Partial<KoaIdempotencyOptions> = {},
): Promise<void> {
  const store = options.store ?? new MemoryStore();
  const app = new Koa();
  const errors: unknown[] = [];
  app.silent = true;
  app.on('error', (error: unknown) => errors.push(error));
  const router = new Router();
  const idem = idempotency({ ...options, store });
  build({ app, router, idem, store });
  app.use(router.routes());
  const served = await serveHttp(app.callback());
  try {
    await run({
      ...served,
      store,
      errors,
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
