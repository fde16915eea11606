/**
 * The handler's response: stored when its body ends within maxBodyBytes, passed through untouched and not
 * stored when it is declared a stream or grows past the limit (docs/behaviour.md C25, I11); replays are the
 * stored status, headers and bytes.
 */
import { describe, expect, it } from 'vitest';
import { withIdempotency } from '../src/index.js';
import { chunks, countingStore, newKey, request } from './support/client.js';

const json = { item: 'book' };

describe('response bodies', () => {
  it('C15 C20 a binary body is replayed byte for byte with its status and headers', async () => {
    const store = countingStore();
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256);
    const handler = withIdempotency(
      async () => new Response(bytes, { status: 202, headers: { 'content-type': 'image/png', etag: '"x"' } }),
      { store },
    );
    const key = newKey();
    const first = await handler(request('/bin', { key, json }));
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    const second = await handler(request('/bin', { key, json }));
    expect(second.status).toBe(202);
    expect(second.headers.get('content-type')).toBe('image/png');
    expect(second.headers.get('etag')).toBe('"x"');
    expect(second.headers.get('content-length')).toBe('70000');
    expect(Buffer.from(await second.arrayBuffer()).equals(Buffer.from(firstBytes))).toBe(true);
    expect(store.completes).toBe(1);
  });

  it('I11 a body that comes over time is forwarded as it comes and stored once it ends', async () => {
    const store = countingStore();
    let runs = 0;
    const handler = withIdempotency(
      async () => {
        runs++;
        return new Response(chunks(5, 1000, 10), { headers: { 'content-type': 'application/octet-stream' } });
      },
      { store },
    );
    const key = newKey();
    const first = await handler(request('/slow', { key, json }));
    expect(first.body).toBeInstanceOf(ReadableStream);
    expect((await first.arrayBuffer()).byteLength).toBe(5000);
    const second = await handler(request('/slow', { key, json }));
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await second.arrayBuffer()).byteLength).toBe(5000);
    expect(runs).toBe(1);
  });

  it('C25 a declared stream (text/event-stream) is passed on untouched and the key released', async () => {
    const store = countingStore();
    let runs = 0;
    const body = () => chunks(3, 10, 5);
    let sent: ReadableStream | undefined;
    const handler = withIdempotency(
      async () => {
        runs++;
        sent = body();
        return new Response(sent, { headers: { 'content-type': 'text/event-stream' } });
      },
      { store },
    );
    const key = newKey();
    const first = await handler(request('/sse', { key, json }));
    expect(first.body).toBe(sent);
    expect((await first.arrayBuffer()).byteLength).toBe(30);
    const second = await handler(request('/sse', { key, json }));
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    await second.arrayBuffer();
    expect(runs).toBe(2);
    expect(store.completes).toBe(0);
  });

  it('C25 I11 a 5 MB body reaches the client in full, is not stored, and the key is released', async () => {
    const store = countingStore();
    let runs = 0;
    const handler = withIdempotency(
      async () => {
        runs++;
        return new Response(chunks(80, 64 * 1024));
      },
      { store },
    );
    const key = newKey();
    for (let i = 0; i < 2; i++) {
      const res = await handler(request('/huge', { key, json }));
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      expect((await res.arrayBuffer()).byteLength).toBe(80 * 64 * 1024);
    }
    expect(runs).toBe(2);
    expect(store.completes).toBe(0);
    expect(store.releases).toBe(2);
  });

  it('C25 a declared Content-Length over maxBodyBytes is passed on without being read', async () => {
    const store = countingStore();
    const stream = chunks(2, 600);
    const handler = withIdempotency(
      async () => new Response(stream, { headers: { 'content-length': '1200' } }),
      {
        store,
        maxBodyBytes: 1000,
      },
    );
    const res = await handler(request('/declared', { key: newKey(), json }));
    expect(res.body).toBe(stream);
    expect(store.releases).toBe(1);
  });

  it('I11 a client that cancels an endless response stream releases the key; the retry runs again', async () => {
    const store = countingStore();
    let runs = 0;
    let cancelled = 0;
    const handler = withIdempotency(
      async () => {
        runs++;
        return new Response(
          new ReadableStream<Uint8Array>({
            async pull(controller) {
              await new Promise((resolve) => setTimeout(resolve, 2));
              controller.enqueue(new Uint8Array(100));
            },
            cancel() {
              cancelled++;
            },
          }),
        );
      },
      { store },
    );
    const key = newKey();
    const res = await handler(request('/endless', { key, json }));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel('client gone');
    expect(cancelled).toBe(1);
    const retry = await handler(request('/endless', { key, json }));
    expect(runs).toBe(2);
    await retry.body?.cancel();
  });

  it('I11 a response stream that errors releases the key; the client sees the error', async () => {
    const store = countingStore();
    const handler = withIdempotency(
      async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async pull(controller) {
              await new Promise((resolve) => setTimeout(resolve, 2));
              controller.error(new Error('upstream broke'));
            },
          }),
        ),
      { store },
    );
    const res = await handler(request('/broken', { key: newKey(), json }));
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect(store.releases).toBe(1);
  });

  it('C14 a Response.redirect (immutable headers) is stored and replayed with its Location', async () => {
    const store = countingStore();
    const handler = withIdempotency(async () => Response.redirect('https://example.com/orders/1', 303), {
      store,
    });
    const key = newKey();
    const first = await handler(request('/r', { key, json }));
    expect(first.status).toBe(303);
    const second = await handler(request('/r', { key, json }));
    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe('https://example.com/orders/1');
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('responses that cannot be read', () => {
  it('E34 a Response whose body was already read is an error and the key is released', async () => {
    const store = countingStore();
    const handler = withIdempotency(
      async () => {
        const res = new Response('used');
        await res.text();
        return res;
      },
      { store },
    );
    await expect(handler(request('/used', { key: newKey(), json }))).rejects.toThrow();
    expect(store.releases).toBe(1);
  });
});
