/** The reference app on Nest with `@nestjs/platform-fastify` (the controller and module of `nest-express.ts`). */
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { StartFramework } from '../framework.js';
import { startNest } from './nest-express.js';

/**
 * Nest on Fastify, created with `{ rawBody: true }`, a parser for `application/octet-stream`, and a
 * `multipart/form-data` parser that leaves the stream to the handler (what an upload plugin does).
 */
export const start: StartFramework = (options) =>
  startNest(options, async (module) => {
    const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
      rawBody: true,
      logger: ['error'],
    });
    app.useBodyParser('application/octet-stream');
    app
      .getHttpAdapter()
      .getInstance()
      .addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
    return app;
  });
