/**
 * `maxRequestBodyBytes` (issue 15 item 11): a keyed body over the limit is answered 413 problem+json before
 * Fastify's parser reads it and before anything is reserved, whatever the route's `bodyLimit`; a route core does
 * not cover gets the whole body as usual. Over real HTTP, a 200 MB keyed upload costs about the limit in memory.
 */
import { Agent, request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const MiB = 1024 * 1024;

/** A MemoryStore that counts reservations. */
function countingStore(): { store: IdempotencyStore; reserves: () => number } {
  const inner = new MemoryStore();
  let reserves = 0;
  const store: IdempotencyStore = {
    reserve: (...args) => {
      reserves++;
      return inner.reserve(...args);
    },
    complete: (...args) => inner.complete(...args),
    release: (...args) => inner.release(...args),
    extend: (...args) => inner.extend(...args),
  };
  return { store, reserves: () => reserves };
}

/** An app whose routes take raw bytes up to 300 MB (Fastify's bodyLimit raised), counting parser calls. */
async function bigBodyApp(store: IdempotencyStore) {
  const instance = Fastify({ bodyLimit: 300 * MiB });
  await instance.register(idempotency, { store });
  let parsed = 0;
  let handled = 0;
  instance.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => {
    parsed++;
    done(null, body);
  });
  instance.addContentTypeParser('application/x-upload', (_request, _payload, done) => done(null));
  const answer = async (request: { raw: AsyncIterable<unknown>; body: unknown }, streamed: boolean) => {
    handled++;
    let size = 0;
    if (streamed) for await (const chunk of request.raw) size += (chunk as Buffer).length;
    else size = (request.body as Buffer).length;
    return { size };
  };
  instance.post('/files', async (request) => answer(request, false));
  instance.post('/streamed', async (request) => answer(request, true));
  instance.put('/files', async (request) => answer(request, false));
  instance.put('/streamed', async (request) => answer(request, true));
  return { instance, parsed: () => parsed, handled: () => handled };
}

/** `size` bytes in 64 KiB chunks, with no Content-Length (chunked): only reading them tells how long it is. */
function chunked(size: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

describe('keyed bodies over maxRequestBodyBytes', () => {
  it('H47 [15.11] a keyed body over the limit is a 413 problem+json before the parser reads it and before anything is reserved; without a key, on a method the route does not cover or on a route opted out, the body reaches its reader whole', async () => {
    const { store, reserves } = countingStore();
    const big = await bigBodyApp(store);
    app = big.instance;
    const send = (url: string, headers: Record<string, string>, payload: Readable | Buffer) =>
      big.instance.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/octet-stream', ...headers },
        payload,
      });
    for (const [what, payload] of [
      ['declared (Content-Length)', Buffer.alloc(2 * MiB, 1)],
      ['read (chunked)', chunked(2 * MiB)],
    ] as const) {
      const tooLarge = await send('/files', { 'idempotency-key': 'k' }, payload);
      expect(tooLarge.statusCode, what).toBe(413);
      expect(tooLarge.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(tooLarge.json()).toMatchObject({ status: 413, code: 'request_too_large' });
      expect(big.parsed(), `${what}: the parser never read the body`).toBe(0);
    }
    const streamed = await big.instance.inject({
      method: 'POST',
      url: '/streamed',
      headers: { 'content-type': 'application/x-upload', 'idempotency-key': 'k' },
      payload: chunked(2 * MiB),
    });
    expect(streamed.statusCode, 'a body the handler reads itself').toBe(413);
    expect(big.handled()).toBe(0);
    expect(reserves(), 'nothing was reserved').toBe(0);

    const unkeyed = await send('/files', {}, chunked(2 * MiB));
    expect(unkeyed.json(), 'without a key the body is none of idempo’s business').toEqual({ size: 2 * MiB });
    const fits = await send('/files', { 'idempotency-key': 'k' }, chunked(MiB));
    expect(fits.json(), 'exactly the limit is allowed').toEqual({ size: MiB });
    expect(reserves()).toBe(1);

    const put = await big.instance.inject({
      method: 'PUT',
      url: '/files',
      headers: { 'content-type': 'application/octet-stream', 'idempotency-key': 'k' },
      payload: chunked(3 * MiB + 5),
    });
    expect(put.json(), 'the parser got it whole').toEqual({ size: 3 * MiB + 5 });
    const putStreamed = await big.instance.inject({
      method: 'PUT',
      url: '/streamed',
      headers: { 'content-type': 'application/x-upload', 'idempotency-key': 'k' },
      payload: chunked(3 * MiB + 5),
    });
    expect(putStreamed.json(), 'a request.raw reader got it whole').toEqual({ size: 3 * MiB + 5 });
    const instance = Fastify();
    await instance.register(idempotency, { store, maxRequestBodyBytes: 64 * 1024 });
    instance.addContentTypeParser('application/x-upload', (_request, _payload, done) => done(null));
    let size = 0;
    instance.post('/off', { config: { idempotency: false } }, async (request) => {
      for await (const chunk of request.raw) size += (chunk as Buffer).length;
      return { size };
    });
    await instance.ready();
    const off = await instance.inject({
      method: 'POST',
      url: '/off',
      headers: { 'content-type': 'application/x-upload', 'idempotency-key': 'k' },
      payload: chunked(MiB),
    });
    await instance.close();
    expect(off.json(), 'a route opted out reads its body as usual').toEqual({ size: MiB });
    expect(reserves(), 'neither reserved anything').toBe(1);
  });
});

/** Sends `size` bytes chunked over real HTTP to `port`, sampling this process's RSS; resolves with the peak growth. */
async function uploadOverHttp(port: number, path: string, contentType: string, size: number) {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const status = await new Promise<number>((resolve, reject) => {
      let answered = false;
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: {
            'content-type': contentType,
            'idempotency-key': '"big"',
            'transfer-encoding': 'chunked',
          },
        },
        (response) => {
          answered = true;
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      // The server answers early and closes the connection: the rest of the upload fails to be written (EPIPE).
      request.on('error', (error) => {
        if (!answered) reject(error);
      });
      chunked(size).pipe(request);
    });
    return { status, growthMiB: (peak - baseline) / MiB };
  } finally {
    clearInterval(sampler);
  }
}

describe('over real HTTP', () => {
  it('[15.11] a keyed body over the limit that nobody reads (a route core does not cover) is discarded after the answer: the kept-alive connection takes the next request', async () => {
    const instance = Fastify();
    app = instance;
    await instance.register(idempotency, { store: new MemoryStore() });
    instance.addContentTypeParser('application/x-upload', (_request, _payload, done) => done(null));
    // PUT is not covered; the handler answers without reading the upload, as a handler that refuses it may.
    instance.put('/ignored', async () => ({ ignored: true }));
    await instance.listen({ host: '127.0.0.1', port: 0 });
    const address = instance.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const put = () =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const request = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/ignored',
            method: 'PUT',
            agent,
            timeout: 5_000,
            headers: {
              'content-type': 'application/x-upload',
              'idempotency-key': '"k"',
              'transfer-encoding': 'chunked',
            },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve({ status: response.statusCode ?? 0, socket: request.socket }));
          },
        );
        request.on('timeout', () => request.destroy(new Error('no answer: the connection is stuck')));
        request.on('error', reject);
        // Chunked: idempo reads up to the limit before it knows the body is longer.
        chunked(3 * MiB).pipe(request);
      });
    try {
      const first = await put();
      const second = await put();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.socket, 'the same connection').toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });
});

describe('memory', () => {
  it('H47 [15.11] a 200 MB keyed upload to routes with a 300 MB bodyLimit is a 413 that costs about the limit in memory, not the body', async () => {
    const big = await bigBodyApp(new MemoryStore());
    app = big.instance;
    await big.instance.listen({ host: '127.0.0.1', port: 0 });
    const address = big.instance.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    for (const [path, type] of [
      ['/files', 'application/octet-stream'],
      ['/streamed', 'application/x-upload'],
    ] as const) {
      const { status, growthMiB } = await uploadOverHttp(port, path, type, 200 * MiB);
      console.info(
        `[15.11] 200 MB keyed upload to ${path}: ${status}, RSS grew by ${growthMiB.toFixed(1)} MiB`,
      );
      expect(status).toBe(413);
      // The limit is 1 MiB; the margin is for the sockets, the client side and GC timing, far under the body.
      expect(growthMiB, `${path}: RSS growth in MiB`).toBeLessThan(48);
    }
    expect(big.parsed()).toBe(0);
    expect(big.handled()).toBe(0);
  }, 120_000);
});
