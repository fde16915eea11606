/**
 * The body core fingerprints, whoever reads it: a body parser in front (its `rawBody` from `verify`, its bytes or
 * text, else its parsed value), a body parser behind idempo, or a handler that reads `req` itself (`req.pipe`).
 * Whatever runs after idempo gets every byte (I5).
 */
import { Writable } from 'node:stream';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { keepRawBody } from '../src/index.js';
import { EXPRESS_VERSIONS, text, withExpress } from './support/harness.js';

const json = (body: string) => ({ headers: { 'content-type': 'application/json' }, body });
const octets = (body: string) => ({ headers: { 'content-type': 'application/octet-stream' }, body });

/** Collects what `req.pipe()` delivers. */
function pipeAll(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    sink.on('finish', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.pipe(sink);
  });
}

for (const { name, express } of EXPRESS_VERSIONS) {
  describe(`${name}: request bodies`, () => {
    it('I5 express.json() behind idempo still parses the body; the bytes are fingerprinted (1.0 is not 1 as sent)', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.use(idem);
          app.use(express.json());
          app.post('/orders', (req, res) => {
            res.status(201).json({ n: ++runs, body: req.body as unknown });
          });
          return undefined;
        },
        async (app) => {
          const first = await app.keyed('/orders', 'a', json('{"qty":1}'));
          expect([first.status, text(first)]).toEqual([201, '{"n":1,"body":{"qty":1}}']);
          const spaced = await app.keyed('/orders', 'a', json('{ "qty": 1 }'));
          expect(spaced.headers['idempotent-replayed'], 'JSON is canonicalised').toBe('true');
          expect((await app.keyed('/orders', 'a', json('{"qty":1.0}'))).status, 'as sent: 1.0 is not 1').toBe(
            422,
          );
          expect(runs).toBe(1);
        },
      );
    });

    it('J6 express.json() in front without verify: the parsed body is fingerprinted; with verify: keepRawBody the bytes are', async () => {
      for (const verify of [false, true]) {
        let runs = 0;
        await withExpress(
          express,
          ({ app, idem }) => {
            app.use(verify ? express.json({ verify: keepRawBody }) : express.json());
            app.use(idem);
            app.post('/orders', (req, res) => {
              res.status(201).json({ n: ++runs, body: req.body as unknown });
            });
            return undefined;
          },
          async (app) => {
            expect((await app.keyed('/orders', 'a', json('{"qty":1}'))).status).toBe(201);
            const literal = await app.keyed('/orders', 'a', json('{"qty":1.0}'));
            expect(literal.status, `verify ${verify}`).toBe(verify ? 422 : 201);
            expect((await app.keyed('/orders', 'a', json('{"qty":2}'))).status).toBe(422);
            expect(runs).toBe(1);
          },
          { onEvent: () => {} },
        );
      }
    });

    it('I5 express.raw() and express.text() in front: their bytes and text are fingerprinted', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.post('/raw', express.raw(), idem.route(), (req, res) => {
            res.status(201).send(`raw ${(req.body as Buffer).length} #${++runs}`);
          });
          app.post('/text', express.text(), idem.route(), (req, res) => {
            res.status(201).send(`text ${String(req.body)} #${++runs}`);
          });
          return undefined;
        },
        async (app) => {
          expect(text(await app.keyed('/raw', 'r', octets('abc')))).toBe('raw 3 #1');
          expect((await app.keyed('/raw', 'r', octets('abc'))).headers['idempotent-replayed']).toBe('true');
          expect((await app.keyed('/raw', 'r', octets('abd'))).status).toBe(422);
          const plain = { headers: { 'content-type': 'text/plain' }, body: 'hello' };
          expect(text(await app.keyed('/text', 't', plain))).toBe('text hello #2');
          expect((await app.keyed('/text', 't', { ...plain, body: 'hellO' })).status).toBe(422);
          expect(runs).toBe(2);
        },
      );
    });

    it('I5 [15.5] a handler that pipes req itself gets every byte, after idempo read them for the fingerprint', async () => {
      let runs = 0;
      const body = 'x'.repeat(300_000);
      await withExpress(
        express,
        ({ app, idem }) => {
          app.post('/uploads', idem.route(), async (req, res, next) => {
            try {
              const bytes = await pipeAll(req);
              res.status(201).json({ n: ++runs, size: bytes.length, same: bytes.toString() === body });
            } catch (error) {
              next(error);
            }
          });
          return undefined;
        },
        async (app) => {
          const first = await app.keyed('/uploads', 'u', octets(body));
          expect([first.status, text(first)]).toEqual([201, '{"n":1,"size":300000,"same":true}']);
          const replay = await app.keyed('/uploads', 'u', octets(body));
          expect(replay.headers['idempotent-replayed']).toBe('true');
          expect((await app.keyed('/uploads', 'u', octets(`${body}y`))).status).toBe(422);
          const unkeyed = await app.request({ method: 'POST', path: '/uploads', ...octets(body) });
          expect(text(unkeyed)).toBe('{"n":2,"size":300000,"same":true}');
        },
      );
    });
  });
}
