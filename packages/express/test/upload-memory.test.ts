/**
 * A 200 MB keyed upload to an Express app without a body parser, whose handler reads `req` itself [15.11]:
 * idempo reads at most `maxRequestBodyBytes` (1 MiB) of it, core answers 413 and the rest is discarded as it
 * arrives, so the process grows by far less than the upload, on Express 5 and 4, with and without a
 * Content-Length; the connection stays usable. Without a key the handler streams the whole upload. The figures
 * are printed.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { peakGrowth, UPLOAD_BYTES, upload } from '../../core/test/support/upload-memory.js';
import { EXPRESS_VERSIONS, text, withExpress } from './support/harness.js';

/** A 200 MB upload to the route, with a key or without. */
const send = (port: number, key: string | undefined, declared: boolean) =>
  upload(port, {
    path: '/upload',
    headers: { 'content-type': 'application/octet-stream', ...(key ? { 'idempotency-key': key } : {}) },
    declared,
  });

for (const { name, express } of EXPRESS_VERSIONS) {
  describe(`${name}: a 200 MB upload without a body parser`, () => {
    it('I10 H47 [15.11] keyed, chunked and with Content-Length: 413 problem+json, at most the 1 MiB limit read; RSS grows by far less than the upload; unkeyed it streams through', async () => {
      let runs = 0;
      await withExpress(
        express,
        ({ app, idem }) => {
          app.post('/upload', idem.route(), async (req, res) => {
            runs++;
            let size = 0;
            for await (const chunk of req) size += (chunk as Buffer).length;
            res.status(201).json({ size });
          });
          app.post('/small', idem.route(), (_req, res) => {
            res.status(201).send('small');
          });
          return undefined;
        },
        async (app) => {
          const figures: string[] = [];
          for (const declared of [false, true]) {
            const { result, growthMb } = await peakGrowth(() => send(app.port, randomUUID(), declared));
            figures.push(
              `keyed ${declared ? 'Content-Length' : 'chunked'}: ${result.status} (${result.sentMb} MB sent), +${growthMb.toFixed(1)} MB`,
            );
            console.log(`${name}, no body parser, 200 MB upload, peak RSS growth: ${figures.at(-1)}`);
            expect(result.status).toBe(413);
            expect(JSON.parse(result.body)).toMatchObject({ code: 'request_too_large' });
            expect(growthMb).toBeLessThan(64);
          }
          expect(runs, 'the handler never ran for a 413').toBe(0);
          expect(text(await app.keyed('/small', randomUUID())), 'the server still answers').toBe('small');
          const unkeyed = await peakGrowth(() => send(app.port, undefined, false));
          figures.push(
            `unkeyed chunked (the handler streams it): ${unkeyed.result.status} (${unkeyed.result.sentMb} MB sent), +${unkeyed.growthMb.toFixed(1)} MB`,
          );
          console.log(`${name}, no body parser, 200 MB upload, peak RSS growth: ${figures.at(-1)}`);
          expect(unkeyed.result.status).toBe(201);
          expect(JSON.parse(unkeyed.result.body)).toEqual({ size: UPLOAD_BYTES });
        },
      );
    }, 120_000);
  });
}
