/**
 * What is captured after `await next()` (status, ctx.body as Koa sends it, headers, Set-Cookie lines) and how
 * replays, streams and thrown errors behave.
 */
import { Agent, request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { KOA_VERSIONS, text, withKoa } from './support/harness.js';

const BODIES: { name: string; answer: (ctx: Context) => void; body: string; type: string | undefined }[] = [
  {
    name: 'an object (JSON as Koa serialises it)',
    answer: (ctx) => {
      ctx.status = 201;
      ctx.body = { b: 'é', a: [1, { c: null }] };
    },
    body: '{"b":"é","a":[1,{"c":null}]}',
    type: 'application/json; charset=utf-8',
  },
  {
    name: 'a string',
    answer: (ctx) => {
      ctx.body = '<p>hi</p>';
    },
    body: '<p>hi</p>',
    type: 'text/html; charset=utf-8',
  },
  {
    name: 'a Buffer with its own type',
    answer: (ctx) => {
      ctx.type = 'image/png';
      ctx.body = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    },
    body: '\uFFFDPNG',
    type: 'image/png',
  },
  {
    name: 'a Buffer Koa types',
    answer: (ctx) => {
      ctx.body = Buffer.from('bin');
    },
    body: 'bin',
    type: 'application/octet-stream',
  },
  {
    name: 'no body (Koa answers the status message)',
    answer: (ctx) => {
      ctx.status = 202;
    },
    body: 'Accepted',
    type: 'text/plain; charset=utf-8',
  },
  {
    name: 'a null body set on purpose',
    answer: (ctx) => {
      ctx.status = 200;
      ctx.body = null;
    },
    body: '',
    type: undefined,
  },
  {
    name: 'a 204',
    answer: (ctx) => {
      ctx.status = 204;
      ctx.set('etag', '"x"');
    },
    body: '',
    type: undefined,
  },
];

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`${name}: responses`, () => {
    for (const { name: what, answer, body, type } of BODIES) {
      it(`ctx.body as ${what} is replayed byte for byte with its status and Content-Type`, async () => {
        let runs = 0;
        await withKoa(
          Koa,
          ({ router, idem }) => {
            router.post('/r', idem.route(), (ctx: Context) => {
              runs++;
              answer(ctx);
            });
          },
          async (app) => {
            const first = await app.keyed('/r', 'k');
            const replay = await app.keyed('/r', 'k');
            expect(replay.headers['idempotent-replayed']).toBe('true');
            expect(runs).toBe(1);
            expect(replay.status).toBe(first.status);
            expect(Buffer.from(replay.body)).toEqual(Buffer.from(first.body));
            expect(text(first)).toBe(body);
            expect(first.headers['content-type']).toBe(type);
            expect(replay.headers['content-type']).toBe(type);
          },
        );
      });
    }

    it('Set-Cookie (replaySetCookie) is replayed one field line per cookie; other headers by value', async () => {
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/c', idem.route(), (ctx: Context) => {
            ctx.set('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
            ctx.set('link', '</x>; rel="next"');
            ctx.set('x-request-id', 'fresh');
            ctx.body = 'c';
          });
        },
        async (app) => {
          await app.keyed('/c', 'k');
          const replay = await app.keyed('/c', 'k');
          expect(replay.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
          expect(replay.headers['link']).toBe('</x>; rel="next"');
          expect(replay.headers['x-request-id']).toBeUndefined();
          expect(replay.headers['content-length']).toBe('1');
        },
        { replaySetCookie: true },
      );
    });

    it('a Node stream body is piped in full, never stored, and the key is released', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/s', idem.route(), (ctx: Context) => {
            runs++;
            ctx.type = 'text/plain';
            ctx.body = Readable.from(['chunk 1, ', `run ${runs}`]);
          });
        },
        async (app) => {
          expect(text(await app.keyed('/s', 'k'))).toBe('chunk 1, run 1');
          const second = await app.keyed('/s', 'k');
          expect(second.headers['idempotent-replayed']).toBeUndefined();
          expect(text(second)).toBe('chunk 1, run 2');
        },
      );
    });

    it('a response written to ctx.res directly (ctx.respond = false) is never stored; the key is released', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/direct', idem.route(), (ctx: Context) => {
            runs++;
            ctx.respond = false;
            ctx.res.statusCode = 200;
            ctx.res.end(`direct ${runs}`);
          });
        },
        async (app) => {
          expect(text(await app.keyed('/direct', 'k'))).toBe('direct 1');
          const second = await app.keyed('/direct', 'k');
          expect([text(second), second.headers['idempotent-replayed']]).toEqual(['direct 2', undefined]);
        },
      );
    });

    it('a thrown error releases the key and reaches Koa error handling (ctx.throw status kept)', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/t', idem.route(), (ctx: Context) => {
            runs++;
            if (runs < 3) ctx.throw(402, 'pay first');
            ctx.body = 'paid';
          });
        },
        async (app) => {
          const first = await app.keyed('/t', 'k');
          expect([first.status, text(first)]).toEqual([402, 'pay first']);
          expect((await app.keyed('/t', 'k')).status).toBe(402);
          expect(text(await app.keyed('/t', 'k'))).toBe('paid');
          const replay = await app.keyed('/t', 'k');
          expect([replay.headers['idempotent-replayed'], text(replay), runs]).toEqual(['true', 'paid', 3]);
          expect(app.errors).toHaveLength(2);
        },
      );
    });

    it('an error handler in front of idempo still sees the error; the key is released', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ app, router, idem }) => {
          app.use(async (ctx, next) => {
            try {
              await next();
            } catch (error) {
              ctx.status = 500;
              ctx.body = { error: (error as Error).message };
            }
          });
          router.post('/e', idem.route(), () => {
            runs++;
            throw new Error('boom');
          });
        },
        async (app) => {
          expect(text(await app.keyed('/e', 'k'))).toBe('{"error":"boom"}');
          expect(text(await app.keyed('/e', 'k'))).toBe('{"error":"boom"}');
          expect(runs).toBe(2);
        },
      );
    });
  });
}

describe('koa 3: web bodies', () => {
  const Koa = KOA_VERSIONS[0].Koa;
  it('a web ReadableStream body is sent as a stream, never stored', async () => {
    let runs = 0;
    await withKoa(
      Koa,
      ({ router, idem }) => {
        router.post('/w', idem.route(), (ctx: Context) => {
          runs++;
          ctx.type = 'text/plain';
          ctx.body = new Blob([`web ${runs}`]).stream();
        });
      },
      async (app) => {
        expect(text(await app.keyed('/w', 'k'))).toBe('web 1');
        expect(text(await app.keyed('/w', 'k'))).toBe('web 2');
      },
    );
  });
});

/**
 * Opens a keyed POST and resolves once `bytes` of its response arrived (the response still flowing), with a
 * `close` that drops the connection.
 */
function openStream(port: number, path: string, key: string, bytes: number) {
  return new Promise<{ status: number; replayed: unknown; received: number; close: () => void }>(
    (resolve, reject) => {
      const agent = new Agent({ keepAlive: false });
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path, agent, headers: { 'idempotency-key': key } },
        (res) => {
          let received = 0;
          res.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received >= bytes && received - chunk.length < bytes)
              resolve({
                status: res.statusCode ?? 0,
                replayed: res.headers['idempotent-replayed'],
                received,
                close: () => {
                  outgoing.destroy();
                  agent.destroy();
                },
              });
          });
          res.on('error', () => undefined);
        },
      );
      outgoing.on('error', (error) => reject(error));
      outgoing.end();
    },
  );
}

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`${name}: streamed responses [15.12]`, () => {
    const PIECE = Buffer.alloc(64 * 1024, 0x63);

    it('[15.12] an endless stream body goes out as it comes, never read by idempo: the key is released at once, a retry runs while the first still flows', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/endless', idem.route(), (ctx: Context) => {
            runs++;
            ctx.type = 'application/octet-stream';
            ctx.body = new Readable({
              read() {
                this.push(PIECE);
              },
            });
          });
        },
        async (app) => {
          const first = await openStream(app.port, '/endless', 'k', 1024 * 1024);
          try {
            expect([first.status, first.replayed]).toEqual([200, undefined]);
            const retry = await openStream(app.port, '/endless', 'k', 64 * 1024);
            retry.close();
            expect(retry.status, 'not a 409: the key was released, though the first still streams').toBe(200);
            expect(runs).toBe(2);
          } finally {
            first.close();
          }
        },
      );
    });

    it('[15.12] a 300 MB stream from a synchronous producer reaches the client whole while RSS grows by far less; nothing is stored', async () => {
      const TOTAL = 300 * 1024 * 1024;
      let runs = 0;
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/big', idem.route(), (ctx: Context) => {
            runs++;
            ctx.type = 'application/octet-stream';
            ctx.body = Readable.from(
              (function* () {
                for (let sent = 0; sent < TOTAL; sent += PIECE.length) yield PIECE;
              })(),
            );
          });
        },
        async (app) => {
          const base = process.memoryUsage.rss();
          let peak = base;
          const timer = setInterval(() => {
            peak = Math.max(peak, process.memoryUsage.rss());
          }, 5);
          const whole = await new Promise<number>((resolve, reject) => {
            const agent = new Agent({ keepAlive: false });
            const outgoing = httpRequest(
              {
                host: '127.0.0.1',
                port: app.port,
                method: 'POST',
                path: '/big',
                agent,
                headers: { 'idempotency-key': 'big' },
              },
              (res) => {
                let received = 0;
                res.on('data', (chunk: Buffer) => {
                  received += chunk.length;
                });
                res.on('end', () => {
                  agent.destroy();
                  resolve(received);
                });
              },
            );
            outgoing.on('error', reject);
            outgoing.end();
          });
          clearInterval(timer);
          const growthMb = (Math.max(peak, process.memoryUsage.rss()) - base) / (1024 * 1024);
          console.log(`${name}, a 300 MB streamed response, peak RSS growth: +${growthMb.toFixed(1)} MB`);
          expect(whole).toBe(TOTAL);
          expect(growthMb).toBeLessThan(64);
          const again = await openStream(app.port, '/big', 'big', 64 * 1024);
          again.close();
          expect([again.status, again.replayed, runs]).toEqual([200, undefined, 2]);
        },
      );
    }, 120_000);
  });
}
