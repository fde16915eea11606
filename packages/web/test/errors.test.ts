/**
 * Errors: a handler that throws (docs/behaviour.md E34, J3), `onError`, a principal that is not a string or
 * throws (I7), a store that is down (H48), a handler that returns no Response.
 */
import { type IdempotencyStore, InvalidPrincipalError } from '@idempo/core';
import { createFailingStore } from '@idempo/testing';
import { describe, expect, it } from 'vitest';
import { withIdempotency } from '../src/index.js';
import { countingStore, newKey, problem, request } from './support/client.js';

const json = { item: 'book' };

class PaymentDeclined extends Error {
  readonly status = 402;
}

const answer = (error: unknown) =>
  error instanceof PaymentDeclined
    ? new Response(`declined: ${error.message}`, { status: 402 })
    : new Response('internal error', { status: 500 });

describe('a handler that throws', () => {
  it('E34 without onError the error goes on to the runtime and the key is released: the retry runs again', async () => {
    const store = countingStore();
    let runs = 0;
    const handler = withIdempotency(
      async () => {
        runs++;
        throw new Error(`boom ${runs}`);
      },
      { store },
    );
    const key = newKey();
    await expect(handler(request('/t', { key, json }))).rejects.toThrow('boom 1');
    await expect(handler(request('/t', { key, json }))).rejects.toThrow('boom 2');
    expect(store.releases).toBe(2);
    expect(store.completes).toBe(0);
  });

  it('E34 J3 with onError its answer is sent and the key released by default', async () => {
    let runs = 0;
    const handler = withIdempotency(
      async () => {
        runs++;
        throw new PaymentDeclined(`card ${runs}`);
      },
      { store: countingStore(), onError: answer },
    );
    const key = newKey();
    const first = await handler(request('/t', { key, json }));
    expect([first.status, await first.text()]).toEqual([402, 'declined: card 1']);
    const second = await handler(request('/t', { key, json }));
    expect([second.status, await second.text()]).toEqual([402, 'declined: card 2']);
  });

  it("J3 with onHandlerError 'store' the onError answer below 500 is stored and replayed; a 500 releases", async () => {
    let runs = 0;
    const handler = withIdempotency(
      async (req: Request) => {
        runs++;
        if (new URL(req.url).searchParams.has('crash')) throw new Error('crash');
        throw new PaymentDeclined(`card ${runs}`);
      },
      { store: countingStore(), onError: answer, onHandlerError: 'store' },
    );
    const key = newKey();
    const first = await handler(request('/t', { key, json }));
    const second = await handler(request('/t', { key, json }));
    expect([second.status, second.headers.get('idempotent-replayed'), await second.text()]).toEqual([
      402,
      'true',
      await first.text(),
    ]);
    const crash = newKey();
    expect((await handler(request('/t?crash', { key: crash, json }))).status).toBe(500);
    const again = await handler(request('/t?crash', { key: crash, json }));
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(runs).toBe(3);
  });

  it("J3 with onHandlerError 'store' and no onError nothing answers the error: it goes on and the key is released", async () => {
    const store = countingStore();
    const handler = withIdempotency(
      async () => {
        throw new PaymentDeclined('no handler');
      },
      { store, onHandlerError: 'store' },
    );
    const key = newKey();
    await expect(handler(request('/t', { key, json }))).rejects.toThrow('no handler');
    await expect(handler(request('/t', { key, json }))).rejects.toThrow('no handler');
    expect(store.releases).toBe(2);
  });

  it('E34 an onError that throws sends its error on and releases the key', async () => {
    const store = countingStore();
    const handler = withIdempotency(
      async () => {
        throw new Error('first');
      },
      {
        store,
        onHandlerError: 'store',
        onError: () => {
          throw new Error('onError broke');
        },
      },
    );
    await expect(handler(request('/t', { key: newKey(), json }))).rejects.toThrow('onError broke');
    expect(store.releases).toBe(1);
  });

  it('E34 a handler that returns something else than a Response is a TypeError; the key is released', async () => {
    const store = countingStore();
    const handler = withIdempotency((async () => ({ ok: true })) as unknown as () => Promise<Response>, {
      store,
    });
    await expect(handler(request('/t', { key: newKey(), json }))).rejects.toThrow(TypeError);
    expect(store.releases).toBe(1);
  });

  it('B12 a handler without a key that throws goes to onError as well', async () => {
    const handler = withIdempotency(
      async () => {
        throw new PaymentDeclined('unkeyed');
      },
      { store: countingStore(), onError: answer },
    );
    expect((await handler(request('/t', { json }))).status).toBe(402);
  });
});

describe('principals', () => {
  it('I7 [15.8] a principal that returns an object, a number or a boolean is a 500 problem+json; nothing runs', async () => {
    for (const value of [{ id: 'ann' }, 42, true, ['ann']]) {
      let runs = 0;
      const events: string[] = [];
      const handler = withIdempotency(
        async () => {
          runs++;
          return new Response('ran');
        },
        {
          store: countingStore(),
          principal: () => value as unknown as string,
          onEvent: (event) => events.push(event.type),
        },
      );
      const res = await handler(request('/p', { key: newKey(), json }));
      expect(res.status).toBe(500);
      expect((await problem(res)).code).toBe(new InvalidPrincipalError('x').code);
      expect(runs).toBe(0);
      expect(events).toEqual(['invalid-principal']);
    }
  });

  it('G41 principal sees the request and the rest arguments; two principals are two records', async () => {
    const seen: unknown[] = [];
    let runs = 0;
    const handler = withIdempotency(
      async (_req: Request, env: { tenant: string }) => Response.json({ runs: ++runs, tenant: env.tenant }),
      {
        store: countingStore(),
        principal: ({ context, header }) => {
          seen.push(context.args[0].tenant, context.request.method);
          return `${context.args[0].tenant}:${header('x-user')}`;
        },
      },
    );
    const key = newKey();
    const send = (tenant: string) =>
      handler(request('/p', { key, json, headers: { 'x-user': 'ann' } }), { tenant });
    expect(await (await send('a')).json()).toEqual({ runs: 1, tenant: 'a' });
    expect(await (await send('b')).json()).toEqual({ runs: 2, tenant: 'b' });
    expect(await (await send('a')).json()).toEqual({ runs: 1, tenant: 'a' });
    expect(seen).toEqual(['a', 'POST', 'b', 'POST', 'a', 'POST']);
  });

  it('I7 a principal that throws (an authentication error) is answered by onError, else goes on; nothing reserved', async () => {
    const store = countingStore();
    const deny = () => {
      throw new PaymentDeclined('who are you');
    };
    const plain = withIdempotency(async () => new Response('ran'), { store, principal: deny });
    await expect(plain(request('/p', { key: newKey(), json }))).rejects.toThrow('who are you');
    const handled = withIdempotency(async () => new Response('ran'), {
      store,
      principal: deny,
      onError: answer,
    });
    expect((await handled(request('/p', { key: newKey(), json }))).status).toBe(402);
    expect(store.releases + store.completes).toBe(0);
  });
});

describe('a store that is down', () => {
  it('H48 a keyed request is a 503 problem+json with Retry-After and the handler does not run (fail closed)', async () => {
    let runs = 0;
    const handler = withIdempotency(
      async () => {
        runs++;
        return new Response('ran');
      },
      { store: createFailingStore() },
    );
    const res = await handler(request('/s', { key: newKey(), json }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await problem(res)).status).toBe(503);
    expect(runs).toBe(0);
    expect((await handler(request('/s', { json }))).status).toBe(200);
  });

  it('H48 a store that never answers is a 503 after storeTimeoutMs', async () => {
    const never = new Promise<never>(() => {});
    const stalled: IdempotencyStore = {
      reserve: () => never,
      complete: () => never,
      release: () => never,
      extend: () => never,
    };
    const handler = withIdempotency(async () => new Response('ran'), { store: stalled, storeTimeoutMs: 50 });
    const res = await handler(request('/s', { key: newKey(), json }));
    expect(res.status).toBe(503);
  });

  it("H48 with onStoreError 'fail-open' the handler runs unprotected", async () => {
    let runs = 0;
    const handler = withIdempotency(async () => new Response(`ran ${++runs}`), {
      store: createFailingStore(),
      onStoreError: 'fail-open',
    });
    const key = newKey();
    expect(await (await handler(request('/s', { key, json }))).text()).toBe('ran 1');
    expect(await (await handler(request('/s', { key, json }))).text()).toBe('ran 2');
  });
});
