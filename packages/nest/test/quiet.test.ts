/** Replays, rejections and captured answers leave nothing in the logs of Nest or of Fastify. */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { MemoryStore } from '@idempo/core';
import { createReferenceService } from '@idempo/testing/reference';
import { type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { expect, it } from 'vitest';
import { IdempotencyModule } from '../src/index.js';
import { sendHttp } from './support/http-client.js';
import { listen } from './support/nest-app.js';
import { referenceController } from './support/reference-controller.js';
import { ThingsController } from './support/things.js';

it('fastify: no warning or error from Fastify or Nest for replays, rejections and stored answers', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger: LoggerService = {
    log: () => undefined,
    warn: (message: unknown) => lines.push(`nest warn ${String(message)}`),
    error: (message: unknown) => lines.push(`nest error ${String(message)}`),
  };
  @Module({
    imports: [IdempotencyModule.forRoot({ store: new MemoryStore(), onHandlerError: 'store' })],
    controllers: [ThingsController, referenceController(createReferenceService())],
  })
  class AppModule {}
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    new FastifyAdapter({ logger: { level: 'warn', stream } }),
    { rawBody: true, logger, abortOnError: false },
  );
  try {
    const port = await listen(app);
    for (const path of ['/things', '/things/missing', '/orders']) {
      const key = randomUUID();
      const request = {
        method: 'POST',
        path,
        headers: { 'idempotency-key': key, 'content-type': 'application/json' },
        body: '{}',
      };
      await sendHttp(port, request);
      expect((await sendHttp(port, request)).headers['idempotent-replayed']).toBe('true');
      expect((await sendHttp(port, { ...request, body: '{"x":1}' })).status).toBe(422);
    }
    expect(
      (await sendHttp(port, { method: 'POST', path: '/things', headers: { 'idempotency-key': '"' } })).status,
    ).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toEqual([]);
  } finally {
    await app.close();
  }
});
