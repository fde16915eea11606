/**
 * J2 J4 on Nest: the interceptor applied twice to one route (globally and with `@UseInterceptors`) reserves once,
 * and `@Idempotent()` on a route keeps a disabled module off.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { MemoryStore } from '@idempo/core';
import { Controller, HttpCode, Module, Post, UseInterceptors } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { IdempotencyInterceptor, IdempotencyModule, Idempotent } from '../src/index.js';
import { sendHttp } from './support/http-client.js';
import { createNestApp, listen, type Platform } from './support/nest-app.js';

let runs = 0;

@Controller()
class TwiceController {
  @Post('twice')
  @HttpCode(201)
  @UseInterceptors(IdempotencyInterceptor)
  twice() {
    return { n: ++runs };
  }

  @Post('required')
  @HttpCode(201)
  @Idempotent({ required: true })
  required() {
    return { n: ++runs };
  }
}

async function start(platform: Platform, options: { enabled?: boolean } = {}) {
  @Module({
    imports: [IdempotencyModule.forRoot({ store: new MemoryStore(), ...options })],
    controllers: [TwiceController],
  })
  class AppModule {}
  const app = await createNestApp(platform, AppModule);
  const port = await listen(app);
  const send = (path: string, key?: string) =>
    sendHttp(port, {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: '{}',
    });
  return { app, send };
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`nest on ${platform}`, () => {
    it('J2 the global interceptor and @UseInterceptors on one route: one reservation, one execution, a replay', async () => {
      const { app, send } = await start(platform);
      try {
        const before = runs;
        const key = randomUUID();
        const first = await send('/twice', key);
        expect(first.status).toBe(201);
        const second = await send('/twice', key);
        expect(second.status).toBe(201);
        expect(second.headers['idempotent-replayed']).toBe('true');
        expect(runs - before).toBe(1);
      } finally {
        await app.close();
      }
    });

    it('J4 a module with enabled: false keeps an @Idempotent({ required: true }) route off', async () => {
      const { app, send } = await start(platform, { enabled: false });
      try {
        expect((await send('/required')).status, 'no key needed while idempo is off').toBe(201);
        const key = randomUUID();
        await send('/required', key);
        expect((await send('/required', key)).headers['idempotent-replayed']).toBeUndefined();
      } finally {
        await app.close();
      }
    });
  });
}
