/** The published build: decorator metadata survives it, and a Nest application boots from it (ESM and CJS). */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { MemoryStore } from '@idempo/core';
import { Controller, Module, Post } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { sendHttp } from './support/http-client.js';
import { createNestApp, listen } from './support/nest-app.js';

type Dist = typeof import('../src/index.js');

describe('dist', () => {
  it('keeps design:paramtypes on the injectables, in both formats', async () => {
    const esm = (await import('../dist/index.js' as string)) as Dist;
    const cjs = createRequire(import.meta.url)('../dist/index.cjs') as Dist;
    for (const dist of [esm, cjs]) {
      expect(Reflect.getMetadata('design:paramtypes', dist.IdempotencyInterceptor)).toHaveLength(2);
      expect(Reflect.getMetadata('design:paramtypes', dist.IdempotencyRoutes)).toHaveLength(3);
    }
  });

  it('boots a module from dist/index.js and replays', async () => {
    const dist = (await import('../dist/index.js' as string)) as Dist;
    let n = 0;
    @Controller('dist')
    class DistController {
      @Post()
      create() {
        return { n: ++n };
      }
    }
    @Module({
      imports: [dist.IdempotencyModule.forRoot({ store: new MemoryStore() })],
      controllers: [DistController],
    })
    class AppModule {}
    const app = await createNestApp('express', AppModule);
    try {
      const port = await listen(app);
      const request = { method: 'POST', path: '/dist', headers: { 'idempotency-key': randomUUID() } };
      const first = await sendHttp(port, request);
      const second = await sendHttp(port, request);
      expect(first.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(Buffer.from(second.body).toString()).toBe('{"n":1}');
    } finally {
      await app.close();
    }
  });
});
