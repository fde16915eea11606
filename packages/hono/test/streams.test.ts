/**
 * Response bodies: what can be had at once is stored byte for byte; what streams is passed on untouched, never
 * buffered, and the key released.
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

function appWith(store = countingStore()) {
  const app = new Hono();
  let runs = 0;
  app.use('*', idempotency({ store }));
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

describe('streamed responses are sent as they come and never stored', () => {
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

  it('stream() and a raw `new Response(stream)` whose chunks come over time', async () => {
    const { app, store, run } = appWith();
    app.post('/helper', (c) =>
      stream(c, async (s) => {
        const n = run();
        await s.sleep(100);
        await s.write(`late ${n}`);
      }),
    );
    app.post('/raw', () => {
      const n = run();
      return new Response(slowStream([`one ${n},`, ` two ${n}`], 100), { headers: { 'x-kind': 'raw' } });
    });
    await expectStreamedTwice(app, '/helper', (n) => `late ${n}`);
    await expectStreamedTwice(app, '/raw', (n) => `one ${n + 2}, two ${n + 2}`);
    expect(store.completes).toBe(0);
    expect(store.releases).toBe(4);
  });

  it('an endless stream is not read by idempo: the client gets the first chunk and can cancel', async () => {
    const { app, store } = appWith();
    let cancelled = false;
    app.post('/endless', () => {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (i > 0) await sleep(5);
          controller.enqueue(encoder.encode(`tick ${i++}\n`));
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(body);
    });
    const res = await post(app, '/endless', { key: newKey(), json: {} });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('tick 0\n');
    await reader.cancel();
    expect(cancelled).toBe(true);
    expect(store.releases).toBe(1);
  });
});

describe('bodies that can be had at once are stored', () => {
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

  it('a response with Transfer-Encoding is a stream even when it is short', async () => {
    const { app, store } = appWith();
    app.post('/chunked', (c) => c.text('short', 200, { 'transfer-encoding': 'chunked' }));
    const res = await post(app, '/chunked', { key: newKey(), json: {} });
    expect(await res.text()).toBe('short');
    expect(store.completes).toBe(0);
    expect(store.releases).toBe(1);
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
