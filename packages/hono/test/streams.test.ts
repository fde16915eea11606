/**
 * Response bodies: a declared stream is passed on untouched and never stored; any other body is stored when it
 * ends within maxBodyBytes (whenever its chunks come), and never held past that limit.
 */
import { MemoryStore } from '@idempo/core';
import { Hono } from 'hono';
import { stream, streamSSE, streamText } from 'hono/streaming';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { countingStore, newKey, post } from './support/client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const encoder = new TextEncoder();

/** A stream of `parts`, `delayMs` apart (the first at once). */
function slowStream(parts: readonly string[], delayMs: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    async pull(controller) {
      if (i > 0) await sleep(delayMs);
      if (i === parts.length) return controller.close();
      controller.enqueue(encoder.encode(parts[i++]));
    },
  });
}

function appWith(store = countingStore(), maxBodyBytes?: number) {
  const app = new Hono();
  let runs = 0;
  app.use('*', idempotency({ store, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) }));
  return { app, store, run: () => ++runs };
}

async function expectStreamedTwice(app: Hono, path: string, expected: (run: number) => string) {
  const key = newKey();
  for (const run of [1, 2]) {
    const res = await post(app, path, { key, json: {} });
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(await res.text()).toBe(expected(run));
  }
}

describe('declared streams are sent as they come and never stored', () => {
  it('streamText()', async () => {
    const { app, store, run } = appWith();
    app.post('/s', (c) =>
      streamText(c, async (s) => {
        const n = run();
        for (const part of ['a', 'b', 'c']) {
          await s.write(`${part}${n}`);
          await s.sleep(5);
        }
      }),
    );
    await expectStreamedTwice(app, '/s', (n) => `a${n}b${n}c${n}`);
    expect(store.completes).toBe(0);
    expect(store.releases).toBe(2);
  });

  it('streamSSE()', async () => {
    const { app, store, run } = appWith();
    app.post('/sse', (c) =>
      streamSSE(c, async (s) => {
        const n = run();
        await s.sleep(5);
        await s.writeSSE({ data: `run ${n}` });
      }),
    );
    await expectStreamedTwice(app, '/sse', (n) => `data: run ${n}\n\n`);
    expect(store.releases).toBe(2);
  });

  it('a response with Transfer-Encoding is a stream even when it is short', async () => {
    const { app, store } = appWith();
    app.post('/chunked', (c) => c.text('short', 200, { 'transfer-encoding': 'chunked' }));
    const res = await post(app, '/chunked', { key: newKey(), json: {} });
    expect(await res.text()).toBe('short');
    expect(store.completes).toBe(0);
    expect(store.releases).toBe(1);
  });

  it('a text/event-stream body without Transfer-Encoding is a stream too: an endless one flows', async () => {
    const { app, store } = appWith();
    let cancelled = false;
    app.post('/events', () => {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (i > 0) await sleep(5);
          controller.enqueue(encoder.encode(`data: ${i++}\n\n`));
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
    });
    const res = await post(app, '/events', { key: newKey(), json: {} });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 0\n\n');
    await reader.cancel();
    expect(cancelled).toBe(true);
    expect(store.releases).toBe(1);
  });
});

describe('[15.12] any other body is stored when it ends within maxBodyBytes, whenever its chunks come', () => {
  it('C15 [15.12] stream() and a raw `new Response(stream)` whose chunks come over time are stored and replayed byte for byte', async () => {
    const { app, store, run } = appWith();
    app.post('/helper', (c) =>
      stream(c, async (s) => {
        const n = run();
        await s.write(`early ${n},`);
        await s.sleep(100);
        await s.write(` late ${n}`);
      }),
    );
    app.post('/raw', () => {
      const n = run();
      return new Response(slowStream([`one ${n},`, ` two ${n},`, ` three ${n}`], 50), {
        status: 202,
        headers: { 'x-kind': 'raw', 'content-type': 'text/plain' },
      });
    });
    for (const [path, text] of [
      ['/helper', 'early 1, late 1'],
      ['/raw', 'one 2, two 2, three 2'],
    ] as const) {
      const key = newKey();
      const first = await post(app, path, { key, json: {} });
      const firstBytes = new Uint8Array(await first.arrayBuffer());
      expect(new TextDecoder().decode(firstBytes)).toBe(text);
      const replay = await post(app, path, { key, json: {} });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.status).toBe(first.status);
      expect(new Uint8Array(await replay.arrayBuffer())).toEqual(firstBytes);
    }
    expect(store.completes).toBe(2);
    expect(store.releases).toBe(0);
  });

  it('C15 [15.12] its end reaches the client only once the record is stored: a retry right after it is a replay', async () => {
    const { app } = appWith();
    let runs = 0;
    app.post('/slow', () => {
      runs++;
      return new Response(slowStream(['a', 'b'], 30));
    });
    const key = newKey();
    const first = await post(app, '/slow', { key, json: {} });
    expect(await first.text()).toBe('ab');
    const retry = await post(app, '/slow', { key, json: {} });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(1);
  });

  it('C25 [15.12] a stream that passes maxBodyBytes reaches the client in full and releases the key as soon as it passes', async () => {
    const { app, store, run } = appWith(countingStore(), 1000);
    const releasedAt: number[] = [];
    app.post('/long', () => {
      const n = run();
      let i = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (i > 0) await sleep(10);
            if (i === 6) return controller.close();
            if (i === 3) releasedAt.push(store.releases);
            controller.enqueue(new Uint8Array(400).fill(n * 10 + i++));
          },
        }),
      );
    });
    const key = newKey();
    for (const n of [1, 2]) {
      const body = new Uint8Array(await (await post(app, '/long', { key, json: {} })).arrayBuffer());
      expect(body.length).toBe(2400);
      expect(body[0]).toBe(n * 10);
      expect(body[2399]).toBe(n * 10 + 5);
    }
    // The third chunk (1200 bytes in all) passed the limit: the key was released before the fourth was made.
    expect(releasedAt).toEqual([1, 2]);
    expect(store.completes).toBe(0);
  });

  it('[15.12] a client that cancels a body forwarded as it comes cancels the handler stream and releases the key', async () => {
    const { app, store } = appWith();
    let cancelled: unknown;
    app.post('/endless', () => {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (i > 0) await sleep(5);
          controller.enqueue(encoder.encode(`tick ${i++}\n`));
        },
        cancel(reason) {
          cancelled = reason;
        },
      });
      return new Response(body);
    });
    const res = await post(app, '/endless', { key: newKey(), json: {} });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('tick 0\n');
    await reader.cancel('client gone');
    expect(cancelled).toBe('client gone');
    expect(store.releases).toBe(1);
    expect(store.completes).toBe(0);
  });

  it('a stream that is complete at once (one chunk, then closed) is stored like bytes', async () => {
    const { app, store, run } = appWith();
    app.post('/once', (c) => {
      const n = run();
      return c.body(
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode(`all ${n}`));
            controller.close();
          },
        }),
      );
    });
    const key = newKey();
    expect(await (await post(app, '/once', { key, json: {} })).text()).toBe('all 1');
    const replay = await post(app, '/once', { key, json: {} });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe('all 1');
    expect(store.completes).toBe(1);
  });

  it('a body with a Content-Length is read to its end even when it arrives slowly (a proxied response)', async () => {
    const { app, store, run } = appWith();
    app.post('/proxy', () => {
      const n = run();
      const parts = [`p${n}-`, 'slow-', 'body'];
      const length = parts.reduce((sum, p) => sum + p.length, 0);
      return new Response(slowStream(parts, 10), {
        status: 201,
        headers: { 'content-length': String(length), 'content-type': 'text/plain' },
      });
    });
    const key = newKey();
    const first = await post(app, '/proxy', { key, json: {} });
    expect(first.status).toBe(201);
    expect(await first.text()).toBe('p1-slow-body');
    const replay = await post(app, '/proxy', { key, json: {} });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('content-length')).toBe('12');
    expect(await replay.text()).toBe('p1-slow-body');
    expect(store.completes).toBe(1);
  });

  it('a stream that errors is not stored: the key is released and the client sees the error', async () => {
    const { app, store } = appWith();
    app.post('/broken', () => {
      let i = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (i++ === 0) return controller.enqueue(encoder.encode('part'));
            await sleep(5);
            controller.error(new Error('upstream failed'));
          },
        }),
      );
    });
    const res = await post(app, '/broken', { key: newKey(), json: {} });
    await expect(res.text()).rejects.toThrow();
    expect(store.releases).toBe(1);
    expect(store.completes).toBe(0);
  });

  it('a 204 without a body is stored and replayed without one', async () => {
    const store = new MemoryStore();
    const app = new Hono();
    app.use('*', idempotency({ store }));
    app.post('/empty', (c) => c.body(null, 204, { etag: '"e"' }));
    const key = newKey();
    expect((await post(app, '/empty', { key, json: {} })).status).toBe(204);
    const replay = await post(app, '/empty', { key, json: {} });
    expect(replay.status).toBe(204);
    expect(replay.headers.get('etag')).toBe('"e"');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toBeNull();
  });
});
