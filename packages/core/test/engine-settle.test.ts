/**
 * `commit` and `abandon` never throw or reject, whatever the user's callbacks and the store do: a throw is
 * handled once, in core (the key released, the error reported through `onEvent`), and the adapter sends the
 * handler's response as it would anyway.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapturedResponse } from '../src/request.js';
import { withStoreTimeout } from '../src/with-timeout.js';
import { expectKind, request, setup, wrappedStore } from './engine-harness.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

const ok: CapturedResponse = {
  status: 201,
  headers: { 'content-type': 'application/json' },
  body: '{"id":1}',
};

describe('engine: commit and abandon never throw [15.10]', () => {
  it('I9 a persist() that throws: commit resolves not-persisted, the key is released, the error reported once [15.10]', async () => {
    const boom = new Error('persist bug');
    const { engine, events } = setup({
      persist: () => {
        throw boom;
      },
    });
    const d = expectKind(await engine.begin(request()), 'execute');
    await expect(d.commit(ok)).resolves.toBe('not-persisted');
    expect(events.filter((e) => e.error === boom)).toMatchObject([
      { type: 'released', reason: 'persist-threw', error: boom },
    ]);
    expect(events.map((e) => e.type)).toEqual(['reserved', 'released']);
    expectKind(await engine.begin(request()), 'execute');
  });

  it.each([
    ['a header value the response cannot hold (a boolean)', { 'x-flag': true as unknown as string }],
    [
      'headers whose iteration throws',
      {
        [Symbol.iterator]() {
          throw new Error('broken headers');
        },
      } as unknown as Iterable<[string, string]>,
    ],
    [
      'more header lines than a record holds',
      Array.from({ length: 0x10000 }, (_, i): [string, string] => [`x-${i}`, 'v']),
    ],
  ])(
    'I9 %s: commit resolves not-persisted, the key is released, the error reported once [15.10]',
    async (_name, headers) => {
      const { engine, events } = setup();
      const d = expectKind(await engine.begin(request()), 'execute');
      await expect(d.commit({ status: 200, headers, body: 'x' })).resolves.toBe('not-persisted');
      const released = events.filter((e) => e.type === 'released');
      expect(released).toMatchObject([{ reason: 'encode-failed' }]);
      expect(released[0]?.error).toBeInstanceOf(Error);
      expect(events.map((e) => e.type)).toEqual(['reserved', 'released']);
      expectKind(await engine.begin(request()), 'execute');
    },
  );

  it('I9 persist() throwing and the release failing too: resolves, reports the store error with the cause [15.10]', async () => {
    const boom = new Error('persist bug');
    const { store } = wrappedStore({ release: () => Promise.reject(new Error('ECONNRESET')) });
    const { engine, events } = setup({
      store,
      persist: () => {
        throw boom;
      },
    });
    const d = expectKind(await engine.begin(request()), 'execute');
    await expect(d.commit(ok)).resolves.toBe('not-persisted');
    expect(events.slice(1)).toMatchObject([{ type: 'store-error', reason: 'release', cause: boom }]);
  });

  it('I9 a store whose calls throw synchronously or answer plain values never makes commit or abandon reject [15.10]', async () => {
    const { inner, store } = wrappedStore({
      complete: () => {
        throw new Error('sync complete');
      },
      // A store that answers a plain value instead of a promise (it broke the contract, and still released).
      release: ((key: string, token: string) => {
        void inner.release(key, token);
        return true;
      }) as unknown as (key: string, token: string) => Promise<boolean>,
    });
    const { engine, events } = setup({ store });
    await expect(expectKind(await engine.begin(request()), 'execute').commit(ok)).resolves.toBe(
      'store-error',
    );
    const d = expectKind(await engine.begin(request({ key: '"k2"' })), 'execute');
    await expect(d.abandon(new Error('handler'))).resolves.toBeUndefined();
    expect(events.filter((e) => e.type === 'released')).toMatchObject([{ reason: 'abandoned' }]);
    expect(unhandled).toEqual([]);
  });

  it('withStoreTimeout takes a call that answers a plain value like one that answers a promise [15.10]', async () => {
    await expect(withStoreTimeout('op', () => true as unknown as Promise<boolean>, 1_000)).resolves.toBe(
      true,
    );
    await expect(withStoreTimeout('op', () => 3 as unknown as Promise<number>, 0)).resolves.toBe(3);
  });

  it('I9 a late reservation whose release throws synchronously leaves no unhandled rejection [15.10] [15.4]', async () => {
    const { inner, store } = wrappedStore({
      reserve: async (...a) => {
        await sleep(150);
        return inner.reserve(...a);
      },
      release: () => {
        throw new Error('sync release');
      },
    });
    const { engine, events } = setup({ store, storeTimeoutMs: 40 });
    expect(expectKind(await engine.begin(request()), 'reject').response.status).toBe(503);
    await sleep(400);
    expect(unhandled).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['store-error', 'store-error']);
    expect(events[1]).toMatchObject({ reason: 'release' });
  });
});
