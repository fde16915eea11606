/** A small client for the framework-specific tests: POSTs with a key through `app.request()`. */
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '@idempo/core';
import type { Hono } from 'hono';

/** A key no other test uses, quoted as an sf-string. */
export const newKey = (): string => `"k-${randomBytes(6).toString('hex')}"`;

/** What one request carries. */
export interface PostOptions {
  readonly key?: string | undefined;
  readonly json?: unknown;
  readonly body?: BodyInit | undefined;
  readonly headers?: Record<string, string> | undefined;
  readonly method?: string | undefined;
}

/** Sends a request (POST by default) with an optional key and JSON or raw body. */
export function post(app: Pick<Hono, 'request'>, path: string, options: PostOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.key !== undefined) headers.set('idempotency-key', options.key);
  let body: BodyInit | null = options.body ?? null;
  if (options.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(options.json);
  }
  return Promise.resolve(app.request(path, { method: options.method ?? 'POST', headers, body }));
}

/** A MemoryStore whose `release` and `complete` calls are counted. */
export function countingStore(): MemoryStore & { completes: number; releases: number } {
  const store = new MemoryStore() as MemoryStore & { completes: number; releases: number };
  store.completes = 0;
  store.releases = 0;
  const complete = store.complete.bind(store);
  const release = store.release.bind(store);
  store.complete = (...args) => {
    store.completes++;
    return complete(...args);
  };
  store.release = (...args) => {
    store.releases++;
    return release(...args);
  };
  return store;
}
