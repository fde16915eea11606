/**
 * The behaviour every adapter shares because core decides it (issue 16 item 2): the request target split once,
 * one reservation per request however often idempo is mounted, what a thrown error does to the key, and the
 * fingerprint of a body only a parser saw.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIdempotency, type Decision, type ExecuteDecision } from '../src/engine.js';
import { InvalidOptionsError } from '../src/errors.js';
import type { IdempotencyEvent } from '../src/events.js';
import { MemoryStore } from '../src/memory-store.js';
import type { IdempotencyOptions, RouteOptions } from '../src/options.js';
import type { IdempotencyRequest } from '../src/request.js';
import { splitTarget } from '../src/request-target.js';

let n = 0;
const encoder = new TextEncoder();

function request(
  over: Partial<IdempotencyRequest<object>> & { key?: string; type?: string } = {},
): IdempotencyRequest<object> {
  const key = over.key ?? `"k-${++n}"`;
  const type = over.type ?? 'application/json';
  return {
    method: 'POST',
    url: '/orders',
    header: (name) => (name === 'idempotency-key' ? key : name === 'content-type' ? type : undefined),
    body: encoder.encode('{"a":1}'),
    context: {},
    ...over,
  };
}

function execute(decision: Decision): ExecuteDecision {
  if (decision.kind !== 'execute') throw new Error(`expected execute, got ${decision.kind}`);
  return decision;
}

function setup(options: Partial<IdempotencyOptions<object>> = {}) {
  const store = new MemoryStore();
  const events: IdempotencyEvent[] = [];
  const engine = createIdempotency<object>({ store, onEvent: (e) => events.push(e), ...options });
  return { engine, events };
}

afterEach(() => vi.restoreAllMocks());

describe('J1 the request target, split once in core', () => {
  it.each([
    ['/orders', '/orders', ''],
    ['/orders?b=2&a=1', '/orders', 'b=2&a=1'],
    ['https://api.example/v1/orders/7?x=1', '/v1/orders/7', 'x=1'],
    ['http://api.example', '/', ''],
    ['http://api.example?x=1', '/', 'x=1'],
    ['*', '*', ''],
  ])('%s is path %s and query %s', (url, path, query) => {
    expect(splitTarget(url)).toEqual({ path, query });
  });

  it('D27 the same request as an absolute URL or origin-form has one fingerprint (a replay, not a 422)', async () => {
    const { engine } = setup();
    const first = execute(await engine.begin(request({ key: '"same"', url: '/orders?x=1' })));
    await first.commit({ status: 201, body: 'ok' });
    const again = await engine.begin(
      request({ key: '"same"', url: 'http://localhost:3000/orders?x=1', context: {} }),
    );
    expect(again.kind).toBe('replay');
  });

  it('principal and fingerprint functions see path and query, not the raw target', async () => {
    const seen: unknown[] = [];
    const { engine } = setup({
      principal: (info) => {
        seen.push([info.path, info.query]);
        return 'u';
      },
    });
    await engine.begin(request({ url: 'https://h/a/b?c=d' }));
    expect(seen).toEqual([['/a/b', 'c=d']]);
  });
});

describe('J2 one reservation per request, however often idempo is mounted', () => {
  it('E32 a second begin for a request that holds a key passes through (reason nested), on any engine', async () => {
    const { engine } = setup();
    const other = setup().engine;
    const context = {};
    const first = execute(await engine.begin(request({ context, key: '"twice"' })));
    expect(await engine.begin(request({ context, key: '"twice"' }))).toEqual({
      kind: 'bypass',
      reason: 'nested',
    });
    expect(await other.begin(request({ context, key: '"twice"' }))).toEqual({
      kind: 'bypass',
      reason: 'nested',
    });
    expect(await first.commit({ status: 201, body: 'once' })).toBe('stored');
    // Another request (another context) with the key is the retry: it replays what the one execution stored.
    expect((await engine.begin(request({ key: '"twice"' }))).kind).toBe('replay');
  });

  it('a second mount with the same route options passes through; with options of its own, it is refused', async () => {
    const { engine } = setup();
    const route: RouteOptions<object> = { required: true };
    const context = {};
    execute(await engine.begin(request({ context, route })));
    expect((await engine.begin(request({ context, route }))).kind).toBe('bypass');
    const app = {};
    execute(await engine.begin(request({ context: app })));
    await expect(engine.begin(request({ context: app, route: { ttlMs: 60_000 } }))).rejects.toThrow(
      InvalidOptionsError,
    );
    await expect(engine.begin(request({ context: app, route: false }))).rejects.toThrow(InvalidOptionsError);
  });

  it('a request that was only answered (a rejection, a replay) holds nothing: a later begin decides afresh', async () => {
    const { engine } = setup();
    const context = {};
    const rejected = await engine.begin(request({ context, key: 'not valid!' }));
    expect(rejected.kind).toBe('reject');
    expect((await engine.begin(request({ context }))).kind).toBe('execute');
  });
});

describe('a thrown error (onHandlerError), decided in core', () => {
  it('J3 by default a handler that throws releases its key, whatever the framework answers: the retry runs', async () => {
    const { engine, events } = setup();
    const key = '"throws"';
    const d = execute(await engine.begin(request({ key })));
    expect(await d.threw(Object.assign(new Error('declined'), { status: 402 }))).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'released', reason: 'abandoned' });
    expect(await d.commit({ status: 402, body: 'declined' })).toBe('settled');
    expect((await engine.begin(request({ key }))).kind).toBe('execute');
  });

  it("J3 F38 with onHandlerError 'store' the framework's 4xx answer is stored and replayed", async () => {
    const { engine } = setup({ onHandlerError: 'store' });
    const key = '"declined"';
    const d = execute(await engine.begin(request({ key })));
    expect(await d.threw(new Error('declined'))).toBe(true);
    expect(await d.commit({ status: 402, body: 'declined' })).toBe('stored');
    const replay = await engine.begin(request({ key }));
    expect(replay.kind === 'replay' && replay.response.status).toBe(402);
  });

  it("J3 with onHandlerError 'store' a 5xx answer to a thrown error is a crash: released, the retry runs", async () => {
    const { engine, events } = setup({ onHandlerError: 'store' });
    const key = '"crash"';
    const d = execute(await engine.begin(request({ key })));
    expect(await d.threw(new Error('boom'))).toBe(true);
    expect(await d.commit({ status: 500, body: 'Internal Server Error' })).toBe('not-persisted');
    expect(events.at(-1)).toMatchObject({ type: 'released', reason: 'handler-threw' });
    expect((await engine.begin(request({ key }))).kind).toBe('execute');
  });

  it('a route may choose for itself, and a wrong value fails at registration', async () => {
    const { engine } = setup();
    const route: RouteOptions<object> = { onHandlerError: 'store' };
    const d = execute(await engine.begin(request({ route })));
    expect(await d.threw(new Error('x'))).toBe(true);
    expect(() => engine.validateRoute({ onHandlerError: 'keep' as 'store' })).toThrow(InvalidOptionsError);
    expect(() => setup({ onHandlerError: 'yes' as 'store' })).toThrow(/onHandlerError/);
  });

  it('threw after settling does nothing', async () => {
    const { engine } = setup({ onHandlerError: 'store' });
    const d = execute(await engine.begin(request()));
    await d.commit({ status: 201 });
    expect(await d.threw(new Error('late'))).toBe(false);
  });
});

describe('a body only a parser saw (no raw bytes)', () => {
  it('J6 the parsed body is fingerprinted as canonical JSON: a retry with the raw bytes replays', async () => {
    const { engine, events } = setup();
    const key = '"parsed"';
    const d = execute(
      await engine.begin(request({ key, body: () => undefined, parsedBody: () => ({ b: 2, a: 1 }) })),
    );
    await d.commit({ status: 201, body: 'ok' });
    expect(events.filter((e) => e.type === 'parsed-body')).toHaveLength(1);
    expect((await engine.begin(request({ key, body: encoder.encode('{"a":1,"b":2}') }))).kind).toBe('replay');
    const other = await engine.begin(request({ key, body: undefined, parsedBody: () => ({ a: 2 }) }));
    expect(other.kind === 'reject' && other.response.status).toBe(422);
    expect(events.filter((e) => e.type === 'parsed-body')).toHaveLength(1);
  });

  it('without onEvent the fallback is reported once on the console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const engine = createIdempotency<object>({ store: new MemoryStore() });
    for (let i = 0; i < 3; i++) await engine.begin(request({ body: undefined, parsedBody: () => ({ i }) }));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/rawBody/);
  });

  it('J6 a multipart body no one kept the bytes of is 500 unreadable_body, nothing reserved', async () => {
    const { engine } = setup();
    const d = await engine.begin(
      request({ type: 'multipart/form-data; boundary=x', body: undefined, parsedBody: () => ({ f: 1 }) }),
    );
    expect(d.kind === 'reject' && [d.response.status, d.error.code]).toEqual([500, 'unreadable_body']);
  });

  it('J6 a parsed value with no JSON form, or none at all, is refused the same way', async () => {
    const { engine } = setup();
    const d = await engine.begin(request({ body: undefined, parsedBody: () => ({ n: 1n }) }));
    expect(d.kind === 'reject' && d.error.code).toBe('unreadable_body');
    const none = await engine.begin(request({ body: undefined, parsedBody: () => undefined }));
    expect(none.kind === 'reject' && none.error.code).toBe('unreadable_body');
  });
});
