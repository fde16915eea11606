/**
 * Nest over Fastify over HTTP/2 (`new FastifyAdapter({ http2: true })`, cleartext, prior knowledge), driven by
 * node:http2's client over a real socket, with and without `{ rawBody: true }`. `request.raw` is then node:http2's
 * compatibility request, which says `complete` only at its end: idempo must not read a body it cannot give back
 * (core's `canPeekBody`, HTTP/1 only), or a handler reading the stream itself gets it empty; such a keyed body is
 * refused instead. HTTP/2 frames a body without Content-Length, so such a body must be fingerprinted too (it was
 * not: the interceptor took it for a request without a body, and another body under the key was replayed).
 */
import 'reflect-metadata';
import { type ClientHttp2Session, connect } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { MemoryStore } from '@idempo/core';
import { sendHttp2 } from '@idempo/testing/node-http';
import { Controller, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyModule } from '../src/index.js';

/** What the handlers use of a `FastifyRequest` and a `FastifyReply`. */
interface Request {
  readonly body?: unknown;
  readonly raw: AsyncIterable<Buffer>;
}
interface Reply {
  header(name: string, value: string): Reply;
}

let runs = 0;

@Controller()
class OrdersController {
  /** Echoes the parsed body it got, with a Location. */
  @Post('orders')
  create(@Req() request: Request, @Res({ passthrough: true }) reply: Reply): unknown {
    runs++;
    reply.header('location', `/orders/${runs}`);
    return { run: runs, got: request.body ?? null };
  }

  /** Takes 150 ms. */
  @Post('slow')
  async slow(): Promise<unknown> {
    runs++;
    await new Promise((resolve) => setTimeout(resolve, 150));
    return { run: runs };
  }

  /** Reads the Node request stream itself (a parser leaves it for its content type), as an upload handler does. */
  @Post('streamed')
  async streamed(@Req() request: Request): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request.raw) chunks.push(chunk);
    runs++;
    return { run: runs, got: Buffer.concat(chunks).toString() };
  }
}

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
}

for (const rawBody of [false, true]) {
  describe(`Nest over Fastify over HTTP/2 (rawBody: ${rawBody})`, () => {
    let app: NestFastifyApplication;
    let session: ClientHttp2Session;
    beforeAll(async () => {
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })],
        controllers: [OrdersController],
      })
      class AppModule {}
      app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter({ http2: true }), {
        rawBody,
        logger: false,
        abortOnError: false,
      });
      // What an upload plugin does: the parser leaves the body, the handler reads `request.raw`.
      app
        .getHttpAdapter()
        .getInstance()
        .addContentTypeParser('application/x-stream', (_request, _payload, done) => done(null));
      await app.listen(0, '127.0.0.1');
      const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
      session = connect(`http://127.0.0.1:${port}`);
    });
    afterAll(async () => {
      session.close();
      await app.close();
    });

    /**
     * One POST on the shared session (`/orders` unless `path`), its body in two DATA frames; `length` false sends
     * no Content-Length.
     */
    async function post(
      key: string | undefined,
      body: string,
      { length = true, path = '/orders', type = 'application/json' } = {},
    ): Promise<Answer> {
      const answer = await sendHttp2(
        session,
        {
          method: 'POST',
          path,
          headers: { 'content-type': type, ...(key === undefined ? {} : { 'idempotency-key': key }) },
          body,
        },
        { contentLength: length },
      );
      return { status: answer.status, headers: answer.headers, body: Buffer.from(answer.body).toString() };
    }
    const keyOf = (name: string) => `"h2-${rawBody}-${name}"`;

    it('C14 C15 C17 C18 a keyed JSON body with Content-Length reaches the handler whole, 201; a retry gets the same status, Location and bytes, the handler ran once', async () => {
      const before = runs;
      const first = await post(keyOf('a'), '{"item":"book"}');
      expect(first.status).toBe(201);
      expect(JSON.parse(first.body)).toEqual({ run: runs, got: { item: 'book' } });
      expect(first.headers['location']).toBe(`/orders/${runs}`);
      const again = await post(keyOf('a'), '{"item":"book"}');
      expect(again.status).toBe(201);
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['location']).toBe(first.headers['location']);
      expect(again.headers['content-type']).toBe(first.headers['content-type']);
      expect(runs - before).toBe(1);
    });

    it('D26 D30 H47 the same key with another body gets 422 problem+json, the handler not run; the original body still replays', async () => {
      const first = await post(keyOf('b'), '{"item":"book"}');
      expect(first.status).toBe(201);
      const before = runs;
      const other = await post(keyOf('b'), '{"item":"pen"}');
      expect(other.status).toBe(422);
      expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await post(keyOf('b'), '{"item":"pen"}')).toMatchObject({ status: 422 });
      const same = await post(keyOf('b'), '{"item":"book"}');
      expect([same.status, same.headers['idempotent-replayed'], same.body]).toEqual([
        201,
        'true',
        first.body,
      ]);
      expect(runs - before).toBe(0);
    });

    it('D26 a JSON body without Content-Length is fingerprinted: the same bytes replay, other bytes under the key get 422', async () => {
      const before = runs;
      const first = await post(keyOf('c'), '{"item":"book"}', { length: false });
      expect(first.status).toBe(201);
      expect(JSON.parse(first.body)).toMatchObject({ got: { item: 'book' } });
      const same = await post(keyOf('c'), '{"item":"book"}', { length: false });
      expect([same.status, same.headers['idempotent-replayed'], same.body]).toEqual([
        201,
        'true',
        first.body,
      ]);
      const other = await post(keyOf('c'), '{"item":"pen"}', { length: false });
      expect(other.status).toBe(422);
      expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(runs - before).toBe(1);
    });

    it('J6 a keyed body the handler reads from request.raw itself, with and without Content-Length: 500 unreadable_body before the handler, never a hang or an empty stream (I5 needs HTTP/1); unkeyed, the handler gets it whole', async () => {
      const before = runs;
      const options = { path: '/streamed', type: 'application/x-stream' };
      for (const length of [true, false]) {
        const keyed = await post(keyOf(`d-${length}`), 'line one\nline two\n', { ...options, length });
        // Read and not given back, the body would reach the handler empty: its answer shows what it got.
        expect([keyed.status, JSON.parse(keyed.body)]).toMatchObject([500, { code: 'unreadable_body' }]);
        expect(keyed.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(runs - before).toBe(0);
      const unkeyed = await post(undefined, 'line one\nline two\n', options);
      expect(unkeyed.status).toBe(201);
      expect(JSON.parse(unkeyed.body)).toEqual({ run: runs, got: 'line one\nline two\n' });
    });

    it('C14 C15 a keyed POST without a body (no Content-Type, no Content-Length) runs once and replays, its stream ended by its HEADERS or by an empty DATA frame', async () => {
      const before = runs;
      for (const [tag, body] of [
        ['f', undefined],
        ['f2', ''],
      ] as const) {
        const send = () =>
          sendHttp2(
            session,
            { method: 'POST', path: '/orders', headers: { 'idempotency-key': keyOf(tag) }, body },
            { contentLength: false },
          );
        const first = await send();
        expect(first.status).toBe(201);
        expect(JSON.parse(Buffer.from(first.body).toString())).toMatchObject({ got: null });
        const again = await send();
        expect([again.status, again.headers['idempotent-replayed']]).toEqual([201, 'true']);
        expect(Buffer.from(again.body).equals(Buffer.from(first.body))).toBe(true);
      }
      expect(runs - before).toBe(2);
    });

    it('E32 E33 concurrent requests with one key on one session: one runs, the others get 409 with Retry-After, a later retry the replay', async () => {
      const before = runs;
      // The handler takes 150 ms, so the seven others arrive while it runs.
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(keyOf('e'), '{"item":"book"}', { path: '/slow' })),
      );
      expect(runs - before).toBe(1);
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201).length).toBe(1);
      expect(statuses.filter((s) => s === 409).length).toBe(7);
      const conflict = answers.find((a) => a.status === 409);
      expect(conflict?.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(conflict?.headers['retry-after']).toBeDefined();
      const after = await post(keyOf('e'), '{"item":"book"}', { path: '/slow' });
      expect([after.status, after.headers['idempotent-replayed']]).toEqual([201, 'true']);
      expect(after.body).toBe(answers.find((a) => a.status === 201)?.body);
      expect(runs - before).toBe(1);
    });

    it('B12 a request without a key passes through: it runs every time, with the body it sent', async () => {
      const before = runs;
      const first = await post(undefined, '{"item":"book"}');
      const second = await post(undefined, '{"item":"book"}', { length: false });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(JSON.parse(second.body)).toMatchObject({ got: { item: 'book' } });
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(runs - before).toBe(2);
    });
  });
}
