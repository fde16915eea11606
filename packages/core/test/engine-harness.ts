/** Shared helpers of the engine tests: requests, an engine that records its events, and a store to steer. */
import { expect } from 'vitest';
import { createIdempotency, type Decision } from '../src/engine.js';
import type { IdempotencyEvent } from '../src/events.js';
import { MemoryStore } from '../src/memory-store.js';
import type { IdempotencyOptions, RouteOptions } from '../src/options.js';
import type { IdempotencyRequest, ReadyResponse } from '../src/request.js';
import type { IdempotencyStore } from '../src/store.js';

export type Context = { user?: unknown };

export const text = (b: Uint8Array) => new TextDecoder().decode(b);
export const json = (r: ReadyResponse) => JSON.parse(text(r.body)) as Record<string, unknown>;
export const header = (r: ReadyResponse, name: string) =>
  r.headers.filter(([n]) => n === name).map(([, v]) => v);

export interface Req {
  key?: string;
  body?: string;
  user?: unknown;
  route?: RouteOptions<Context> | false;
}

export function request(r: Req = {}): IdempotencyRequest<Context> {
  const headers: Record<string, string | undefined> = {
    'idempotency-key': r.key ?? '"k1"',
    'content-type': 'application/json',
  };
  return {
    method: 'POST',
    url: '/orders',
    header: (name) => headers[name],
    body: r.body === undefined ? undefined : new TextEncoder().encode(r.body),
    route: r.route,
    context: 'user' in r ? { user: r.user } : {},
  };
}

export function setup(options: Partial<IdempotencyOptions<Context>> = {}) {
  const events: IdempotencyEvent[] = [];
  const store = options.store ?? new MemoryStore();
  const engine = createIdempotency<Context>({
    store,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return {
    engine,
    store,
    events,
    types: () => events.map((e) => e.type),
    of: (type: IdempotencyEvent['type']) => events.filter((e) => e.type === type),
  };
}

export function expectKind<K extends Decision['kind']>(d: Decision, kind: K): Extract<Decision, { kind: K }> {
  expect(d.kind).toBe(kind);
  return d as Extract<Decision, { kind: K }>;
}

/** A store over a MemoryStore whose operations a test may replace; `inner` is the MemoryStore. */
export function wrappedStore(overrides: Partial<IdempotencyStore> = {}) {
  const inner = new MemoryStore();
  const store: IdempotencyStore = {
    reserve: (...a) => inner.reserve(...a),
    complete: (...a) => inner.complete(...a),
    release: (...a) => inner.release(...a),
    extend: (...a) => inner.extend(...a),
    ...overrides,
  };
  return { inner, store };
}
