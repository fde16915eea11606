/**
 * Hono on @hono/node-server over HTTP/2 (`createServer: http2.createServer`, cleartext), driven by a real
 * node:http2 session: a keyed body with a Content-Length, sent in two DATA frames, reaches the handler whole, a
 * retry gets the replay, and another body under the key is 422, as over HTTP/1.1.
 */
import { type ClientHttp2Session, connect, createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { MemoryStore } from '@idempo/core';
import { sendHttp2 } from '@idempo/testing/node-http';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let server: ReturnType<typeof serve>;
let session: ClientHttp2Session;
let runs = 0;

beforeAll(async () => {
  const app = new Hono();
  app.use('*', idempotency({ store: new MemoryStore() }));
  app.post('/orders', async (c) => {
    const got = await c.req.text();
    runs++;
    return c.json({ run: runs, got }, 201);
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer });
  await new Promise((resolve) => server.once('listening', resolve));
  session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  session.close();
  await new Promise((resolve) => server.close(resolve));
});

/** POST /orders with a Content-Length, the body in two DATA frames. */
async function post(key: string, body: string): Promise<{ status: number; replayed: unknown; body: string }> {
  const answer = await sendHttp2(session, {
    method: 'POST',
    path: '/orders',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body,
  });
  return {
    status: answer.status,
    replayed: answer.headers['idempotent-replayed'],
    body: Buffer.from(answer.body).toString(),
  };
}

describe('Hono on node-server over HTTP/2', () => {
  it('C14 C15 the handler reads the whole keyed body; a retry gets the same bytes; another body under the key is 422 (D26)', async () => {
    const first = await post('"h2-a"', '{"item":"book"}');
    expect(first.status).toBe(201);
    expect(JSON.parse(first.body)).toEqual({ run: 1, got: '{"item":"book"}' });
    const again = await post('"h2-a"', '{"item":"book"}');
    expect([again.status, again.replayed, again.body]).toEqual([201, 'true', first.body]);
    const other = await post('"h2-a"', '{"item":"pen"}');
    expect(other.status).toBe(422);
    expect(runs).toBe(1);
  });
});
