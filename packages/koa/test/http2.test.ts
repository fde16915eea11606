/**
 * Koa on node:http2's compatibility API (`http2.createServer(app.callback())`), over a real h2c session: a keyed
 * body with a Content-Length reaches the handler whole, and a retry gets the replay. Before the fix, core read
 * such a body to fingerprint it and could not put it back (HTTP/2 says `complete` only at its end): the handler
 * read an empty body.
 */
import { type ClientHttp2Session, connect, createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { MemoryStore } from '@idempo/core';
import { sendHttp2 } from '@idempo/testing/node-http';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let server: Http2Server;
let session: ClientHttp2Session;
let runs = 0;

beforeAll(async () => {
  const app = new Koa();
  app.use(idempotency({ store: new MemoryStore() }));
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    runs++;
    ctx.status = 201;
    ctx.body = { run: runs, got: Buffer.concat(chunks).toString() };
  });
  server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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

describe('Koa over HTTP/2', () => {
  it('C14 C15 the handler reads the whole keyed body; a retry gets the same bytes; another body under the key is 422 (D26)', async () => {
    const first = await post('"k2-a"', '{"item":"book"}');
    expect(first.status).toBe(201);
    expect(JSON.parse(first.body)).toEqual({ run: runs, got: '{"item":"book"}' });
    const again = await post('"k2-a"', '{"item":"book"}');
    expect([again.status, again.replayed, again.body]).toEqual([201, 'true', first.body]);
    const other = await post('"k2-a"', '{"item":"pen"}');
    expect(other.status).toBe(422);
    expect(runs).toBe(1);
  });
});
