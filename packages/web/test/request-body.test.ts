/**
 * The request body: idempo reads a clone, bounded by maxRequestBodyBytes; the handler gets the Request itself
 * with every byte still readable in every way (docs/behaviour.md I5, I10, J6).
 */
import { MemoryStore } from '@idempo/core';
import { multipartBody } from '@idempo/testing';
import { describe, expect, it } from 'vitest';
import { withIdempotency } from '../src/index.js';
import { chunks, newKey, problem, request } from './support/client.js';

const store = new MemoryStore();

describe('request bodies', () => {
  it('I5 the handler reads request.body as a stream itself and gets every byte; the retry replays', async () => {
    let runs = 0;
    const handler = withIdempotency(
      async (req: Request) => {
        runs++;
        let total = 0;
        let sum = 0;
        const reader = (req.body as ReadableStream<Uint8Array>).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.length;
          for (const b of value) sum += b;
        }
        return Response.json({ total, sum, used: req.bodyUsed });
      },
      { store },
    );
    const key = newKey();
    const send = () =>
      handler(
        request('/up', {
          key,
          body: chunks(8, 4096, 1),
          headers: { 'content-type': 'application/octet-stream' },
        }),
      );
    const first = await send();
    const expected = { total: 8 * 4096, sum: 4096 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8), used: true };
    expect(await first.json()).toEqual(expected);
    const second = await send();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(expected);
    expect(runs).toBe(1);
    // Other bytes under the same key: the fingerprint saw the bytes the handler consumes.
    const other = await handler(request('/up', { key, body: chunks(7, 4096) }));
    expect(other.status).toBe(422);
  });

  it('D26 I5 bytes the handler would read differently under the same key are a 422', async () => {
    const handler = withIdempotency(async (req: Request) => new Response(await req.arrayBuffer()), { store });
    const key = newKey();
    expect((await handler(request('/b', { key, body: new Uint8Array([1, 2, 3]) }))).status).toBe(200);
    const mismatch = await handler(request('/b', { key, body: new Uint8Array([1, 2, 4]) }));
    expect((await problem(mismatch)).status).toBe(422);
  });

  it('I5 json, text, arrayBuffer, blob, formData, clone and the body stream all work after idempo read it', async () => {
    const json = { a: 1, b: [true, null] };
    const readers: Record<string, (req: Request) => Promise<unknown>> = {
      json: (req) => req.json(),
      text: async (req) => JSON.parse(await req.text()),
      arrayBuffer: async (req) => JSON.parse(new TextDecoder().decode(await req.arrayBuffer())),
      blob: async (req) => JSON.parse(await (await req.blob()).text()),
      clone: (req) => req.clone().json(),
      stream: (req) => new Response(req.body).json(),
    };
    for (const [name, read] of Object.entries(readers)) {
      const handler = withIdempotency(async (req: Request) => Response.json(await read(req)), { store });
      const res = await handler(request('/r', { key: newKey(), json }));
      expect(await res.json(), name).toEqual(json);
    }
    const form = multipartBody('web-boundary-1', [
      { name: 'note', value: 'hello' },
      {
        name: 'file',
        filename: 'f.bin',
        type: 'application/octet-stream',
        bytes: new Uint8Array(5000).fill(9),
      },
    ]);
    const handler = withIdempotency(
      async (req: Request) => {
        const data = await req.formData();
        return Response.json({ note: data.get('note'), size: (data.get('file') as File).size });
      },
      { store },
    );
    const res = await handler(
      request('/f', {
        key: newKey(),
        body: form.bytes as Uint8Array<ArrayBuffer>,
        headers: { 'content-type': form.contentType },
      }),
    );
    expect(await res.json()).toEqual({ note: 'hello', size: 5000 });
  });

  it('I10 [15.11] a chunked 200 MB upload is a 413 problem+json after reading about maxRequestBodyBytes; nothing is reserved', async () => {
    let runs = 0;
    const handler = withIdempotency(
      async (req: Request) => {
        runs++;
        return new Response(`${(await req.arrayBuffer()).byteLength}`);
      },
      { store },
    );
    const key = newKey();
    const upload = chunks(200 * 16, 64 * 1024);
    const res = await handler(request('/big', { key, body: upload }));
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe('request_too_large');
    expect(upload.pulled()).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(runs).toBe(0);
    // Nothing was reserved: the same key with a body within the limit runs.
    const retry = await handler(request('/big', { key, body: new Uint8Array(10) }));
    expect(await retry.text()).toBe('10');
    expect(runs).toBe(1);
  });

  it('I10 a declared Content-Length of 200 MB is a 413 before one byte is read', async () => {
    const handler = withIdempotency(async () => new Response('ran'), { store });
    const upload = chunks(200 * 16, 64 * 1024);
    const req = request('/big', {
      key: newKey(),
      body: upload,
      headers: { 'content-length': String(200 * 1024 * 1024) },
    });
    const res = await handler(req);
    expect(res.status).toBe(413);
    // The stream itself fills its queue with one chunk when it is made; idempo reads none.
    expect(upload.pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it('J6 a body read before idempo is a 500 unreadable_body; nothing runs', async () => {
    let runs = 0;
    const handler = withIdempotency(
      async () => {
        runs++;
        return new Response('ran');
      },
      { store },
    );
    const req = request('/used', { key: newKey(), json: { a: 1 } });
    await req.text();
    const res = await handler(req);
    expect(res.status).toBe(500);
    expect((await problem(res)).code).toBe('unreadable_body');
    expect(runs).toBe(0);
  });

  it('B12 a request without a key is never read by idempo: the handler gets the original stream', async () => {
    const handler = withIdempotency(async (req: Request) => new Response(req.body), { store });
    const body = chunks(3, 10);
    const res = await handler(request('/nokey', { body }));
    expect((await res.arrayBuffer()).byteLength).toBe(30);
  });
});

describe('request framing', () => {
  it('C14 a Content-Length of 0 with a key is an empty body, fingerprinted as none', async () => {
    const handler = withIdempotency(
      async (req: Request) => new Response(`${(await req.arrayBuffer()).byteLength}`),
      {
        store,
      },
    );
    const key = newKey();
    const res = await handler(request('/zero', { key, body: '', headers: { 'content-length': '0' } }));
    expect(await res.text()).toBe('0');
    const replay = await handler(request('/zero', { key }));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('I10 a Transfer-Encoding header means a body of unknown length: read up to the limit', async () => {
    const handler = withIdempotency(async () => new Response('ran'), { store, maxRequestBodyBytes: 1000 });
    const res = await handler(
      request('/te', {
        key: newKey(),
        body: chunks(4, 400),
        headers: { 'transfer-encoding': 'chunked', 'content-length': '10' },
      }),
    );
    expect(res.status).toBe(413);
  });
});
