/**
 * The raw body: the fingerprint sees the bytes as sent while Fastify's parsers (JSON, text, buffer,
 * urlencoded) still hand the handler its parsed body; requests without a key keep Fastify's own stream.
 */
import { createGunzip, gzipSync } from 'node:zlib';
import { MemoryStore } from '@idempo/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance;
afterEach(() => app?.close());

/** An app whose POST /echo answers what the handler was given, and counts its executions. */
async function echoApp(): Promise<{ app: FastifyInstance; runs: () => number; streams: unknown[] }> {
  const instance = Fastify();
  await instance.register(idempotency, { store: new MemoryStore() });
  instance.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_r, body, done) =>
    done(null, body),
  );
  instance.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  const streams: unknown[] = [];
  const originals = new WeakMap<object, unknown>();
  instance.addHook('onRequest', async (request) => {
    originals.set(request, request.raw);
  });
  instance.addHook('preParsing', async (request, _reply, payload) => {
    streams.push(payload === originals.get(request) ? 'raw' : 'replay');
  });
  let count = 0;
  instance.post('/echo', async (request) => {
    count++;
    const { body } = request;
    return {
      type: Buffer.isBuffer(body) ? 'buffer' : typeof body,
      body: Buffer.isBuffer(body) ? [...body] : body,
    };
  });
  await instance.ready();
  return { app: instance, runs: () => count, streams };
}

function post(
  target: FastifyInstance,
  key: string | undefined,
  contentType: string,
  payload: string | Buffer,
) {
  return target.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': contentType, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload,
  });
}

describe('body parsers and the raw body', () => {
  const cases: [string, string | Buffer, unknown, string | Buffer][] = [
    ['application/json', '{"a":1,"b":[true]}', { type: 'object', body: { a: 1, b: [true] } }, '{"a":2}'],
    ['text/plain', 'hello', { type: 'string', body: 'hello' }, 'hello!'],
    [
      'application/octet-stream',
      Buffer.from([0, 255, 1]),
      { type: 'buffer', body: [0, 255, 1] },
      Buffer.from([0]),
    ],
    ['application/x-www-form-urlencoded', 'a=1&b=2', { type: 'object', body: { a: '1', b: '2' } }, 'a=1&b=3'],
  ];
  for (const [contentType, payload, parsed, other] of cases) {
    it(`${contentType}: the handler gets the parsed body, a retry replays, other bytes are a 422`, async () => {
      const echo = await echoApp();
      app = echo.app;
      const first = await post(app, 'k1', contentType, payload);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual(parsed);
      const replay = await post(app, 'k1', contentType, payload);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.rawPayload.equals(first.rawPayload)).toBe(true);
      expect((await post(app, 'k1', contentType, other)).statusCode).toBe(422);
      expect(echo.runs()).toBe(1);
      expect(echo.streams).toEqual(['replay', 'replay', 'replay']);
    });
  }

  it('JSON is fingerprinted canonically: the same object with its keys in another order replays', async () => {
    const echo = await echoApp();
    app = echo.app;
    const first = await post(app, 'k', 'application/json', '{"a":1,"b":2}');
    const retry = await post(app, 'k', 'application/json', '{ "b": 2, "a": 1 }');
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.rawPayload.equals(first.rawPayload)).toBe(true);
  });

  it('a body in many chunks is fingerprinted whole', async () => {
    const echo = await echoApp();
    app = echo.app;
    const big = Buffer.alloc(256 * 1024, 7);
    const first = await post(app, 'k', 'application/octet-stream', big);
    expect(first.statusCode).toBe(200);
    big[big.length - 1] = 8;
    expect((await post(app, 'k', 'application/octet-stream', big)).statusCode).toBe(422);
  });

  it('requests without a key (and GETs) keep the raw request stream: nothing is copied', async () => {
    const echo = await echoApp();
    app = echo.app;
    expect((await post(app, undefined, 'application/json', '{"a":1}')).json()).toEqual({
      type: 'object',
      body: { a: 1 },
    });
    expect((await post(app, undefined, 'text/plain', 'x')).statusCode).toBe(200);
    expect(echo.streams).toEqual(['raw', 'raw']);
    expect(echo.runs()).toBe(2);
  });

  it('an earlier preParsing stream (a decompressor) is fingerprinted decompressed; its length checks still hold', async () => {
    const instance = Fastify();
    instance.addHook('preParsing', async (request, _reply, payload) => {
      if (request.headers['content-encoding'] !== 'gzip') return payload;
      let received = 0;
      payload.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      const gunzip = payload.pipe(createGunzip());
      return Object.defineProperty(gunzip, 'receivedEncodedLength', { get: () => received });
    });
    await instance.register(idempotency, { store: new MemoryStore() });
    let n = 0;
    instance.post('/echo', async (request) => ({ n: ++n, body: request.body }));
    app = instance;
    const send = (payload: Buffer, gzip: boolean) =>
      instance.inject({
        method: 'POST',
        url: '/echo',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': 'z',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        },
        payload,
      });
    const json = Buffer.from('{"item":"book"}');
    const first = await send(gzipSync(json), true);
    expect(first.json()).toEqual({ n: 1, body: { item: 'book' } });
    const plain = await send(json, false);
    expect(
      plain.headers['idempotent-replayed'],
      'the same body, sent uncompressed, is the same request',
    ).toBe('true');
  });

  it("Fastify's body limit and content-length checks still apply to keyed requests", async () => {
    const instance = Fastify({ bodyLimit: 10 });
    await instance.register(idempotency, { store: new MemoryStore() });
    instance.post('/echo', async (request) => request.body);
    app = instance;
    const tooLarge = await instance.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/plain', 'idempotency-key': 'k' },
      payload: 'x'.repeat(100),
    });
    expect(tooLarge.statusCode).toBe(413);
    const fits = await instance.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/plain', 'idempotency-key': 'k' },
      payload: 'x',
    });
    expect(fits.statusCode).toBe(200);
  });
});
