/** The request body: read only when core asks, and still readable by the handler in every way Hono offers. */
import { MemoryStore } from '@idempo/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { newKey, post } from './support/client.js';

function appReading(read: (c: import('hono').Context) => Promise<unknown>) {
  const app = new Hono();
  let runs = 0;
  app.use('*', idempotency({ store: new MemoryStore() }));
  app.post('/echo', async (c) => c.json({ run: ++runs, got: await read(c) }, 201));
  return app;
}

describe('the request body', () => {
  it.each([
    ['c.req.json()', (c: import('hono').Context) => c.req.json()],
    ['c.req.text()', (c: import('hono').Context) => c.req.text().then((t) => JSON.parse(t))],
    [
      'c.req.arrayBuffer()',
      async (c: import('hono').Context) => JSON.parse(new TextDecoder().decode(await c.req.arrayBuffer())),
    ],
    ['c.req.raw.json()', (c: import('hono').Context) => c.req.raw.json()],
    [
      'c.req.raw.clone().text()',
      (c: import('hono').Context) =>
        c.req.raw
          .clone()
          .text()
          .then((t) => JSON.parse(t)),
    ],
  ])('is readable by the handler through %s after the middleware read it', async (_name, read) => {
    const app = appReading(read);
    const key = newKey();
    const first = await post(app, '/echo', { key, json: { a: 1, b: [2] } });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ run: 1, got: { a: 1, b: [2] } });
    const replay = await post(app, '/echo', { key, json: { b: [2], a: 1 } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ run: 1, got: { a: 1, b: [2] } });
  });

  it('is readable as a form with c.req.parseBody()', async () => {
    const app = appReading((c) => c.req.parseBody());
    const key = newKey();
    const form = () => new URLSearchParams({ item: 'book', qty: '2' });
    const first = await post(app, '/echo', { key, body: form() });
    expect(await first.json()).toEqual({ run: 1, got: { item: 'book', qty: '2' } });
    const replay = await post(app, '/echo', { key, body: form() });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await post(app, '/echo', { key, body: new URLSearchParams({ item: 'pen' }) })).status).toBe(422);
  });

  it('is fingerprinted as raw bytes: different bytes under one key are a 422', async () => {
    const app = appReading(async (c) => (await c.req.arrayBuffer()).byteLength);
    const key = newKey();
    const bytes = (n: number) => Uint8Array.from({ length: 64 }, (_, i) => (i * n) & 0xff);
    const headers = { 'content-type': 'application/octet-stream' };
    expect((await post(app, '/echo', { key, body: bytes(3), headers })).status).toBe(201);
    expect(
      (await post(app, '/echo', { key, body: bytes(3), headers })).headers.get('idempotent-replayed'),
    ).toBe('true');
    expect((await post(app, '/echo', { key, body: bytes(5), headers })).status).toBe(422);
  });

  it('already read by an earlier middleware through c.req.json() is still fingerprinted and readable', async () => {
    const app = new Hono();
    let runs = 0;
    app.use('*', async (c, next) => {
      if (c.req.method === 'POST') await c.req.json();
      await next();
    });
    app.use('*', idempotency({ store: new MemoryStore() }));
    app.post('/echo', async (c) => c.json({ run: ++runs, got: await c.req.json() }, 201));
    const key = newKey();
    expect(await (await post(app, '/echo', { key, json: { a: 1 } })).json()).toEqual({
      run: 1,
      got: { a: 1 },
    });
    const replay = await post(app, '/echo', { key, json: { a: 1 } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await post(app, '/echo', { key, json: { a: 2 } })).status).toBe(422);
  });

  it('is not read when core does not need it: GET, no key, an opted-out route', async () => {
    const app = new Hono();
    const idem = idempotency({ store: new MemoryStore() });
    const seen: boolean[] = [];
    app.use('*', idem);
    const handler = (c: import('hono').Context) => {
      seen.push(c.req.raw.bodyUsed);
      return c.text('ok');
    };
    app.post('/open', handler);
    app.post('/out', idem.route(false), handler);
    app.get('/open', handler);
    await post(app, '/open', { json: { a: 1 } });
    await post(app, '/out', { key: newKey(), json: { a: 1 } });
    await post(app, '/open', { key: newKey(), method: 'GET' });
    expect(seen).toEqual([false, false, false]);
  });
});

describe('c.req.raw after the middleware read the body', () => {
  const read = async (
    handler: (raw: Request) => Promise<unknown>,
    init: { body: BodyInit; type: string },
  ) => {
    const app = new Hono();
    app.use('*', idempotency({ store: new MemoryStore() }));
    app.post('/raw', async (c) => c.json({ got: await handler(c.req.raw) }, 201));
    const response = await app.request('/raw', {
      method: 'POST',
      headers: { 'idempotency-key': newKey(), 'content-type': init.type },
      body: init.body,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { got: unknown }).got;
  };
  const json = { body: '{"a":1}', type: 'application/json' };

  it('serves the same bytes through bytes(), blob(), body and clone(), every time', async () => {
    expect(await read(async (raw) => [...(await raw.bytes())].length, json)).toBe(7);
    expect(await read(async (raw) => (await raw.blob()).type, json)).toBe('application/json');
    expect(await read(async (raw) => new Response(raw.body).text(), json)).toBe('{"a":1}');
    expect(
      await read(async (raw) => {
        const stream = raw.body;
        const unused = raw.bodyUsed;
        await new Response(stream).text();
        return [stream === raw.body, unused, raw.bodyUsed];
      }, json),
    ).toEqual([true, false, true]);
    expect(await read(async (raw) => [await raw.clone().json(), await raw.text()], json)).toEqual([
      { a: 1 },
      '{"a":1}',
    ]);
  });

  it('parses a form through formData() with its content type', async () => {
    const form = new URLSearchParams({ item: 'book' });
    expect(
      await read(async (raw) => (await raw.formData()).get('item'), {
        body: form.toString(),
        type: 'application/x-www-form-urlencoded',
      }),
    ).toBe('book');
  });

  it('a body with no content type reads back as a blob without one', async () => {
    const app = new Hono();
    app.use('*', idempotency({ store: new MemoryStore() }));
    app.post('/raw', async (c) =>
      c.json({ type: (await c.req.raw.blob()).type, size: (await c.req.raw.arrayBuffer()).byteLength }, 201),
    );
    const response = await app.request('/raw', {
      method: 'POST',
      headers: { 'idempotency-key': newKey(), 'content-length': '3' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(await response.json()).toEqual({ type: '', size: 3 });
  });
});
