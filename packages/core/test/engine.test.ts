import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { createIdempotency, type Decision, type ExecuteDecision } from '../src/engine.js';
import { InvalidOptionsError, StoreUnavailableError } from '../src/errors.js';
import type { IdempotencyEvent } from '../src/events.js';
import { MemoryStore } from '../src/memory-store.js';
import { type IdempotencyOptions, type RouteOptions, resolveOptions } from '../src/options.js';
import type { IdempotencyRequest, IdempotencyRequestInfo, ReadyResponse } from '../src/request.js';
import type { IdempotencyStore } from '../src/store.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const json = (r: ReadyResponse) => JSON.parse(text(r.body)) as Record<string, unknown>;
const header = (r: ReadyResponse, name: string) => r.headers.filter(([n]) => n === name).map(([, v]) => v);

interface Req {
  method?: string;
  path?: string;
  query?: string;
  key?: string | string[];
  body?: string;
  user?: string;
  route?: RouteOptions<{ user?: string }> | false;
  contentType?: string;
}

function request(r: Req = {}): IdempotencyRequest<{ user?: string }> {
  const headers: Record<string, string | string[] | undefined> = {
    'idempotency-key': r.key === undefined ? '"k1"' : r.key,
    'content-type': r.contentType ?? 'application/json',
  };
  return {
    method: r.method ?? 'POST',
    url: r.query === undefined ? (r.path ?? '/orders') : `${r.path ?? '/orders'}?${r.query}`,
    header: (name) => headers[name],
    body: r.body === undefined ? undefined : new TextEncoder().encode(r.body),
    route: r.route,
    context: r.user === undefined ? {} : { user: r.user },
  };
}

function setup(options: Partial<IdempotencyOptions<{ user?: string }>> = {}) {
  const events: IdempotencyEvent[] = [];
  const store = options.store ?? new MemoryStore();
  const engine = createIdempotency<{ user?: string }>({
    store,
    onEvent: (e) => events.push(e),
    principal: (req) => req.context.user,
    ...options,
  });
  return { engine, store, events, types: () => events.map((e) => e.type) };
}

function expectKind<K extends Decision['kind']>(d: Decision, kind: K): Extract<Decision, { kind: K }> {
  expect(d.kind).toBe(kind);
  return d as Extract<Decision, { kind: K }>;
}

const created = {
  status: 201,
  headers: {
    location: '/orders/1',
    etag: '"1"',
    'content-type': 'application/json',
    'set-cookie': 'order=1',
    'x-request-id': 'abc',
    date: 'Mon, 23 Nov 2026 09:00:00 GMT',
  },
  body: '{"id":1}',
};

describe('engine: applicability (B)', () => {
  it('B10 bypasses GET and methods not covered; PUT is opt-in', async () => {
    const { engine } = setup();
    expect(await engine.begin(request({ method: 'GET' }))).toEqual({ kind: 'bypass', reason: 'method' });
    expect(await engine.begin(request({ method: 'PUT' }))).toEqual({ kind: 'bypass', reason: 'method' });
    expect((await engine.begin(request({ method: 'PUT', route: { methods: ['PUT'] } }))).kind).toBe(
      'execute',
    );
  });

  it('B12 an optional route without a key passes through and never reads the body', async () => {
    const { engine } = setup();
    const body = vi.fn(() => new Uint8Array(1));
    const d = await engine.begin({ ...request({ key: [] }), body });
    expect(d).toEqual({ kind: 'bypass', reason: 'no-key' });
    expect(body).not.toHaveBeenCalled();
  });

  it('B11 a required route without a key answers 400 problem+json with a type URI', async () => {
    const { engine, types } = setup();
    const d = expectKind(await engine.begin(request({ key: [], route: { required: true } })), 'reject');
    expect(d.response.status).toBe(400);
    expect(header(d.response, 'content-type')).toEqual(['application/problem+json']);
    expect(json(d.response)).toMatchObject({
      type: 'https://idempo.dev/problems/missing-key',
      status: 400,
      code: 'missing_key',
    });
    expect(types()).toEqual(['missing-key']);
  });

  it('routes can opt out, globally or per route', async () => {
    expect(await setup().engine.begin(request({ route: false }))).toEqual({
      kind: 'bypass',
      reason: 'disabled',
    });
    expect(await setup().engine.begin(request({ route: { enabled: false } }))).toEqual({
      kind: 'bypass',
      reason: 'disabled',
    });
    const off = setup({ enabled: false }).engine;
    expect((await off.begin(request())).kind).toBe('bypass');
    expect((await off.begin(request({ route: { enabled: true } }))).kind).toBe('execute');
  });
});

describe('engine: keys (A)', () => {
  it('A4 an invalid key answers 400 problem+json and stores nothing', async () => {
    const store = new MemoryStore();
    const { engine, types } = setup({ store });
    const d = expectKind(await engine.begin(request({ key: '"a\\x"' })), 'reject');
    expect(d.response.status).toBe(400);
    expect(json(d.response)).toMatchObject({ code: 'invalid_key', title: 'Invalid Idempotency-Key' });
    expect(json(d.response)['detail']).toMatch(/Idempotency-Key/);
    expect(store.size).toBe(0);
    expect(types()).toEqual(['invalid-key']);
  });

  it('A5 two field lines answer 400', async () => {
    const d = expectKind(await setup().engine.begin(request({ key: ['"a"', '"b"'] })), 'reject');
    expect(d.response.status).toBe(400);
  });

  it('A8 strict mode rejects bare keys; maxKeyLength and headerName are options', async () => {
    const strict = setup({ strict: true, maxKeyLength: 3, headerName: 'X-Idem' }).engine;
    const withHeader = (value: string) => ({
      ...request(),
      header: (n: string) => (n === 'x-idem' ? value : undefined),
    });
    expect(expectKind(await strict.begin(withHeader('abc')), 'reject').response.status).toBe(400);
    expect(expectKind(await strict.begin(withHeader('"abcd"')), 'reject').response.status).toBe(400);
    expect((await strict.begin(withHeader('"abc"'))).kind).toBe('execute');
  });

  it('A4 A8 the 400 says what was wrong and what a valid key is, for the route options in force', async () => {
    const detail = async (options: Parameters<typeof setup>[0], key: string) =>
      json(expectKind(await setup(options).engine.begin(request({ key })), 'reject').response)['detail'];
    expect(await detail({}, `"${'k'.repeat(256)}"`)).toBe(
      'invalid Idempotency-Key: the key is longer than 255 characters; a valid key is a quoted string of 1 to 255' +
        " printable ASCII characters (or the same unquoted, when it uses only letters, digits and !#$%&'*+-.^_`|~:/=)," +
        ' e.g. Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"',
    );
    const strict = await detail({ strict: true, maxKeyLength: 64 }, 'bare-key');
    expect(strict).toBe(
      'invalid Idempotency-Key: the key must be a quoted string (strict mode); a valid key is a quoted string of 1' +
        ' to 64 printable ASCII characters, e.g. Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"',
    );
  });
});

describe('engine: execution and replay (C)', () => {
  it('C15 C16 C17 C18 C20 C21 C22 C23 replays status, body and end-to-end headers only', async () => {
    const { engine, types, events } = setup();
    const first = expectKind(await engine.begin(request({ body: '{"item":"a"}' })), 'execute');
    expect(await first.commit(created)).toBe('stored');
    const replay = expectKind(await engine.begin(request({ body: '{ "item": "a" }' })), 'replay').response;
    expect(replay.status).toBe(201);
    expect(text(replay.body)).toBe('{"id":1}');
    expect(replay.headers).toEqual([
      ['location', '/orders/1'],
      ['etag', '"1"'],
      ['content-type', 'application/json'],
      ['content-length', '8'],
      ['idempotent-replayed', 'true'],
    ]);
    expect(types()).toEqual(['reserved', 'committed', 'replayed']);
    const committed = events[1] as IdempotencyEvent;
    expect(committed).toMatchObject({ status: 201, bytes: 8, method: 'POST', path: '/orders' });
    expect(committed.keyHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(events)).not.toContain('k1');
  });

  it('events carry durations measured on one clock: the handler time between reservation and commit', async () => {
    const { engine, events } = setup();
    const d = expectKind(await engine.begin(request()), 'execute');
    await sleep(30);
    await d.commit(created);
    expectKind(await engine.begin(request()), 'replay');
    const [reserved, committed, replayed] = events;
    for (const e of [reserved, committed, replayed]) {
      expect(e?.durationMs).toBeGreaterThanOrEqual(0);
      expect(e?.storeMs).toBeGreaterThanOrEqual(0);
      expect(e?.durationMs).toBeLessThan(1_000);
    }
    expect(committed?.handlerMs).toBeGreaterThanOrEqual(25);
    expect(committed?.handlerMs).toBeLessThan(1_000);
  });

  it('C20 no Content-Length on a replayed 204; replay marker can be renamed or dropped', async () => {
    const { engine } = setup({ replayHeader: 'X-Replayed' });
    await expectKind(await engine.begin(request()), 'execute').commit({
      status: 204,
      headers: {},
      body: null,
    });
    const replay = expectKind(await engine.begin(request()), 'replay').response;
    expect(replay.headers).toEqual([['x-replayed', 'true']]);
    const silent = setup({ replayHeader: false }).engine;
    await expectKind(await silent.begin(request()), 'execute').commit({
      status: 200,
      body: new Uint8Array([7]),
    });
    expect(expectKind(await silent.begin(request()), 'replay').response.headers).toEqual([
      ['content-length', '1'],
    ]);
  });

  it('C22 Set-Cookie is replayed when opted in', async () => {
    const { engine } = setup({ replaySetCookie: true });
    await expectKind(await engine.begin(request()), 'execute').commit({
      ...created,
      headers: { 'set-cookie': ['a=1', 'b=2'] },
    });
    expect(header(expectKind(await engine.begin(request()), 'replay').response, 'set-cookie')).toEqual([
      'a=1',
      'b=2',
    ]);
  });

  it('C25 a body over maxBodyBytes is not stored and the key is released', async () => {
    const { engine, types } = setup({ maxBodyBytes: 4 });
    const d = expectKind(await engine.begin(request()), 'execute');
    expect(await d.commit({ status: 200, body: 'hello' })).toBe('too-large');
    expect((await engine.begin(request())).kind).toBe('execute');
    expect(types()).toEqual(['reserved', 'released', 'reserved']);
  });

  it('C25 a text body is measured in UTF-8 bytes, at the limit and on each side of it', async () => {
    const { engine, events } = setup({ maxBodyBytes: 6 });
    const commit = async (key: string, body: string) =>
      expectKind(await engine.begin(request({ key })), 'execute').commit({ status: 200, body });
    expect(await commit('"a"', 'ééé')).toBe('stored'); // 3 characters, 6 bytes
    expect(await commit('"b"', 'éééé')).toBe('too-large'); // 4 characters, 8 bytes
    expect(await commit('"c"', 'abcdefg')).toBe('too-large'); // 7 characters, 7 bytes
    expect(await commit('"d"', 'ab')).toBe('stored'); // 3 x 2 <= 6: not measured apart
    expect(await commit('"e"', '😀\ud800')).toBe('too-large'); // 3 characters, 4 + 3 bytes
    expect(await commit('"f"', '😀')).toBe('stored'); // 2 characters, 4 bytes
    const replayed = expectKind(await engine.begin(request({ key: '"a"' })), 'replay').response;
    expect(text(replayed.body)).toBe('ééé');
    expect(header(replayed, 'content-length')).toEqual(['6']);
    expect(events.filter((e) => e.type === 'committed').map((e) => e.bytes)).toEqual([6, 2, 4]);
  });

  it('F38 every status is stored by default; persist() can skip some', async () => {
    const { engine } = setup();
    await expectKind(await engine.begin(request()), 'execute').commit({ status: 500, body: 'boom' });
    expect(expectKind(await engine.begin(request()), 'replay').response.status).toBe(500);
    const picky = setup({ persist: (s) => s < 500 });
    const d = expectKind(await picky.engine.begin(request()), 'execute');
    expect(await d.commit({ status: 503, body: 'later' })).toBe('not-persisted');
    expect((await picky.engine.begin(request())).kind).toBe('execute');
    expect(picky.events.find((e) => e.type === 'released')?.reason).toBe('not-persisted');
  });

  it('E34 abandon releases the key; commit and abandon settle once', async () => {
    const { engine, events } = setup();
    const d = expectKind(await engine.begin(request()), 'execute');
    const error = new Error('handler failed');
    await d.abandon(error);
    await d.abandon(error);
    expect(await d.commit(created)).toBe('settled');
    expect(events.filter((e) => e.type === 'released')).toMatchObject([{ reason: 'abandoned', error }]);
    const again = expectKind(await engine.begin(request()), 'execute');
    expect(await again.commit(created)).toBe('stored');
    expect(await again.commit(created)).toBe('settled');
  });
});

describe('engine: mismatch and concurrency (D, E)', () => {
  it('E32 a duplicate in flight answers 409 with Retry-After', async () => {
    const { engine } = setup({ retryAfterSeconds: 2 });
    expectKind(await engine.begin(request({ body: '{}' })), 'execute');
    const d = expectKind(await engine.begin(request({ body: '{}' })), 'reject');
    expect(d.response.status).toBe(409);
    expect(header(d.response, 'retry-after')).toEqual(['2']);
    expect(json(d.response)['code']).toBe('request_in_flight');
  });

  it('D26 D29 another payload answers 422, in flight or completed, and the original still replays', async () => {
    const { engine } = setup();
    const d = expectKind(await engine.begin(request({ body: '{"qty":1}' })), 'execute');
    expect(expectKind(await engine.begin(request({ body: '{"qty":2}' })), 'reject').response.status).toBe(
      422,
    );
    await d.commit(created);
    expect(expectKind(await engine.begin(request({ body: '{"qty":2}' })), 'reject').response.status).toBe(
      422,
    );
    expect(
      expectKind(await engine.begin(request({ path: '/payments', body: '{"qty":1}' })), 'reject').response
        .status,
    ).toBe(422);
    expect((await engine.begin(request({ body: '{"qty":1}' }))).kind).toBe('replay');
  });

  it('E32 parallel duplicates: exactly one executes', async () => {
    const { engine } = setup();
    const decisions = await Promise.all(
      Array.from({ length: 200 }, () => engine.begin(request({ body: '{}' }))),
    );
    expect(decisions.filter((d) => d.kind === 'execute')).toHaveLength(1);
    expect(decisions.filter((d) => d.kind === 'reject' && d.response.status === 409)).toHaveLength(199);
  });

  it('G41 G42 principals and scopes separate records', async () => {
    const { engine } = setup();
    expect((await engine.begin(request({ user: 'alice' }))).kind).toBe('execute');
    expect((await engine.begin(request({ user: 'bob' }))).kind).toBe('execute');
    expect((await engine.begin(request())).kind).toBe('execute');
    expect((await engine.begin(request({ user: 'alice', route: { scope: 'v2' } }))).kind).toBe('execute');
    expect((await engine.begin(request({ user: 'alice' }))).kind).toBe('reject');
  });

  it('D26 a custom fingerprint replaces the default and sees the raw body', async () => {
    const fingerprint = vi.fn((_req: IdempotencyRequestInfo<{ user?: string }>, body: Uint8Array | null) =>
      String(body?.length ?? 0),
    );
    const { engine } = setup({ fingerprint });
    const d = expectKind(
      await engine.begin({ ...request({ body: 'abc' }), body: async () => new TextEncoder().encode('abc') }),
      'execute',
    );
    await d.commit(created);
    expect(fingerprint).toHaveBeenCalledTimes(1);
    expect((await engine.begin(request({ body: 'xyz' }))).kind).toBe('replay');
    expect((await engine.begin(request({ body: 'wxyz' }))).kind).toBe('reject');
  });
});

describe('engine: leases', () => {
  it('E35 the heartbeat keeps a long handler its key', async () => {
    // Leases of hundreds of ms: turbo runs every package's tests at once on two cores, and a stall longer than a
    // lease minus one heartbeat period would end it for real.
    const { engine, types } = setup({ leaseMs: 450 });
    const d = expectKind(await engine.begin(request()), 'execute');
    await sleep(1_000);
    expect(expectKind(await engine.begin(request()), 'reject').response.status).toBe(409);
    expect(await d.commit(created)).toBe('stored');
    expect(types()).not.toContain('lease-lost');
  });

  it('E35 without a heartbeat the lease lapses, a retry takes over, and the late commit writes nothing', async () => {
    const { engine, types } = setup({ leaseMs: 50, heartbeatMs: false });
    const first = expectKind(await engine.begin(request()), 'execute');
    await sleep(80);
    const second = expectKind(await engine.begin(request()), 'execute');
    expect(await first.commit({ status: 200, body: 'late' })).toBe('lease-lost');
    expect(await second.commit({ status: 200, body: 'second' })).toBe('stored');
    expect(text(expectKind(await engine.begin(request()), 'replay').response.body)).toBe('second');
    expect(types()).toContain('lease-lost');
  });

  it('a heartbeat that finds the key taken over reports lease-lost', async () => {
    const store = new MemoryStore();
    const { engine, types } = setup({ store, leaseMs: 60 });
    expectKind(await engine.begin(request()), 'execute');
    vi.spyOn(store, 'extend').mockResolvedValue(false);
    await sleep(60);
    expect(types()).toContain('lease-lost');
  });

  it('a handler that never answers frees its key after maxExecutionMs plus one lease', async () => {
    const { engine } = setup({ leaseMs: 300, maxExecutionMs: 500 });
    expectKind(await engine.begin(request()), 'execute');
    await sleep(450);
    expect((await engine.begin(request())).kind).toBe('reject');
    await sleep(750);
    expect((await engine.begin(request())).kind).toBe('execute');
  });

  it('route leaseMs derives its own heartbeat', async () => {
    const { engine } = setup();
    const d = expectKind(await engine.begin(request({ route: { leaseMs: 300 } })), 'execute');
    await sleep(750);
    expect((await engine.begin(request({ route: { leaseMs: 300 } }))).kind).toBe('reject');
    await d.abandon();
  });
});

function failingStore(overrides: Partial<IdempotencyStore>): IdempotencyStore {
  const inner = new MemoryStore();
  return {
    reserve: (...a) => inner.reserve(...a),
    complete: (...a) => inner.complete(...a),
    release: (...a) => inner.release(...a),
    extend: (...a) => inner.extend(...a),
    ...overrides,
  };
}

describe('engine: store failures (H48)', () => {
  const down = () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'));

  it('H48 fails closed with 503 problem+json that does not leak the store error', async () => {
    const { engine, events } = setup({ store: failingStore({ reserve: down }) });
    const d = expectKind(await engine.begin(request()), 'reject');
    expect(d.response.status).toBe(503);
    expect(d.error).toBeInstanceOf(StoreUnavailableError);
    expect(text(d.response.body)).not.toContain('6379');
    expect(header(d.response, 'retry-after')).toEqual(['1']);
    expect(events[0]).toMatchObject({ type: 'store-error', reason: 'reserve' });
  });

  it('H48 fail-open runs the handler unprotected', async () => {
    const { engine } = setup({ store: failingStore({ reserve: down }), onStoreError: 'fail-open' });
    expect(await engine.begin(request())).toEqual({ kind: 'bypass', reason: 'store-error' });
  });

  it('H48 a store that never answers gives 503 within storeTimeoutMs', async () => {
    const { engine, events } = setup({
      store: failingStore({ reserve: () => new Promise(() => {}) }),
      storeTimeoutMs: 50,
    });
    const started = Date.now();
    const d = expectKind(await engine.begin(request()), 'reject');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(d.response.status).toBe(503);
    expect(events[0]).toMatchObject({ type: 'store-error', error: { name: 'StoreTimeoutError' } });
  });

  it('a reservation that answers after the timeout is given back, so the key is not locked for a lease', async () => {
    const inner = new MemoryStore();
    let slow = true;
    const store = failingStore({
      reserve: async (...args) => {
        if (slow) await sleep(80);
        return inner.reserve(...args);
      },
      release: (...a) => inner.release(...a),
    });
    const { engine } = setup({ store, storeTimeoutMs: 30, retryAfterSeconds: 3 });
    const timedOut = expectKind(await engine.begin(request()), 'reject');
    expect(header(timedOut.response, 'retry-after')).toEqual(['3']);
    await sleep(120);
    slow = false;
    expect(inner.size).toBe(0);
    expect((await engine.begin(request())).kind).toBe('execute');
  });

  it('a store that throws synchronously is handled the same', async () => {
    const { engine } = setup({
      store: failingStore({
        reserve: () => {
          throw new Error('sync');
        },
      }),
    });
    expect(expectKind(await engine.begin(request()), 'reject').response.status).toBe(503);
  });

  it('a failed commit or release never throws and is reported', async () => {
    const { engine, types } = setup({ store: failingStore({ complete: down, release: down }) });
    const d = expectKind(await engine.begin(request()), 'execute');
    expect(await d.commit(created)).toBe('store-error');
    const e = expectKind(await engine.begin(request({ key: '"k2"' })), 'execute');
    await expect(e.abandon()).resolves.toBeUndefined();
    expect(types().filter((t) => t === 'store-error')).toHaveLength(2);
  });

  it('a failing heartbeat is reported and keeps trying', async () => {
    // A lease of 3 s with a beat every 20 ms (a failed extend is tried again within a beat): the second failure
    // comes long before the lease runs out, however late a busy machine fires the timers. With a 30 ms lease, a
    // loaded CI machine once fired the retry after the lease had ended, and a lost lease rightly stops its upkeep.
    const { engine, events } = setup({
      store: failingStore({ extend: down }),
      leaseMs: 3_000,
      heartbeatMs: 20,
    });
    const d = expectKind(await engine.begin(request()), 'execute');
    // Waits for the second failed extend rather than sleeping a fixed time: a busy machine delays timers.
    await vi.waitFor(
      () =>
        expect(
          events.filter((e) => e.type === 'store-error' && e.reason === 'extend').length,
        ).toBeGreaterThanOrEqual(2),
      { timeout: 2_900, interval: 5 },
    );
    await d.abandon();
  });

  it('a corrupt stored record answers 503, never a wrong replay', async () => {
    const store = failingStore({
      reserve: async () => ({
        kind: 'existing',
        state: 'completed',
        fingerprint: 'x',
        response: new Uint8Array([1, 2, 3]),
      }),
    });
    const { engine } = setup({ store, fingerprint: () => 'x' });
    expect(expectKind(await engine.begin(request()), 'reject').response.status).toBe(503);
  });

  it('an onEvent that throws does not break requests', async () => {
    const { engine } = setup({
      onEvent: () => {
        throw new Error('observer');
      },
    });
    const d = expectKind(await engine.begin(request()), 'execute') as ExecuteDecision;
    expect(await d.commit(created)).toBe('stored');
  });
});

describe('engine: options are validated once', () => {
  const store = new MemoryStore();
  const bad: [string, Partial<IdempotencyOptions>][] = [
    ['no store', { store: undefined as unknown as IdempotencyStore }],
    [
      'store without extend',
      { store: { reserve: vi.fn(), complete: vi.fn(), release: vi.fn() } as unknown as IdempotencyStore },
    ],
    ['GET covered', { store, methods: ['POST', 'GET'] }],
    ['empty methods', { store, methods: [] }],
    ['bad method', { store, methods: ['PO ST'] }],
    ['ttl < lease', { store, leaseMs: 1_000, ttlMs: 10 }],
    ['heartbeat >= lease', { store, leaseMs: 1_000, heartbeatMs: 1_000 }],
    ['maxExecution < lease', { store, leaseMs: 1_000, maxExecutionMs: 10 }],
    ['fractional lease', { store, leaseMs: 1.5 }],
    ['bad header', { store, headerName: 'Idem Key' }],
    ['bad replay header', { store, replayHeader: '' }],
    ['bad onStoreError', { store, onStoreError: 'retry' as 'fail-open' }],
    ['bad principal', { store, principal: 'user' as unknown as () => string }],
    ['bad excludeHeaders', { store, excludeHeaders: 'x' as unknown as string[] }],
    ['bad scope', { store, scope: 1 as unknown as string }],
    ['bad problemTypeBase', { store, problemTypeBase: 1 as unknown as string }],
    ['string enabled', { store, enabled: 'false' as unknown as boolean }],
    ['string required', { store, required: 'false' as unknown as boolean }],
    ['string strict', { store, strict: 1 as unknown as boolean }],
    ['string replaySetCookie', { store, replaySetCookie: 'yes' as unknown as boolean }],
  ];
  it.each(bad)('rejects %s with InvalidOptionsError', (_name, options) => {
    expect(() => createIdempotency(options as IdempotencyOptions)).toThrow(InvalidOptionsError);
  });

  it('rejects options that are not an object', () => {
    expect(() => createIdempotency(null as unknown as IdempotencyOptions)).toThrow(InvalidOptionsError);
  });

  it('validateRoute fails at registration and caches what it resolved', () => {
    const { engine } = setup();
    expect(() => engine.validateRoute({ leaseMs: 100_000_000_000 })).toThrow(/ttlMs/);
    expect(() => engine.validateRoute({ methods: ['HEAD'] })).toThrow(InvalidOptionsError);
    expect(() => engine.validateRoute(false)).not.toThrow();
    expect(() => engine.validateRoute(undefined)).not.toThrow();
    expect(() => engine.validateRoute({ required: true })).not.toThrow();
  });

  it('validates route options on first use and caches them', async () => {
    const { engine } = setup();
    await expect(engine.begin(request({ route: { methods: ['GET'] } }))).rejects.toThrow(InvalidOptionsError);
    await expect(engine.begin(request({ route: { leaseMs: 0 } }))).rejects.toThrow(InvalidOptionsError);
    await expect(engine.begin(request({ route: { scope: 3 as unknown as string } }))).rejects.toThrow(
      InvalidOptionsError,
    );
    await expect(engine.begin(request({ route: null as unknown as false }))).rejects.toThrow(
      InvalidOptionsError,
    );
    const route = { ttlMs: 60_000, maxBodyBytes: 10, persist: () => true, fingerprint: () => 'f' };
    expect((await engine.begin(request({ route }))).kind).toBe('execute');
    expect((await engine.begin(request({ route }))).kind).toBe('reject');
  });

  it('resolves the defaults (resolveOptions, internal since the public surface stopped exposing them)', () => {
    const options = resolveOptions({ store });
    expect(options).toMatchObject({
      leaseMs: 30_000,
      heartbeatMs: 10_000,
      ttlMs: 86_400_000,
      maxBodyBytes: 1_048_576,
      failOpen: false,
    });
    expect([...options.methods]).toEqual(['POST', 'PATCH']);
  });

  it('exposes its store and the lower-case key header to adapters, not its resolved options', () => {
    const engine = createIdempotency({ store, headerName: 'X-Request-Key' });
    expect(engine.store).toBe(store);
    expect(engine.keyHeader).toBe('x-request-key');
  });
});
