/**
 * [15.14] Hono's real `compress()` in both orders: replays work whichever order, for any retry's Accept-Encoding.
 * - compress() before idempo (outside it): the record is the uncompressed answer, and compress() encodes the
 *   first answer and every replay for its own request;
 * - compress() after idempo (inside it): the client that asked gets the compressed bytes, the record is stored
 *   decoded, and replays are the identity bytes (any client accepts them).
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { MemoryStore } from '@idempo/core';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { countingStore, newKey, post } from './support/client.js';

/** A JSON answer long enough for compress() (its threshold is 1 KiB), numbered by execution. */
function order(run: number) {
  return { run, lines: Array.from({ length: 100 }, (_, i) => `line ${i} of order ${run}`) };
}

/** The identity bytes of a response, decoded as its Content-Encoding says. */
async function decoded(res: Response): Promise<unknown> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const coding = res.headers.get('content-encoding');
  const plain = coding === 'gzip' ? gunzipSync(bytes) : coding === 'deflate' ? inflateSync(bytes) : bytes;
  return JSON.parse(plain.toString('utf8'));
}

function app(order_: 'compress first' | 'idempo first', store = countingStore()) {
  const app = new Hono();
  let runs = 0;
  if (order_ === 'compress first') app.use('*', compress());
  app.use('*', idempotency({ store }));
  if (order_ === 'idempo first') app.use('*', compress());
  app.post('/orders', (c) => c.json(order(++runs), 201));
  return { app, store, runs: () => runs };
}

const gzip: Record<string, string> = { 'accept-encoding': 'gzip' };
const deflate: Record<string, string> = { 'accept-encoding': 'deflate' };

describe('[15.14] compress() and idempo, both orders', () => {
  it('C15 [15.14] compress() before idempo: stored uncompressed, the first answer and every replay encoded for its own request', async () => {
    const { app: server, runs } = app('compress first');
    const key = newKey();
    const first = await post(server, '/orders', { key, json: {}, headers: gzip });
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(await decoded(first)).toEqual(order(1));
    for (const headers of [gzip, deflate, {} as Record<string, string>]) {
      const replay = await post(server, '/orders', { key, json: {}, headers });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.headers.get('content-encoding')).toBe(headers['accept-encoding'] ?? null);
      expect(await decoded(replay)).toEqual(order(1));
    }
    expect(runs()).toBe(1);
  });

  it('C15 [15.14] compress() after idempo: the first client gets gzip, the record is stored decoded and every retry gets the identity replay', async () => {
    const { app: server, store, runs } = app('idempo first');
    const key = newKey();
    const first = await post(server, '/orders', { key, json: {}, headers: gzip });
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(await decoded(first)).toEqual(order(1));
    for (const headers of [gzip, deflate, {} as Record<string, string>]) {
      const replay = await post(server, '/orders', { key, json: {}, headers });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.headers.get('content-encoding'), 'identity bytes, acceptable to any client').toBeNull();
      expect(replay.headers.get('vary')).toBe('Accept-Encoding');
      expect(await decoded(replay)).toEqual(order(1));
    }
    expect(runs()).toBe(1);
    expect(store.completes).toBe(1);
    expect(store.releases).toBe(0);
  });

  it('C25 [15.14] a compressed body whose decoded bytes pass maxBodyBytes is not stored (the decoder stops at the limit)', async () => {
    const store = countingStore();
    const server = new Hono();
    server.use('*', idempotency({ store, maxBodyBytes: 4096 }));
    server.use('*', compress());
    let runs = 0;
    // 1 MiB of one letter: a few KiB compressed, far past the limit decoded.
    server.post('/big', (c) => c.text(`${++runs}${'a'.repeat(1024 * 1024)}`));
    const key = newKey();
    for (const run of [1, 2]) {
      const res = await post(server, '/big', { key, json: {}, headers: gzip });
      expect(res.headers.get('content-encoding')).toBe('gzip');
      const text = gunzipSync(Buffer.from(await res.arrayBuffer())).toString();
      expect(text.length).toBe(1024 * 1024 + 1);
      expect(text[0]).toBe(String(run));
    }
    expect(store.completes).toBe(0);
    expect(store.releases).toBe(2);
  });

  it('[15.14] a coding Web Streams do not decode (br) is stored and replayed as it was sent', async () => {
    const server = new Hono();
    server.use('*', idempotency({ store: new MemoryStore() }));
    const bytes = new Uint8Array([0x0b, 0x02, 0x80, 0x68, 0x69, 0x03]);
    server.post('/br', (c) => c.body(bytes, 200, { 'content-encoding': 'br' }));
    const key = newKey();
    await post(server, '/br', { key, json: {} });
    const replay = await post(server, '/br', { key, json: {} });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('content-encoding')).toBe('br');
    expect(new Uint8Array(await replay.arrayBuffer())).toEqual(bytes);
  });
});
