/** The reference app under test: a real Nest application (Express or Fastify platform) on 127.0.0.1, port 0. */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { AdapterApp, AdapterAppOptions } from '@idempo/testing';
import { createReferenceService, principalFromAuthorization } from '@idempo/testing/reference';
import { type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IdempotencyModule, type PlatformRequest } from '../../src/index.js';
import { sendHttp } from './http-client.js';
import { referenceController } from './reference-controller.js';

/** The two platforms. */
export type Platform = 'express' | 'fastify';

/**
 * Creates a Nest application on `platform` with `{ rawBody: true }` and the octet-stream parser; on Fastify, a
 * `multipart/form-data` parser that leaves the body to the handler.
 */
export async function createNestApp(
  platform: Platform,
  module: Type<unknown>,
  rawBody = true,
): Promise<INestApplication> {
  if (platform === 'express') {
    const app = await NestFactory.create<NestExpressApplication>(module, {
      rawBody,
      logger: false,
      abortOnError: false,
    });
    app.useBodyParser('raw', { type: 'application/octet-stream' });
    return app;
  }
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
    rawBody,
    logger: false,
    abortOnError: false,
  });
  app.useBodyParser('application/octet-stream');
  // What an upload plugin does (@fastify/multipart): the parser leaves the body, the handler reads `request.raw`.
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
  return app;
}

/** Listens on 127.0.0.1 and returns the port. */
export async function listen(app: INestApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  return ((app.getHttpServer() as { address(): AddressInfo }).address() as AddressInfo).port;
}

/** The principal of the reference app: `Authorization: Bearer <name>`. */
export function referencePrincipal(request: { context: PlatformRequest }): string | undefined {
  return principalFromAuthorization(request.context.headers['authorization']);
}

/** The reference routes behind `IdempotencyModule.forRoot(options)` on `platform`, as an {@link AdapterApp}. */
export async function referenceNestApp(platform: Platform, options: AdapterAppOptions): Promise<AdapterApp> {
  const service = createReferenceService();
  @Module({
    imports: [IdempotencyModule.forRoot({ ...options, principal: referencePrincipal })],
    controllers: [referenceController(service)],
  })
  class ReferenceAppModule {}
  const app = await createNestApp(platform, ReferenceAppModule);
  const port = await listen(app);
  return { request: (req) => sendHttp(port, req), close: () => app.close() };
}
