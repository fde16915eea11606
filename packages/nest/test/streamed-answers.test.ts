/**
 * Answers a handler writes itself [15.12]: idempo holds back at most `maxBodyBytes` of them. Past that the key is
 * released and everything goes out untouched, never gathered into one buffer; an answer written over several
 * turns of the event loop is a stream, sent as it comes and not stored. A StreamableFile is never read at all
 * (nest-features.test.ts). The figures are printed.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { MemoryStore } from '@idempo/core';
import { type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MB, peakGrowth } from '../../core/test/support/upload-memory.js';
import { IdempotencyModule } from '../src/index.js';
import { BigAnswerController, bigRuns } from './support/big-answer-controller.js';
import { createNestApp, listen, type Platform } from './support/nest-app.js';

/** POSTs with `key` and counts the answer's bytes without keeping them. */
function post(port: number, path: string, key: string) {
  const agent = new Agent({ keepAlive: false });
  return new Promise<{ status: number; bytes: number; replayed: boolean; first: number }>(
    (resolve, reject) => {
      const outgoing = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path, headers: { 'idempotency-key': key }, agent },
        (res) => {
          let bytes = 0;
          let first = -1;
          res.on('data', (chunk: Buffer) => {
            if (first < 0) first = chunk[0] as number;
            bytes += chunk.length;
          });
          res.on('end', () => {
            agent.destroy();
            resolve({
              status: res.statusCode ?? 0,
              bytes,
              replayed: res.headers['idempotent-replayed'] === 'true',
              first,
            });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    },
  );
}

for (const platform of ['express', 'fastify'] as const satisfies readonly Platform[]) {
  describe(`nest-${platform}: answers written with @Res() past maxBodyBytes`, () => {
    let app: INestApplication;
    let port: number;
    beforeAll(async () => {
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })],
        controllers: [BigAnswerController],
      })
      class AppModule {}
      app = await createNestApp(platform, AppModule);
      port = await listen(app);
    });
    afterAll(() => app.close());
    beforeEach(() => {
      for (const name of Object.keys(bigRuns)) delete bigRuns[name];
    });

    it('I11 [15.12] 300 MB written in one synchronous loop: held back only up to the 1 MiB maxBodyBytes, then sent whole and untouched, the key released; RSS grows by far less than the answer', async () => {
      const key = randomUUID();
      const { result, growthMb } = await peakGrowth(() => post(port, '/big/sync?mb=300', key));
      console.log(
        `nest-${platform}, a 300 MB answer written synchronously: peak RSS growth +${growthMb.toFixed(1)} MB`,
      );
      expect(result.status).toBe(200);
      expect(result.bytes).toBe(300 * MB);
      expect(growthMb).toBeLessThan(150);
      const again = await post(port, '/big/sync?mb=2', key);
      expect(again.replayed).toBe(false);
      expect(bigRuns['sync']).toBe(2);
    }, 120_000);

    it('I11 [15.12] an answer written over several turns is a stream: it goes out as it comes, is not stored, and the retry runs again', async () => {
      const key = randomUUID();
      const first = await post(port, '/big/turns?kb=256', key);
      expect(first).toMatchObject({ status: 200, bytes: 256 * 1024, replayed: false, first: 0x31 });
      const again = await post(port, '/big/turns?kb=256', key);
      expect(again).toMatchObject({ status: 200, bytes: 256 * 1024, replayed: false, first: 0x32 });
      expect(bigRuns['turns']).toBe(2);
    });
  });
}
