/**
 * The reference app on Nest with `@nestjs/platform-express`: `IdempotencyModule.forRoot()` (the interceptor
 * registered for every route), one controller whose handlers take `@Req()` and `@Res()` and write the reference
 * answer with the platform's response API. `POST /forms` takes uploads as a real upload handler does: it reads
 * the request stream itself (Express's request; on Fastify `request.raw`, which the multipart parser of
 * `nest-fastify.ts` leaves alone). No decorator syntax: the decorators are applied as functions and no
 * constructor needs injecting, so this builds with esbuild alone (no `emitDecoratorMetadata`). `nest-fastify.ts`
 * reuses {@link startNest}.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { IdempotencyModule, Idempotent, type PlatformRequest, SkipIdempotency } from '@idempo/nest';
import type { ReferenceResponse, ReferenceService } from '@idempo/testing/reference';
import { principalFromAuthorization } from '@idempo/testing/reference';
import {
  Controller,
  Get,
  type INestApplication,
  Module,
  Post,
  Put,
  Req,
  Res,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { FrameworkStartOptions, StartFramework } from '../framework.js';

/** What the handlers use of Express's `Request` and of a `FastifyRequest`. */
interface AnyRequest extends PlatformRequest {
  readonly params?: Record<string, string>;
}

/** Reads the request stream to its end, as an upload handler does. */
async function readStream(req: AnyRequest): Promise<Buffer> {
  const stream = (req.raw ?? req) as unknown as AsyncIterable<Buffer>;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The calls Express's `Response` and a `FastifyReply` both have. */
interface AnyResponse {
  status(code: number): unknown;
  header(name: string, value: string | readonly string[]): unknown;
  send(body?: unknown): unknown;
  /** Fastify's reply only. */
  readonly raw?: unknown;
}

const ROUTE_DECORATORS = { GET: Get, POST: Post, PUT: Put } as const;

function write(res: AnyResponse, answer: ReferenceResponse): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.header(name, value);
  const body = answer.body;
  if (body instanceof ReadableStream) {
    const stream = Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
    if (res.raw) res.send(stream);
    else stream.pipe(res as unknown as NodeJS.WritableStream);
    return;
  }
  res.send(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}

function referenceController(service: ReferenceService): Type<unknown> {
  class ReferenceController {}
  const proto = ReferenceController.prototype as unknown as Record<string, unknown>;
  for (const [index, route] of service.routes.entries()) {
    const name = `route${index}`;
    const readsStream = route.id === 'POST /forms';
    proto[name] = async (req: AnyRequest, res: AnyResponse): Promise<void> => {
      const url = req.originalUrl ?? req.url ?? '/';
      const mark = url.indexOf('?');
      const contentType = req.headers['content-type'];
      const answer = await route.handle({
        params: req.params,
        query: mark < 0 ? '' : url.slice(mark + 1),
        body: readsStream ? await readStream(req) : (req.rawBody ?? req.body),
        contentType: typeof contentType === 'string' ? contentType : undefined,
        principal: principalFromAuthorization(req.headers['authorization']),
      });
      write(res, answer);
    };
    const descriptor = Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor;
    ROUTE_DECORATORS[route.method](route.pattern)(proto, name, descriptor);
    if (route.idempotency === false) SkipIdempotency()(proto, name, descriptor);
    else if (route.idempotency) Idempotent(route.idempotency)(proto, name, descriptor);
    Req()(proto, name, 0);
    Res()(proto, name, 1);
  }
  Controller()(ReferenceController);
  return ReferenceController;
}

/** Starts the reference app on Nest with the application `create` makes. */
export async function startNest(
  options: FrameworkStartOptions,
  create: (module: Type<unknown>) => Promise<INestApplication>,
): Promise<{ port: number; close(): Promise<void> }> {
  class ReferenceAppModule {}
  Module({
    imports: options.idempotency
      ? [
          IdempotencyModule.forRoot<PlatformRequest>({
            ...options.idempotency,
            principal: ({ context }) => principalFromAuthorization(context.headers['authorization']),
          }),
        ]
      : [],
    controllers: [referenceController(options.service)],
  })(ReferenceAppModule);
  const app = await create(ReferenceAppModule);
  await app.listen(options.port, options.host);
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address() as AddressInfo;
  return { port, close: () => app.close() };
}

/** Nest on Express, created with `{ rawBody: true }` and a raw parser for `application/octet-stream`. */
export const start: StartFramework = (options) =>
  startNest(options, async (module) => {
    // Only errors are logged, to stderr: stdout carries the one "listening on" line.
    const app = await NestFactory.create<NestExpressApplication>(module, {
      rawBody: true,
      logger: ['error'],
    });
    app.useBodyParser('raw', { type: 'application/octet-stream' });
    return app;
  });
