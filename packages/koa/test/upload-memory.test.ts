/**
 * A 200 MB keyed upload to a Koa app without a body parser, whose handler reads `ctx.req` itself [15.11]:
 * idempo reads at most `maxRequestBodyBytes` (1 MiB) of it, core answers 413 and the rest is discarded as it
 * arrives, so the process grows by far less than the upload, on Koa 3 and Koa 2, with and without a
 * Content-Length. Without a key the handler streams the whole upload. The figures are printed.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { KOA_VERSIONS, withKoa } from './support/harness.js';

const TOTAL = 200 * 1024 * 1024;
const PIECE = new Uint8Array(64 * 1024).fill(0x61);
const MB = 1024 * 1024;

/**
 * Uploads `TOTAL` bytes (pieces of one reused buffer, so the client costs nothing) and resolves with the status
 * and the response body once the response has ended and the upload has finished or been cut.
 */
async function upload(port: number, key: string | undefined, declared: boolean) {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (key) headers['idempotency-key'] = key;
  if (declared) headers['content-length'] = String(TOTAL);
  const agent = new Agent({ keepAlive: false });
  const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/upload', headers, agent });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    outgoing.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    outgoing.on('error', reject);
  });
  let sent = 0;
  const written = (async () => {
    for (; sent < TOTAL && !outgoing.destroyed; sent += PIECE.length) {
      if (!outgoing.write(PIECE)) await Promise.race([once(outgoing, 'drain'), once(outgoing, 'close')]);
    }
    outgoing.end();
  })().catch(() => undefined);
  const answer = await response;
  await written;
  agent.destroy();
  return { ...answer, sentMb: Math.round(sent / MB) };
}

/** Runs `work` while sampling the resident set size; returns its result and the peak growth in MB. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growthMb: (peak - base) / MB };
  } finally {
    clearInterval(timer);
  }
}

for (const { name, Koa } of KOA_VERSIONS) {
  describe(`${name}: a 200 MB upload without a body parser`, () => {
    it('H47 [15.11] keyed, chunked and with Content-Length: 413 problem+json, at most the 1 MiB limit read; RSS grows by far less than the upload; unkeyed it streams through', async () => {
      let runs = 0;
      await withKoa(
        Koa,
        ({ router, idem }) => {
          router.post('/upload', idem.route(), async (ctx: Context) => {
            runs++;
            let size = 0;
            for await (const chunk of ctx.req) size += (chunk as Buffer).length;
            ctx.status = 201;
            ctx.body = { size };
          });
        },
        async (app) => {
          const figures: string[] = [];
          for (const declared of [false, true]) {
            const { result, growthMb } = await peakGrowth(() => upload(app.port, randomUUID(), declared));
            figures.push(
              `keyed ${declared ? 'Content-Length' : 'chunked'}: ${result.status} (${result.sentMb} MB sent), +${growthMb.toFixed(1)} MB`,
            );
            console.log(`${name}, no body parser, 200 MB upload, peak RSS growth: ${figures.at(-1)}`);
            expect(result.status).toBe(413);
            expect(JSON.parse(result.body)).toMatchObject({ code: 'request_too_large' });
            expect(growthMb).toBeLessThan(64);
          }
          expect(runs, 'the handler never ran for a 413').toBe(0);
          const unkeyed = await peakGrowth(() => upload(app.port, undefined, false));
          figures.push(
            `unkeyed chunked (the handler streams it): ${unkeyed.result.status} (${unkeyed.result.sentMb} MB sent), +${unkeyed.growthMb.toFixed(1)} MB`,
          );
          console.log(`${name}, no body parser, 200 MB upload, peak RSS growth: ${figures.at(-1)}`);
          expect(unkeyed.result.status).toBe(201);
          expect(JSON.parse(unkeyed.result.body)).toEqual({ size: TOTAL });
        },
      );
    }, 120_000);
  });
}
