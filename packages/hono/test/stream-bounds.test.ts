/**
 * [15.12] A response body is never held past maxBodyBytes: an endless one, a 300 MB one from a synchronous
 * producer, and a 300 MB one with a Content-Length over real HTTP (@hono/node-server) all reach the client as
 * they come, with bounded memory and no event-loop stall. Figures are printed (`[15.12] ...`).
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { countingStore, newKey, post } from './support/client.js';

const CHUNK = 64 * 1024;
const MIB = 1024 * 1024;
const LIMIT = MIB; // the default maxBodyBytes

/** A stream whose every pull makes a fresh 64 KiB chunk at once (no await), `total` bytes or endless. */
function producer(total = Number.POSITIVE_INFINITY) {
  const state = { produced: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.produced >= total) return controller.close();
      controller.enqueue(new Uint8Array(CHUNK).fill(state.produced / CHUNK));
      state.produced += CHUNK;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state };
}

/** The longest gap between ticks of a 5 ms interval while `work` runs, in ms. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  try {
    const result = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { result, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe('[15.12] bodies are never held past maxBodyBytes', () => {
  // First: RSS only grows, so a test that buffered before it would hide this one's peak.
  it('[15.12] a 300 MB body with a Content-Length streams over @hono/node-server with bounded memory, untouched', async () => {
    const store = countingStore();
    const app = new Hono();
    app.use('*', idempotency({ store }));
    const total = 300 * CHUNK * 16; // 300 MiB
    let made: ReturnType<typeof producer> | undefined;
    app.post('/file', () => {
      made = producer(total);
      return new Response(made.body, {
        headers: { 'content-length': String(total), 'content-type': 'application/octet-stream' },
      });
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakExternal = before.arrayBuffers;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakExternal = Math.max(peakExternal, now.arrayBuffers);
    }, 10);
    try {
      const { received, firstByteMs, producedAtHeaders } = await new Promise<{
        received: number;
        firstByteMs: number;
        producedAtHeaders: number;
      }>((resolve, reject) => {
        const started = performance.now();
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/file',
            method: 'POST',
            headers: { 'idempotency-key': newKey(), 'content-type': 'application/json' },
          },
          (res) => {
            const firstByteMs = performance.now() - started;
            const producedAtHeaders = made?.state.produced ?? 0;
            let received = 0;
            res.on('data', (chunk: Buffer) => {
              received += chunk.length;
            });
            res.on('end', () => resolve({ received, firstByteMs, producedAtHeaders }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
      expect(received).toBe(total);
      const rssGrowth = (peakRss - before.rss) / MIB;
      const externalGrowth = (peakExternal - before.arrayBuffers) / MIB;
      console.log(
        `[15.12] 300 MiB with Content-Length over node-server: headers after ${firstByteMs.toFixed(0)} ms (${(producedAtHeaders / MIB).toFixed(1)} MiB made by then), peak growth RSS +${rssGrowth.toFixed(0)} MiB, ArrayBuffers +${externalGrowth.toFixed(0)} MiB`,
      );
      expect(producedAtHeaders, 'the headers leave before the body is made').toBeLessThan(64 * MIB);
      expect(externalGrowth, 'never buffered (before the fix: +635 MiB)').toBeLessThan(128);
      expect(store.releases).toBe(1);
      expect(store.completes).toBe(0);
    } finally {
      clearInterval(sampler);
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);

  it('C25 [15.12] an endless stream from a synchronous producer is sent through: the client reads 4 MiB and cancels; idempo read at most maxBodyBytes first', async () => {
    const store = countingStore();
    const app = new Hono();
    app.use('*', idempotency({ store }));
    const made = producer();
    app.post(
      '/endless',
      () => new Response(made.body, { headers: { 'content-type': 'application/x-bytes' } }),
    );

    const res = await post(app, '/endless', { key: newKey(), json: {} });
    const producedBeforeResponse = made.state.produced;
    // What idempo read to decide: the limit and the chunk that passed it, plus what the stream queues ahead.
    expect(producedBeforeResponse).toBeLessThanOrEqual(LIMIT + 3 * CHUNK);
    expect(store.releases, 'passed the limit: the key is released before anything is sent').toBe(1);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let received = 0;
    let first: number | undefined;
    while (received < 4 * MIB) {
      const { value } = await reader.read();
      first ??= value?.[0];
      received += value?.length ?? 0;
    }
    await reader.cancel();
    expect(first, 'the chunks read first are sent first').toBe(0);
    expect(made.state.cancelled, 'the client cancel reaches the handler stream').toBe(true);
    expect(made.state.produced - received, 'nothing read ahead of the client').toBeLessThanOrEqual(3 * CHUNK);
    expect(store.completes).toBe(0);
    console.log(
      `[15.12] endless synchronous stream: ${(producedBeforeResponse / MIB).toFixed(2)} MiB read before the response was handed back`,
    );
  }, 20_000);

  it('[15.12] a 300 MB body from a synchronous producer: the response is handed back after at most maxBodyBytes, without an event-loop stall', async () => {
    const store = countingStore();
    const app = new Hono();
    app.use('*', idempotency({ store }));
    const made = producer(300 * 1000 * 1000);
    app.post('/big', () => new Response(made.body));
    const { result: res, stallMs } = await longestStall(() => post(app, '/big', { key: newKey(), json: {} }));
    const produced = made.state.produced;
    expect(produced).toBeLessThanOrEqual(LIMIT + 3 * CHUNK);
    expect(store.releases).toBe(1);
    let received = 0;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read())
      received += read.value.length;
    expect(received, 'the whole body reaches the client').toBe(
      300 * 1000 * 1000 + ((CHUNK - ((300 * 1000 * 1000) % CHUNK)) % CHUNK),
    );
    console.log(
      `[15.12] 300 MB synchronous producer: ${(produced / MIB).toFixed(2)} MiB read before the response, longest event-loop gap ${stallMs.toFixed(0)} ms`,
    );
  }, 60_000);
});
