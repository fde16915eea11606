/**
 * A 200 MB keyed upload to a handler that reads the stream itself [15.11]: idempo reads at most
 * `maxRequestBodyBytes` (1 MiB) of it, answers 413 and discards the rest as it arrives, so the process grows by
 * far less than the upload, on both platforms, with and without a Content-Length. The figures are printed.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { MemoryStore } from '@idempo/core';
import { type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyModule } from '../src/index.js';
import { createNestApp, listen, type Platform } from './support/nest-app.js';
import { StreamedController, uploadRuns } from './support/upload-controllers.js';

const TOTAL = 200 * 1024 * 1024;
const PIECE = new Uint8Array(64 * 1024).fill(0x61);
const MB = 1024 * 1024;

/**
 * Uploads `TOTAL` bytes (a multipart body's content type, pieces of one reused buffer, so the client costs
 * nothing) and resolves with the status once the response has ended and the upload has finished or been cut.
 */
async function upload(port: number, key: string | undefined, declared: boolean) {
  const headers: Record<string, string> = { 'content-type': 'multipart/form-data; boundary=x' };
  if (key) headers['idempotency-key'] = key;
  if (declared) headers['content-length'] = String(TOTAL);
  const agent = new Agent({ keepAlive: false });
  const outgoing = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/streamed',
    headers,
    agent,
  });
  const response = new Promise<number>((resolve, reject) => {
    outgoing.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
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
  const status = await response;
  await written;
  agent.destroy();
  return { status, sentMb: Math.round(sent / MB) };
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

for (const platform of ['express', 'fastify'] as const satisfies readonly Platform[]) {
  describe(`nest-${platform}: a 200 MB upload`, () => {
    let app: INestApplication;
    let port: number;
    beforeAll(async () => {
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })],
        controllers: [StreamedController],
      })
      class AppModule {}
      app = await createNestApp(platform, AppModule);
      port = await listen(app);
    });
    afterAll(() => app.close());

    it('I10 [15.11] keyed, without and with Content-Length: 413 having read at most the 1 MiB limit; RSS grows by far less than the upload', async () => {
      for (const name of Object.keys(uploadRuns)) delete uploadRuns[name];
      const figures: string[] = [];
      for (const declared of [false, true]) {
        const { result, growthMb } = await peakGrowth(() => upload(port, randomUUID(), declared));
        figures.push(
          `keyed ${declared ? 'Content-Length' : 'chunked'}: ${result.status} (${result.sentMb} MB sent), +${growthMb.toFixed(1)} MB`,
        );
        expect(result.status).toBe(413);
        expect(growthMb).toBeLessThan(64);
      }
      expect(uploadRuns['streamed']).toBeUndefined();
      const unkeyed = await peakGrowth(() => upload(port, undefined, false));
      figures.push(
        `unkeyed chunked (the handler streams it): ${unkeyed.result.status} (${unkeyed.result.sentMb} MB sent), +${unkeyed.growthMb.toFixed(1)} MB`,
      );
      expect(unkeyed.result.status).toBe(201);
      console.log(`nest-${platform}, 200 MB upload, peak RSS growth: ${figures.join('; ')}`);
    }, 120_000);
  });
}
