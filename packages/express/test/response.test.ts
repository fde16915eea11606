/**
 * What Express writes, as idempo captures it on the Node response: `res.json`/`res.send` stored and replayed byte
 * for byte, `res.redirect` too; `res.write` over several turns, `res.sendFile` and a piped stream are streams,
 * sent untouched and not stored (C25 I11); a body over `maxBodyBytes` reaches the client whole, not stored.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPRESS_VERSIONS, text, withExpress } from './support/harness.js';

let dir = '';
let file = '';
const FILE_BYTES = 256 * 1024;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idempo-express-'));
  file = join(dir, 'report.bin');
  await writeFile(file, Buffer.alloc(FILE_BYTES, 7));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const { name, express } of EXPRESS_VERSIONS) {
  describe(`${name}: responses`, () => {
    it('C17 C18 res.redirect and res.cookie are stored and replayed byte for byte (Set-Cookie only with replaySetCookie)', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.post('/moved', idem.route(), (_req, res) => {
            runs++;
            res.cookie('session', 'abc');
            res.redirect(303, '/orders/7');
          });
          return undefined;
        },
        async (app) => {
          const first = await app.keyed('/moved', 'm');
          const replay = await app.keyed('/moved', 'm');
          expect([first.status, first.headers['location']]).toEqual([303, '/orders/7']);
          expect([replay.status, replay.headers['location'], replay.headers['idempotent-replayed']]).toEqual([
            303,
            '/orders/7',
            'true',
          ]);
          expect(text(replay)).toBe(text(first));
          expect(first.headers['set-cookie']).toBeDefined();
          expect(replay.headers['set-cookie']).toBeUndefined();
          expect(runs).toBe(1);
        },
      );
    });

    it('C25 [15.12] res.write over several turns, res.sendFile and a piped file stream go out whole and are not stored', async () => {
      const runs = { write: 0, send: 0, pipe: 0 };
      await withExpress(
        express,
        ({ app, idem }) => {
          app.use(idem);
          app.post('/write', (_req, res) => {
            runs.write++;
            res.status(200).type('text/plain');
            res.write('one ');
            setTimeout(() => res.end('two'), 20);
          });
          app.post('/send', (_req, res, next) => {
            runs.send++;
            res.sendFile(file, (error) => {
              if (error) next(error);
            });
          });
          app.post('/pipe', (_req, res) => {
            runs.pipe++;
            res.type('application/octet-stream');
            createReadStream(file).pipe(res);
          });
          return undefined;
        },
        async (app) => {
          for (let attempt = 0; attempt < 2; attempt++) {
            const written = await app.keyed('/write', 'w');
            expect([written.status, text(written), written.headers['idempotent-replayed']]).toEqual([
              200,
              'one two',
              undefined,
            ]);
            for (const path of ['/send', '/pipe']) {
              const sent = await app.keyed(path, `k${path}`);
              expect([sent.status, sent.body.length], path).toEqual([200, FILE_BYTES]);
              expect(sent.body.every((byte) => byte === 7)).toBe(true);
              expect(sent.headers['idempotent-replayed']).toBeUndefined();
            }
          }
          expect(runs).toEqual({ write: 2, send: 2, pipe: 2 });
        },
      );
    });

    it('C25 a res.send body over maxBodyBytes reaches the client whole; it is not stored and the key is released', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.post('/big', idem.route(), (_req, res) => {
            runs++;
            res.send(Buffer.alloc(4096, 1));
          });
          return undefined;
        },
        async (app) => {
          for (let attempt = 0; attempt < 2; attempt++) {
            const big = await app.keyed('/big', 'b');
            expect([big.status, big.body.length, big.headers['idempotent-replayed']]).toEqual([
              200,
              4096,
              undefined,
            ]);
          }
          expect(runs).toBe(2);
        },
        { maxBodyBytes: 1024 },
      );
    });
  });
}
