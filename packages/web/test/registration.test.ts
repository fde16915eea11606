/** Options are resolved and validated once, at the withIdempotency call; one engine per wrapped handler (J2). */
import { InvalidOptionsError, MemoryStore } from '@idempo/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type IdempotentHandler, type WebIdempotencyOptions, withIdempotency } from '../src/index.js';
import { countingStore, newKey, request } from './support/client.js';

const store = new MemoryStore();
const ok = async () => new Response('ok');

describe('withIdempotency(handler, options)', () => {
  it('I2 an invalid option throws InvalidOptionsError at the call, not on a request', () => {
    expect(() => withIdempotency(ok, { store, leaseMs: -1 })).toThrow(InvalidOptionsError);
    expect(() => withIdempotency(ok, { store, methods: ['GET'] })).toThrow(InvalidOptionsError);
    expect(() => withIdempotency(ok, { store, ttlMs: 1000, maxExecutionMs: 5000 })).toThrow(
      InvalidOptionsError,
    );
    expect(() => withIdempotency(ok, {} as WebIdempotencyOptions)).toThrow(InvalidOptionsError);
    expect(() => withIdempotency(ok, undefined as unknown as WebIdempotencyOptions)).toThrow(
      InvalidOptionsError,
    );
    expect(() => withIdempotency(ok, { store, onError: 'nope' as unknown as () => Response })).toThrow(
      InvalidOptionsError,
    );
    expect(() => withIdempotency(undefined as unknown as typeof ok, { store })).toThrow(InvalidOptionsError);
  });

  it('B10 PUT is covered when listed in methods; GET passes through', async () => {
    let runs = 0;
    const handler = withIdempotency(async () => new Response(`run ${++runs}`), { store, methods: ['PUT'] });
    const key = newKey();
    await handler(request('/x', { key, method: 'PUT', json: {} }));
    const replay = await handler(request('/x', { key, method: 'PUT', json: {} }));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await handler(request('/x', { key, method: 'POST', json: {} }));
    await handler(request('/x', { key, method: 'GET' }));
    expect(runs).toBe(3);
  });

  it('J2 a wrapped handler calling another with the same Request is reserved once; the inner passes it through', async () => {
    const events: string[] = [];
    const inner = withIdempotency(async () => Response.json({ ok: true }, { status: 201 }), {
      store: countingStore(),
      onEvent: (event) => events.push(`inner ${event.type}`),
    });
    const outer = withIdempotency((req: Request) => inner(req), {
      store: countingStore(),
      onEvent: (event) => events.push(`outer ${event.type}`),
    });
    const key = newKey();
    expect((await outer(request('/n', { key, json: {} }))).status).toBe(201);
    expect((await outer(request('/n', { key, json: {} }))).headers.get('idempotent-replayed')).toBe('true');
    expect(events).toEqual(['outer reserved', 'outer committed', 'outer replayed']);
  });

  it('C14 the rest arguments reach the handler untouched, and the types follow the handler', async () => {
    type Env = { readonly SECRET: string };
    const ctx = { waitUntil: (_p: Promise<unknown>) => {} };
    const handler = withIdempotency(
      async (req: Request, env: Env, context: typeof ctx) =>
        Response.json({ secret: env.SECRET, same: context === ctx, method: req.method }),
      { store, principal: ({ context }) => context.args[0].SECRET },
    );
    expectTypeOf(handler).toEqualTypeOf<IdempotentHandler<[Env, typeof ctx], Request>>();
    const res = await handler(request('/w', { key: newKey(), json: {} }), { SECRET: 's' }, ctx);
    expect(await res.json()).toEqual({ secret: 's', same: true, method: 'POST' });
  });

  it('D28 a custom fingerprint sees the request, the rest arguments and the body bytes', async () => {
    const seen: unknown[] = [];
    const handler = withIdempotency(
      async (_req: Request, _ctx: { params: { id: string } }) => new Response('ok'),
      {
        store,
        fingerprint: ({ context, header }, body) => {
          seen.push(context.args[0].params.id, header('x-version'), body?.length);
          return `${context.args[0].params.id}:${header('x-version')}`;
        },
      },
    );
    const key = newKey();
    const send = (version: string, id = '7') =>
      handler(request('/f', { key, json: { a: 1 }, headers: { 'x-version': version } }), { params: { id } });
    expect((await send('1')).status).toBe(200);
    expect((await send('1')).headers.get('idempotent-replayed')).toBe('true');
    expect((await send('2')).status).toBe(422);
    expect(seen).toEqual(['7', '1', 7, '7', '1', 7, '7', '2', 7]);
  });
});
