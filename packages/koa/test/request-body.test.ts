/**
 * The raw body core fingerprints, with @koa/bodyparser in front (its `ctx.request.rawBody`), behind idempo, or
 * absent (idempo reads `ctx.req` and puts the bytes back into it): what core sees and what later middleware sees.
 */
import { once } from 'node:events';
import { Agent, request as httpRequest, IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { KOA_VERSIONS, text, withKoa } from './support/harness.js';

const decoder = new TextDecoder();
const ALL_BYTES = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) & 0xff);

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A fingerprint that records the bytes core handed it. */
function recorder() {
  const seen: Uint8Array[] = [];
  const fingerprint = (_request: unknown, body: Uint8Array | null) => {
    seen.push(body ?? new Uint8Array(0));
    return Buffer.from(body ?? []).toString('hex') || 'empty';
  };
  return { seen, fingerprint };
}

const BODIES = [
  { type: 'application/json', body: '{"b": [1, 2], "a": "é"}' },
  { type: 'text/plain; charset=utf-8', body: 'plain text, ünïcode' },
  { type: 'application/x-www-form-urlencoded', body: 'a=1&b=%C3%A9&a=2' },
];

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`${name}: request bodies`, () => {
    for (const { type, body } of BODIES) {
      it(`@koa/bodyparser in front: core fingerprints its rawBody for ${type}, the handler sees the parsed body`, async () => {
        const { seen, fingerprint } = recorder();
        const parsed: unknown[] = [];
        await withKoa(
          Koa,
          ({ app, router, idem }) => {
            app.use(bodyParser({ enableTypes: ['json', 'form', 'text'] }));
            router.post('/echo', idem.route(), (ctx: Context) => {
              parsed.push(ctx.request.body);
              ctx.body = { n: parsed.length };
            });
          },
          async (app) => {
            const headers = { 'content-type': type };
            const first = await app.keyed('/echo', 'k1', { headers, body: body });
            expect(first.status).toBe(200);
            const replay = await app.keyed('/echo', 'k1', { headers, body: body });
            expect(replay.headers['idempotent-replayed']).toBe('true');
            expect(text(replay)).toBe('{"n":1}');
            expect(seen.map((bytes) => decoder.decode(bytes))).toEqual([body, body]);
            expect(parsed).toHaveLength(1);
            expect(typeof parsed[0]).not.toBe('undefined');
          },
          { fingerprint },
        );
      });
    }

    it('@koa/bodyparser in front: a binary body (all byte values) is read from ctx.req uncorrupted, and the handler reads the same bytes', async () => {
      const { seen, fingerprint } = recorder();
      const received: Buffer[] = [];
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(bodyParser());
          router.post('/upload', idem.route(), async (ctx: Context) => {
            received.push(await readAll(ctx.req));
            ctx.body = Buffer.from(received.at(-1) as Buffer).reverse();
          });
        },
        async (app) => {
          const headers = { 'content-type': 'application/octet-stream' };
          const first = await app.keyed('/upload', 'bin', { headers, body: ALL_BYTES });
          expect(Buffer.from(first.body)).toEqual(Buffer.from(ALL_BYTES).reverse());
          const replay = await app.keyed('/upload', 'bin', { headers, body: ALL_BYTES });
          expect(Buffer.from(replay.body)).toEqual(Buffer.from(first.body));
          expect(Buffer.from(seen[0] as Uint8Array)).toEqual(Buffer.from(ALL_BYTES));
          expect(received).toEqual([Buffer.from(ALL_BYTES)]);
        },
        { fingerprint },
      );
    });

    it('no body parser: idempo reads ctx.req when core asks and puts the bytes back into that same request (same object, same headers)', async () => {
      const { seen, fingerprint } = recorder();
      const received: { bytes: Buffer; isMessage: boolean; header: string | undefined; replaced: boolean }[] =
        [];
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(async (ctx, next) => {
            ctx.state['original'] = ctx.req;
            await next();
          });
          router.post('/raw', idem.route(), async (ctx: Context) => {
            received.push({
              bytes: await readAll(ctx.req),
              isMessage: ctx.req instanceof IncomingMessage,
              header: ctx.get('x-extra'),
              replaced: ctx.req !== ctx.state['original'],
            });
            ctx.body = 'ok';
          });
        },
        async (app) => {
          const headers = { 'content-type': 'application/octet-stream', 'x-extra': 'yes' };
          await app.keyed('/raw', 'raw', { headers, body: ALL_BYTES });
          expect(Buffer.from(seen[0] as Uint8Array)).toEqual(Buffer.from(ALL_BYTES));
          expect(received).toEqual([
            { bytes: Buffer.from(ALL_BYTES), isMessage: true, header: 'yes', replaced: false },
          ]);
          await app.request({ method: 'POST', path: '/raw', headers, body: ALL_BYTES });
          expect(received[1]?.replaced, 'without a key core never asks: ctx.req is untouched').toBe(false);
          expect(received[1]?.bytes).toEqual(Buffer.from(ALL_BYTES));
          expect(seen).toHaveLength(1);
        },
        { fingerprint },
      );
    });

    it('a request set flowing before idempo but not read yet is read whole and handed on as a readable copy', async () => {
      const { seen, fingerprint } = recorder();
      const received: { bytes: Buffer; replaced: boolean }[] = [];
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(async (ctx, next) => {
            ctx.state['original'] = ctx.req;
            ctx.req.resume(); // flowing, no byte read yet: the put-back needs a paused stream
            await next();
          });
          router.post('/raw', idem.route(), async (ctx: Context) => {
            received.push({ bytes: await readAll(ctx.req), replaced: ctx.req !== ctx.state['original'] });
            ctx.body = 'ok';
          });
        },
        async (app) => {
          const headers = { 'content-type': 'application/octet-stream' };
          await app.keyed('/raw', 'flowing', { headers, body: ALL_BYTES });
          expect(Buffer.from(seen[0] as Uint8Array)).toEqual(Buffer.from(ALL_BYTES));
          expect(received).toEqual([{ bytes: Buffer.from(ALL_BYTES), replaced: true }]);
        },
        { fingerprint },
      );
    });

    it('a body parser behind idempo parses the replayable request as if nothing had read it', async () => {
      const parsed: unknown[] = [];
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(idem);
          app.use(bodyParser());
          router.post('/orders', (ctx: Context) => {
            parsed.push({ body: ctx.request.body, raw: ctx.request.rawBody });
            ctx.status = 201;
            ctx.body = { n: parsed.length };
          });
        },
        async (app) => {
          const init = { headers: { 'content-type': 'application/json' }, body: '{"item":"book","qty":2}' };
          const first = await app.keyed('/orders', 'after', init);
          expect(first.status).toBe(201);
          expect(parsed).toEqual([{ body: { item: 'book', qty: 2 }, raw: '{"item":"book","qty":2}' }]);
          const reordered = await app.keyed('/orders', 'after', {
            ...init,
            body: '{ "qty": 2, "item": "book" }',
          });
          expect(reordered.headers['idempotent-replayed']).toBe('true');
          const other = await app.keyed('/orders', 'after', { ...init, body: '{"item":"pen"}' });
          expect(other.status).toBe(422);
          expect(parsed).toHaveLength(1);
        },
      );
    });

    it('J6 a body consumed in front of idempo with neither rawBody nor a parsed body is 500 unreadable_body, never a wrong fingerprint', async () => {
      let ran = 0;
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(async (ctx, next) => {
            await readAll(ctx.req);
            await next();
          });
          router.post('/eaten', idem.route(), (ctx: Context) => {
            ran++;
            ctx.body = 'ran';
          });
        },
        async (app) => {
          const response = await app.keyed('/eaten', 'eaten', { body: 'x' });
          expect(response.status).toBe(500);
          expect(ran).toBe(0);
          expect(JSON.parse(text(response))).toMatchObject({ code: 'unreadable_body' });
        },
      );
    });
  });
}

/** Sends a keyed POST of `chunks` with chunked transfer encoding (no Content-Length) over `agent`. */
function chunked(
  port: number,
  agent: Agent,
  path: string,
  headers: Record<string, string>,
  chunks: readonly (Uint8Array | string)[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
    });
    outgoing.on('error', reject);
    (async () => {
      for (const chunk of chunks) {
        if (outgoing.destroyed) return;
        if (!outgoing.write(chunk)) await Promise.race([once(outgoing, 'drain'), once(outgoing, 'close')]);
      }
      outgoing.end();
    })().catch(reject);
  });
}

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`${name}: request bodies over maxRequestBodyBytes`, () => {
    it('H47 [15.11] no body parser: a keyed chunked body past the limit is a 413 problem+json; the rest is drained, so the same keep-alive connection serves the next request', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/raw', idem.route(), async (ctx: Context) => {
            runs++;
            ctx.body = { size: (await readAll(ctx.req)).length };
          });
        },
        async (app) => {
          // A raw connection: Node's own client stops writing once a keep-alive response has ended.
          const socket = connect(app.port, '127.0.0.1');
          await once(socket, 'connect');
          let received = '';
          socket.on('data', (chunk: Buffer) => {
            received += chunk.toString('latin1');
          });
          const head = (key: string, framing: string) =>
            `POST /raw HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nIdempotency-Key: ${key}\r\n${framing}\r\n\r\n`;
          const piece = Buffer.alloc(64 * 1024, 0x62);
          socket.write(head('big', 'Transfer-Encoding: chunked'));
          for (let i = 0; i < 128; i++) {
            const more = socket.write(Buffer.concat([Buffer.from('10000\r\n'), piece, Buffer.from('\r\n')]));
            if (!more) await once(socket, 'drain');
          }
          socket.write('0\r\n\r\n');
          socket.write(head('small', `Content-Length: ${piece.length}`));
          socket.write(piece);
          const deadline = Date.now() + 20_000;
          while (!received.includes('{"size":65536}') && Date.now() < deadline) await sleep(20);
          socket.destroy();
          const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
          expect(statuses, 'a 413, then the next request answered on the same connection').toEqual([
            '413',
            '200',
          ]);
          expect(received).toContain('"code":"request_too_large"');
          expect(received).toContain('{"size":65536}');
          expect(runs).toBe(1);
        },
        { maxRequestBodyBytes: 1024 * 1024 },
      );
    });

    it('H47 [15.11] @koa/bodyparser in front: a keyed rawBody past the limit (chunked, no Content-Length) is a 413, the handler never runs', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(bodyParser());
          router.post('/orders', idem.route(), (ctx: Context) => {
            runs++;
            ctx.body = ctx.request.body;
          });
        },
        async (app) => {
          const agent = new Agent({ keepAlive: false });
          try {
            const headers = { 'content-type': 'application/json', 'idempotency-key': 'json' };
            const long = JSON.stringify({ item: 'é'.repeat(600) }); // 613 characters, 1213 bytes
            const big = await chunked(app.port, agent, '/orders', headers, [long]);
            expect(big.status).toBe(413);
            expect(JSON.parse(big.body)).toMatchObject({ code: 'request_too_large' });
            expect(runs).toBe(0);
            const fits = await chunked(app.port, agent, '/orders', headers, ['{"item":"book"}']);
            expect(fits).toEqual({ status: 200, body: '{"item":"book"}' });
          } finally {
            agent.destroy();
          }
        },
        { maxRequestBodyBytes: 1024 },
      );
    });
  });
}
