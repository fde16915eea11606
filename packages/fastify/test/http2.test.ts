/**
 * Fastify over HTTP/2 (cleartext, prior knowledge), driven by node:http2's client over a real socket: the same
 * keyed behaviour as over HTTP/1.1. HTTP/2 frames a body without Content-Length, so a body sent without one must
 * still be read and fingerprinted (the plugin's `mayHaveBody` takes any HTTP/2 request as one that may have a body).
 */
import {
  type ClientHttp2Session,
  connect,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { MemoryStore } from '@idempo/core';
import { sendHttp2 } from '@idempo/testing/node-http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance<Http2Server, Http2ServerRequest, Http2ServerResponse>;
let session: ClientHttp2Session;
let runs = 0;

beforeAll(async () => {
  app = Fastify({ http2: true });
  await app.register(idempotency, { store: new MemoryStore() });
  app.post('/orders', async (request, reply) => {
    runs++;
    reply.header('location', `/orders/${runs}`);
    return reply.code(201).send({ run: runs, got: request.body });
  });
  app.post('/slow', async (_request, reply) => {
    runs++;
    await new Promise((resolve) => setTimeout(resolve, 150));
    return reply.code(201).send({ run: runs });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  session = connect(`http://127.0.0.1:${port}`);
});
afterAll(async () => {
  session.close();
  await app.close();
});

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
}

/**
 * One POST on the shared session (`/orders` unless `path`), its body in two DATA frames so that it is not at hand
 * in one piece when the request arrives; `length` false sends no Content-Length.
 */
async function post(key: string | undefined, body: string, length = true, path = '/orders'): Promise<Answer> {
  const answer = await sendHttp2(
    session,
    {
      method: 'POST',
      path,
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body,
    },
    { contentLength: length },
  );
  return { status: answer.status, headers: answer.headers, body: Buffer.from(answer.body).toString() };
}

describe('Fastify over HTTP/2', () => {
  it('C14 C15 C17 C18 the first keyed request runs and is answered 201; a retry gets the same status, Location and bytes', async () => {
    const before = runs;
    const first = await post('"h2-a"', '{"item":"book"}');
    const again = await post('"h2-a"', '{"item":"book"}');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['location']).toBe(first.headers['location']);
    expect(first.headers['location']).toMatch(/^\/orders\/\d+$/);
    expect(runs - before).toBe(1);
  });

  it('D26 a body without Content-Length is fingerprinted: the same bytes replay, other bytes under the key get 422', async () => {
    const before = runs;
    const first = await post('"h2-b"', '{"item":"book"}', false);
    expect(first.status).toBe(201);
    expect(JSON.parse(first.body)).toMatchObject({ got: { item: 'book' } });
    const same = await post('"h2-b"', '{"item":"book"}', false);
    expect(same.headers['idempotent-replayed']).toBe('true');
    expect(same.body).toBe(first.body);
    const other = await post('"h2-b"', '{"item":"pen"}', false);
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(runs - before).toBe(1);
  });

  it('E32 E33 concurrent requests with one key on one connection: one runs, the others get 409, a later retry the replay', async () => {
    const before = runs;
    // The handler takes 150 ms, so the seven others arrive while it runs.
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post('"h2-c"', '{"item":"book"}', true, '/slow')),
    );
    expect(runs - before).toBe(1);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBe(1);
    expect(statuses.filter((s) => s === 409).length).toBe(7);
    const conflict = answers.find((a) => a.status === 409);
    expect(conflict?.headers['retry-after']).toBeDefined();
    // E33: once the original has finished, a retry gets its replay.
    const after = await post('"h2-c"', '{"item":"book"}', true, '/slow');
    expect([after.status, after.headers['idempotent-replayed']]).toEqual([201, 'true']);
  });

  it('C14 C15 a keyed POST without a body runs once and replays, its stream ended by its HEADERS or by an empty DATA frame', async () => {
    const before = runs;
    const bare = (key: string, body: string | undefined) =>
      sendHttp2(
        session,
        { method: 'POST', path: '/orders', headers: { 'idempotency-key': key }, body },
        { contentLength: false },
      );
    for (const [key, body] of [
      ['"h2-e"', undefined],
      ['"h2-f"', ''],
    ] as const) {
      const first = await bare(key, body);
      expect(first.status).toBe(201);
      const again = await bare(key, body);
      expect([again.status, again.headers['idempotent-replayed']]).toEqual([201, 'true']);
      expect(Buffer.from(again.body).equals(Buffer.from(first.body))).toBe(true);
    }
    expect(runs - before).toBe(2);
  });

  it('D26 DATA frames without Content-Type or Content-Length are fingerprinted: other bytes under the key get 422', async () => {
    const before = runs;
    const raw = (body: string) =>
      sendHttp2(
        session,
        { method: 'POST', path: '/orders', headers: { 'idempotency-key': '"h2-g"' }, body },
        { contentLength: false },
      );
    expect((await raw('first bytes')).status).toBe(201);
    expect((await raw('first bytes')).headers['idempotent-replayed']).toBe('true');
    const other = await raw('other bytes');
    expect(other.status).toBe(422);
    expect(runs - before).toBe(1);
  });

  it('B12 a request without a key passes through: it runs every time', async () => {
    const before = runs;
    await post(undefined, '{"item":"book"}');
    await post(undefined, '{"item":"book"}');
    expect(runs - before).toBe(2);
  });
});
