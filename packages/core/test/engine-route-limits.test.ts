/** The limits core resolves for adapters, so that no adapter re-derives a route's options (C25, [15.11]). */
import { describe, expect, it } from 'vitest';
import { expectKind, request, setup } from './engine-harness.js';

describe('route limits resolved by core', () => {
  it('C25 an execution carries its route maxBodyBytes, else the application one', async () => {
    const { engine } = setup({ maxBodyBytes: 4096 });
    const plain = expectKind(await engine.begin(request({ key: '"a"' })), 'execute');
    expect(plain.maxBodyBytes).toBe(4096);
    const route = { maxBodyBytes: 10 };
    const own = expectKind(await engine.begin({ ...request({ key: '"b"' }), route }), 'execute');
    expect(own.maxBodyBytes).toBe(10);
    await Promise.all([plain.abandon(), own.abandon()]);
  });

  it('[15.11] requestBodyLimit is the route maxRequestBodyBytes, else the application one, and undefined where idempotency is off', () => {
    const { engine } = setup({ maxRequestBodyBytes: 2048 });
    expect(engine.requestBodyLimit(undefined)).toBe(2048);
    expect(engine.requestBodyLimit({ maxRequestBodyBytes: 99 })).toBe(99);
    expect(engine.requestBodyLimit({ enabled: false })).toBeUndefined();
    expect(engine.requestBodyLimit(false)).toBeUndefined();
    expect(setup({ enabled: false }).engine.requestBodyLimit(undefined)).toBeUndefined();
  });

  it('B10 covers says whether a method of a route can ever be covered: its methods where idempotency is on, never a safe one', async () => {
    const { engine } = setup({});
    expect(
      ['POST', 'PATCH', 'post', 'PUT', 'DELETE', 'GET', 'HEAD'].map((m) => engine.covers(undefined, m)),
    ).toEqual([true, true, true, false, false, false, false]);
    expect(engine.covers({ methods: ['PUT'] }, 'PUT')).toBe(true);
    expect(engine.covers({ methods: ['PUT'] }, 'POST')).toBe(false);
    expect(engine.covers({ enabled: false }, 'POST')).toBe(false);
    expect(engine.covers(false, 'POST')).toBe(false);
    expect(setup({ enabled: false }).engine.covers(undefined, 'POST')).toBe(false);
    expect(setup({ methods: ['DELETE'] }).engine.covers(undefined, 'DELETE')).toBe(true);
    expect(() => engine.covers({ methods: ['GET'] }, 'GET')).toThrow(/never covered/);
    // What covers says is what begin does: a method it does not cover is let through before the key is read.
    const put = await engine.begin({ ...request({ key: '"p"' }), method: 'PUT' });
    expect(put).toMatchObject({ kind: 'bypass', reason: 'method' });
  });
});
