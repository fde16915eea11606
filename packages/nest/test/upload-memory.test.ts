/**
 * A 200 MB keyed upload to a handler that reads the stream itself [15.11]: idempo reads at most
 * `maxRequestBodyBytes` (1 MiB) of it, answers 413 and discards the rest as it arrives, so the process grows by
 * far less than the upload, on both platforms, with and without a Content-Length. The figures are printed.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { MemoryStore } from '@idempo/core';
import { type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peakGrowth, upload } from '../../core/test/support/upload-memory.js';
import { IdempotencyModule } from '../src/index.js';
import { createNestApp, listen, type Platform } from './support/nest-app.js';
import { StreamedController, uploadRuns } from './support/upload-controllers.js';

/** A 200 MB upload (a multipart body's content type) to the streamed route, with a key or without. */
const send = (port: number, key: string | undefined, declared: boolean) =>
  upload(port, {
    path: '/streamed',
    headers: {
      'content-type': 'multipart/form-data; boundary=x',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    declared,
  });

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
        const { result, growthMb } = await peakGrowth(() => send(port, randomUUID(), declared));
        figures.push(
          `keyed ${declared ? 'Content-Length' : 'chunked'}: ${result.status} (${result.sentMb} MB sent), +${growthMb.toFixed(1)} MB`,
        );
        expect(result.status).toBe(413);
        expect(growthMb).toBeLessThan(64);
      }
      expect(uploadRuns['streamed']).toBeUndefined();
      const unkeyed = await peakGrowth(() => send(port, undefined, false));
      figures.push(
        `unkeyed chunked (the handler streams it): ${unkeyed.result.status} (${unkeyed.result.sentMb} MB sent), +${unkeyed.growthMb.toFixed(1)} MB`,
      );
      expect(unkeyed.result.status).toBe(201);
      console.log(`nest-${platform}, 200 MB upload, peak RSS growth: ${figures.join('; ')}`);
    }, 120_000);
  });
}
