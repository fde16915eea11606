/**
 * Keyed request bodies: read at most maxRequestBodyBytes [15.11], with or without a Content-Length, through the
 * Web Request (`app.request`) and over @hono/node-server; multipart uploads reach core as raw bytes with their
 * Content-Type and stay readable by the handler [15.9]. Figures are printed (`[15.11] ...`).
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { MemoryStore } from '@idempo/core';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { countingStore, newKey, post } from './support/client.js';

const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** An upload of `total` bytes (or endless) in 64 KiB chunks, counting what was pulled from it. */
function upload(total = Number.POSITIVE_INFINITY) {
  const state = { pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= total) return controller.close();
      controller.enqueue(new Uint8Array(CHUNK).fill(7));
      state.pulled += CHUNK;
    },
  });
  return { body, state };
}

function uploadApp(store = countingStore()) {
  const app = new Hono();
  let runs = 0;
  app.use('*', idempotency({ store }));
  app.post('/uploads', async (c) =>
    c.json({ run: ++runs, size: (await c.req.arrayBuffer()).byteLength }, 201),
  );
  return { app, store, runs: () => runs };
}

describe('[15.11] keyed request bodies are read up to maxRequestBodyBytes', () => {
  it('H47 [15.11] a chunked upload without Content-Length (Web Request) is a 413 after at most the limit was read', async () => {
    const { app, store, runs } = uploadApp();
    const source = upload(8 * MIB);
    const res = await app.request('/uploads', {
      method: 'POST',
      headers: { 'idempotency-key': newKey(), 'content-type': 'application/octet-stream' },
      body: source.body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code?: string }).code).toBe('request_too_large');
    expect(source.state.pulled, 'read up to the limit (1 MiB) and one chunk more').toBeLessThanOrEqual(
      MIB + 3 * CHUNK,
    );
    expect(runs()).toBe(0);
    expect(store.completes + store.releases).toBe(0);
  });

  it('H47 [15.11] an endless chunked upload (Web Request) is a 413, not a hang', async () => {
    const { app, runs } = uploadApp();
    const source = upload();
    const res = await app.request('/uploads', {
      method: 'POST',
      headers: { 'idempotency-key': newKey() },
      body: source.body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(source.state.pulled).toBeLessThanOrEqual(MIB + 3 * CHUNK);
    expect(runs()).toBe(0);
  }, 20_000);

  it('[15.11] a chunked upload within the limit is read whole, fingerprinted and replayed; the handler reads it', async () => {
    const { app, runs } = uploadApp();
    const key = newKey();
    const send = () =>
      app.request('/uploads', {
        method: 'POST',
        headers: { 'idempotency-key': key },
        body: upload(MIB).body,
        duplex: 'half',
      } as RequestInit);
    expect(await (await send()).json()).toEqual({ run: 1, size: MIB });
    const replay = await send();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(runs()).toBe(1);
  });

  it('H47 [15.11] a 200 MB chunked keyed upload over @hono/node-server is a 413 after about the limit, with bounded memory', async () => {
    const { app, runs } = uploadApp();
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const total = 200 * 1000 * 1000;
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakExternal = before.arrayBuffers;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakExternal = Math.max(peakExternal, now.arrayBuffers);
    }, 10);
    try {
      const { status, written } = await new Promise<{ status: number; written: number }>(
        (resolve, reject) => {
          let written = 0;
          let answered = false;
          const req = httpRequest({
            host: '127.0.0.1',
            port,
            path: '/uploads',
            method: 'POST',
            headers: { 'idempotency-key': newKey(), 'content-type': 'application/octet-stream' },
          });
          req.on('response', (res) => {
            answered = true;
            res.resume();
            res.on('end', () => {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, written });
            });
          });
          req.on('error', (error) => (answered ? undefined : reject(error)));
          const chunk = Buffer.alloc(CHUNK, 7);
          const pump = () => {
            while (!answered && written < total) {
              written += CHUNK;
              if (!req.write(chunk)) return void req.once('drain', pump);
            }
            if (!answered) req.end();
          };
          pump();
        },
      );
      expect(status).toBe(413);
      expect(runs()).toBe(0);
      const rssGrowth = (peakRss - before.rss) / MIB;
      const externalGrowth = (peakExternal - before.arrayBuffers) / MIB;
      console.log(
        `[15.11] 200 MB chunked keyed upload over node-server: 413 after the client wrote ${(written / MIB).toFixed(1)} MiB, peak growth RSS +${rssGrowth.toFixed(0)} MiB, ArrayBuffers +${externalGrowth.toFixed(0)} MiB`,
      );
      expect(written, 'the 413 came long before the upload ended').toBeLessThan(64 * MIB);
      expect(externalGrowth).toBeLessThan(128);
    } finally {
      clearInterval(sampler);
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});

describe('[15.9] multipart uploads', () => {
  /** A form with a field and a file; fetch draws a new boundary for each request. */
  const form = (file = 'file bytes \u0000\u00ff') => {
    const data = new FormData();
    data.append('title', 'report');
    data.append('upload', new Blob([file], { type: 'text/plain' }), 'report.txt');
    return data;
  };

  it('C15 D26 [15.9] core gets the raw bytes and their Content-Type: a retry with another boundary replays, another file is a 422; parseBody() and formData() still work', async () => {
    const app = new Hono();
    let runs = 0;
    app.use('*', idempotency({ store: new MemoryStore() }));
    app.post('/forms', async (c) => {
      const parsed = await c.req.parseBody();
      const again = await c.req.raw.formData();
      const file = parsed['upload'] as File;
      return c.json({
        run: ++runs,
        title: parsed['title'],
        file: [file.name, file.type, await file.text()],
        fields: [...again.keys()],
      });
    });
    const key = newKey();
    const first = await post(app, '/forms', { key, body: form() });
    const expected = {
      run: 1,
      title: 'report',
      file: ['report.txt', 'text/plain', 'file bytes \u0000\u00ff'],
      fields: ['title', 'upload'],
    };
    expect(await first.json()).toEqual(expected);
    const retry = await post(app, '/forms', { key, body: form() });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(expected);
    expect((await post(app, '/forms', { key, body: form('other bytes') })).status).toBe(422);
    expect(runs).toBe(1);
  });
});
