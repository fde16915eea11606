/**
 * The user's `principal` and `fingerprint` functions: what they may return, and what happens when they return
 * anything else or throw. Every adapter passes these through unchanged, so core decides it once for all.
 */
import { describe, expect, it, vi } from 'vitest';
import type { IdempotencyOptions } from '../src/options.js';
import { type Context, expectKind, header, json, request, setup, wrappedStore } from './engine-harness.js';

const bodyFunction = () => vi.fn(() => new TextEncoder().encode('{}'));

describe('engine: principal [15.8]', () => {
  it.each([
    ['an object', { name: 'alice' }, 'object'],
    ['an array', ['alice'], 'array'],
    ['a number', 42, 'number'],
    ['a boolean', true, 'boolean'],
    ['a bigint', 1n, 'bigint'],
  ])(
    'I7 a principal returning %s answers 500 invalid_principal: nothing read, nothing reserved, no handler [15.8]',
    async (_name, value, got) => {
      for (const principal of [() => value, async () => value]) {
        const { inner, store } = wrappedStore();
        const { engine, events } = setup({
          store,
          principal: principal as unknown as IdempotencyOptions<Context>['principal'],
        });
        const body = bodyFunction();
        const d = expectKind(await engine.begin({ ...request(), body }), 'reject');
        expect(d.response.status).toBe(500);
        expect(header(d.response, 'content-type')).toEqual(['application/problem+json']);
        expect(json(d.response)).toMatchObject({
          status: 500,
          code: 'invalid_principal',
          type: 'https://idempo.dev/problems/invalid-principal',
          detail: `principal must return a string, null or undefined; got ${got}`,
        });
        expect(d.error.name).toBe('InvalidPrincipalError');
        expect(body).not.toHaveBeenCalled();
        expect(inner.size).toBe(0);
        expect(events).toMatchObject([{ type: 'invalid-principal', status: 500 }]);
      }
    },
  );

  it('I7 two callers whose principal is an object never share a record: each is refused [15.8]', async () => {
    const { inner, store } = wrappedStore();
    const { engine } = setup({
      store,
      principal: ((req: { context: Context }) => ({
        id: req.context.user,
      })) as unknown as IdempotencyOptions<Context>['principal'],
    });
    for (const user of ['alice', 'bob'])
      expect(expectKind(await engine.begin(request({ user })), 'reject').response.status).toBe(500);
    expect(inner.size).toBe(0);
  });

  it('null, undefined and the empty string stay anonymous (one global key space); strings scope keys [15.8]', async () => {
    const { engine } = setup({ principal: (req) => req.context.user as string | null | undefined });
    expectKind(await engine.begin(request({ user: null })), 'execute');
    for (const user of [undefined, ''])
      expect(expectKind(await engine.begin(request({ user })), 'reject').response.status).toBe(409);
    expectKind(await engine.begin(request({ user: 'alice' })), 'execute');
  });
});

describe('engine: fingerprint functions [15.8]', () => {
  it.each([
    ['undefined (a forgotten return)', undefined, 'undefined'],
    ['a number', 7, 'number'],
    ['bytes', new Uint8Array([1]), 'object'],
  ])(
    'a custom fingerprint returning %s answers 500 invalid_fingerprint before anything is reserved: payloads never merge [15.8]',
    async (_name, value, got) => {
      for (const fingerprint of [() => value, async () => value]) {
        const { inner, store } = wrappedStore();
        const { engine, events } = setup({
          store,
          fingerprint: fingerprint as unknown as IdempotencyOptions<Context>['fingerprint'],
        });
        const d = expectKind(await engine.begin(request({ body: '{"qty":1}' })), 'reject');
        expect(d.response.status).toBe(500);
        expect(json(d.response)).toMatchObject({
          code: 'invalid_fingerprint',
          detail: `fingerprint must return a string; got ${got}`,
        });
        expect(inner.size).toBe(0);
        expect(events).toMatchObject([{ type: 'invalid-fingerprint', status: 500 }]);
        // Another payload under the same key is refused the same way, never replayed.
        expect(expectKind(await engine.begin(request({ body: '{"qty":2}' })), 'reject').response.status).toBe(
          500,
        );
      }
    },
  );

  it('an error thrown or rejected by principal, fingerprint or the body function rejects begin with that very error, before anything is reserved [15.8] [15.10]', async () => {
    const denied = Object.assign(new Error('401 unauthorised'), { statusCode: 401 });
    const cases: Partial<IdempotencyOptions<Context>>[] = [
      {
        principal: () => {
          throw denied;
        },
      },
      { principal: () => Promise.reject(denied) },
      {
        fingerprint: () => {
          throw denied;
        },
      },
      { fingerprint: () => Promise.reject(denied) },
    ];
    for (const options of cases) {
      const { inner, store } = wrappedStore();
      const { engine, events } = setup({ store, ...options });
      await expect(engine.begin(request({ body: '{}' }))).rejects.toBe(denied);
      expect(inner.size).toBe(0);
      expect(events).toEqual([]);
    }
    const { inner, store } = wrappedStore();
    const { engine } = setup({ store });
    await expect(
      engine.begin({
        ...request(),
        body: () => {
          throw denied;
        },
      }),
    ).rejects.toBe(denied);
    expect(inner.size).toBe(0);
  });
});

describe('engine: answers given at once or as promises', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const thenable = <T>(value: T) => ({
    // biome-ignore lint/suspicious/noThenProperty: the case under test is a thenable.
    then: (resolve: (v: T) => void) => resolve(value),
  });

  it('D26 the same decisions whether principal, fingerprint and the body function answer at once, as promises or as thenables', async () => {
    const answers = [<T>(v: T) => v, <T>(v: T) => Promise.resolve(v), thenable];
    for (const answer of answers) {
      const { engine } = setup({
        principal: () => answer('alice') as string,
        fingerprint: (_info, body) =>
          answer(`fp:${body === null ? '' : new TextDecoder().decode(body)}`) as string,
      });
      // A request (its context) per begin: a context already holding a reservation passes through (nested).
      const first = () => ({ ...request(), body: () => answer(bytes('{"a":1}')) as Uint8Array });
      const d = expectKind(await engine.begin(first()), 'execute');
      expect(await d.commit({ status: 201, body: 'made' })).toBe('stored');
      expectKind(await engine.begin(first()), 'replay');
      const other = { ...request(), body: () => answer(bytes('{"a":2}')) as Uint8Array };
      expect(expectKind(await engine.begin(other), 'reject').response.status).toBe(422);
      const none = { ...request({ key: '"k2"' }), body: () => answer(null) as null };
      expectKind(await engine.begin(none), 'execute');
    }
  });

  it('C25 a body function that rejects with RequestTooLargeError or UnreadableBodyError is answered 413 or 500, nothing reserved', async () => {
    const { RequestTooLargeError, UnreadableBodyError } = await import('../src/errors.js');
    const { inner, store } = wrappedStore();
    const { engine } = setup({ store });
    const refused = [
      [new RequestTooLargeError('too big', 10), 413],
      [new UnreadableBodyError('gone'), 500],
    ] as const;
    for (const [error, status] of refused) {
      const d = await engine.begin({ ...request(), body: () => Promise.reject(error) });
      expect(expectKind(d, 'reject').response.status).toBe(status);
    }
    expect(inner.size).toBe(0);
  });

  it('a store answering reserve with no result rejects begin, as a store breaking its contract did before', async () => {
    const { store } = wrappedStore({ reserve: async () => undefined as never });
    const { engine } = setup({ store });
    await expect(engine.begin(request())).rejects.toBeInstanceOf(TypeError);
  });

  it('I9 a response that is not an object: commit neither throws nor rejects, the key is released [15.10]', async () => {
    const { engine, types } = setup();
    const d = expectKind(await engine.begin(request()), 'execute');
    let outcome: Promise<unknown> | undefined;
    expect(() => {
      outcome = d.commit(null as never);
    }).not.toThrow();
    await expect(outcome).resolves.toBe('not-persisted');
    expect(types()).toEqual(['reserved', 'released']);
  });
});
