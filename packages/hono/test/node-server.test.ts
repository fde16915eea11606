/**
 * Over @hono/node-server, a body at hand (text, bytes, none) is captured from its lightweight `Response` without
 * making a real one, and that `Response` is sent as it is: the client gets the bytes stored, and a replay the same
 * status, headers and bytes (C15, C20). A declared stream or a body over maxBodyBytes goes through untouched and
 * is not stored (C25, I11).
 */
import { gzipSync } from 'node:zlib';
import type { AdapterResponse } from '@idempo/testing';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { countingStore, newKey } from './support/client.js';
import { type Served, serveHono } from './support/node-server.js';

const store = countingStore();
const runs = new Map<string, number>();
const app = new Hono();
app.use('*', idempotency({ store, maxBodyBytes: 1024, replaySetCookie: true }));
const counted = (c: import('hono').Context) => {
  const n = (runs.get(c.req.path) ?? 0) + 1;
  runs.set(c.req.path, n);
  return n;
};
app.post('/json', (c) => c.json({ run: counted(c), got: 'é' }, 201, { 'x-one': '1' }));
// Lone surrogates and astral characters: a string is sent as UTF-8 (U+FFFD for a lone surrogate).
app.post('/text', (c) => c.body(`run ${counted(c)} \ud800 \u{1f600} é`, 200));
app.post('/bytes', (c) => c.body(new Uint8Array([counted(c), 0, 255, 128]), 202, { 'content-type': 'x/y' }));
app.post('/empty', (c) => {
  counted(c);
  return c.body(null, 204, { 'x-run': 'yes' });
});
app.post('/large', (c) => c.body(`${counted(c)}${'x'.repeat(2000)}`));
app.post('/events', (c) => c.body(`data: ${counted(c)}\n\n`, 200, { 'content-type': 'text/event-stream' }));
app.post('/gzip', (c) =>
  c.body(new Uint8Array(gzipSync(`zipped ${counted(c)}`)), 200, {
    'content-type': 'text/plain',
    'content-encoding': 'gzip',
  }),
);
app.post('/cookies', (c) => {
  c.header('set-cookie', 'a=1', { append: true });
  c.header('set-cookie', 'b=2', { append: true });
  return c.text(`cookies ${counted(c)}`);
});

let served: Served | undefined;
afterAll(() => served?.close());

async function twice(path: string): Promise<[AdapterResponse, AdapterResponse]> {
  served ??= await serveHono(app);
  const key = newKey();
  const request = {
    method: 'POST',
    path,
    headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    body: '{"a":1}',
  };
  const first = await served.request(request);
  const second = await served.request(request);
  return [first, second];
}

function withoutReplayMark(res: AdapterResponse) {
  const { date: _date, 'idempotent-replayed': _mark, ...headers } = res.headers;
  return { status: res.status, headers, body: [...res.body] };
}

describe('over @hono/node-server, a body at hand', () => {
  it.each([
    ['c.json()', '/json', 201],
    ['a string without a content type', '/text', 200],
    ['bytes', '/bytes', 202],
    ['no body', '/empty', 204],
    ['C22 Set-Cookie field lines', '/cookies', 200],
  ])('C15 C20 %s is replayed with the same status, headers and bytes', async (_name, path, status) => {
    const [first, replay] = await twice(path);
    expect(first.status).toBe(status);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(withoutReplayMark(replay)).toEqual(withoutReplayMark(first));
  });

  it('C15 a string is sent and stored as UTF-8, with the Content-Type @hono/node-server gives it', async () => {
    const [first, replay] = await twice('/text');
    expect(Buffer.from(first.body).toString()).toMatch(/^run \d+ \ufffd \u{1f600} é$/u);
    expect(first.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(replay.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(replay.headers['content-length']).toBe(String(first.body.length));
  });

  it('I13 a gzip body is sent as the handler made it and stored decoded', async () => {
    const [first, replay] = await twice('/gzip');
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(replay.headers['content-encoding']).toBeUndefined();
    expect(Buffer.from(replay.body).toString()).toMatch(/^zipped \d+$/);
  });

  it.each([
    ['C25 a declared stream (text/event-stream)', '/events', /^data: \d+\n\n$/],
    ['I11 a body over maxBodyBytes', '/large', /^\d+x{2000}$/],
  ])('%s is sent whole and not stored: the retry runs again', async (_name, path, body) => {
    const before = runs.get(path) ?? 0;
    const [first, second] = await twice(path);
    expect(Buffer.from(first.body).toString()).toMatch(body);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(runs.get(path)).toBe(before + 2);
  });
});

describe('over @hono/node-server, the request body the middleware read', () => {
  const reads: Record<string, (c: import('hono').Context) => Promise<unknown>> = {
    'c.req.json()': (c) => c.req.json(),
    'c.req.text()': (c) => c.req.text(),
    'c.req.arrayBuffer()': async (c) => (await c.req.arrayBuffer()).byteLength,
    'c.req.parseBody()': (c) => c.req.parseBody(),
    'c.req.raw.json()': (c) => c.req.raw.json(),
    'c.req.raw.text() twice': async (c) => [await c.req.raw.text(), await c.req.raw.text()],
    'c.req.raw.arrayBuffer()': async (c) => (await c.req.raw.arrayBuffer()).byteLength,
    'c.req.raw.bytes()': async (c) => [...(await c.req.raw.bytes())].length,
    'c.req.raw.blob()': async (c) => {
      const blob = await c.req.raw.blob();
      return [blob.type, blob.size];
    },
    'c.req.raw.formData()': async (c) => (await c.req.raw.formData()).get('item'),
    'c.req.raw.body': async (c) => {
      const raw = c.req.raw;
      const stream = raw.body;
      const before = raw.bodyUsed;
      const text = await new Response(stream).text();
      return [text, stream === raw.body, before, raw.bodyUsed];
    },
    'c.req.raw.clone()': async (c) => [await c.req.raw.clone().text(), c.req.raw instanceof Request],
    'c.req.raw url and headers': async (c) => [new URL(c.req.raw.url).pathname, c.req.raw.headers.get('x-h')],
  };
  const readApp = new Hono();
  readApp.use('*', idempotency({ store: countingStore() }));
  readApp.post('/read/:name', async (c) => {
    const read = reads[decodeURIComponent(c.req.param('name'))] as (typeof reads)[string];
    return c.json({ got: await read(c) }, 201);
  });
  let reading: Served | undefined;
  afterAll(() => reading?.close());

  const got = async (name: string, body: string, type: string) => {
    reading ??= await serveHono(readApp);
    const res = await reading.request({
      method: 'POST',
      path: `/read/${encodeURIComponent(name)}`,
      headers: { 'idempotency-key': newKey(), 'content-type': type, 'x-h': 'v' },
      body,
    });
    expect(res.status).toBe(201);
    return (JSON.parse(Buffer.from(res.body).toString()) as { got: unknown }).got;
  };

  it('I5 is readable by the handler in every way, the same bytes each time', async () => {
    const json = '{"a":1}';
    expect(await got('c.req.json()', json, 'application/json')).toEqual({ a: 1 });
    expect(await got('c.req.text()', json, 'application/json')).toBe(json);
    expect(await got('c.req.arrayBuffer()', json, 'application/json')).toBe(7);
    expect(await got('c.req.raw.json()', json, 'application/json')).toEqual({ a: 1 });
    expect(await got('c.req.raw.text() twice', json, 'application/json')).toEqual([json, json]);
    expect(await got('c.req.raw.arrayBuffer()', json, 'application/json')).toBe(7);
    expect(await got('c.req.raw.bytes()', json, 'application/json')).toBe(7);
    expect(await got('c.req.raw.blob()', json, 'application/json')).toEqual(['application/json', 7]);
    expect(await got('c.req.raw.body', json, 'application/json')).toEqual([json, true, false, true]);
    expect(await got('c.req.raw.clone()', json, 'application/json')).toEqual([json, true]);
    expect(await got('c.req.raw url and headers', json, 'application/json')).toEqual([
      '/read/c.req.raw%20url%20and%20headers',
      'v',
    ]);
  });

  it('I5 a form is readable through c.req.parseBody() and c.req.raw.formData()', async () => {
    const form = 'item=book&qty=2';
    const type = 'application/x-www-form-urlencoded';
    expect(await got('c.req.parseBody()', form, type)).toEqual({ item: 'book', qty: '2' });
    expect(await got('c.req.raw.formData()', form, type)).toBe('book');
  });
});
