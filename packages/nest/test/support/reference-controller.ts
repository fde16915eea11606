/**
 * The reference routes as a Nest controller, built without decorator syntax (so that no design metadata is
 * needed): each route is a handler taking `@Req()` and `@Res()`, which writes the reference handler's answer with
 * the platform's own response API (the same calls on Express and Fastify), streams included.
 */
import { Readable } from 'node:stream';
import {
  principalFromAuthorization,
  ReferenceHttpError,
  type ReferenceResponse,
  type ReferenceService,
} from '@idempo/testing/reference';
import { Controller, Get, HttpException, Post, Put, Req, Res, type Type } from '@nestjs/common';
import { Idempotent, SkipIdempotency } from '../../src/index.js';

/** What the handlers use of Express's `Request` / a `FastifyRequest`. */
interface AnyRequest {
  readonly params?: Record<string, string>;
  readonly originalUrl?: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawBody?: Buffer;
  readonly body?: unknown;
  /** Fastify: the Node.js request. */
  readonly raw?: AsyncIterable<Buffer>;
}

/** What the handlers use of Express's `Response` / a `FastifyReply`: the calls both have. */
interface AnyResponse {
  status(code: number): AnyResponse;
  header(name: string, value: string | readonly string[]): AnyResponse;
  send(body?: unknown): unknown;
  readonly raw?: NodeJS.WritableStream;
}

const ROUTE_DECORATORS = { GET: Get, POST: Post, PUT: Put } as const;

function write(res: AnyResponse, answer: ReferenceResponse): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.header(name, value);
  const body = answer.body;
  if (body instanceof ReadableStream) {
    const stream = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
    if (res.raw)
      res.send(stream); // Fastify
    else stream.pipe(res as unknown as NodeJS.WritableStream); // Express
    return;
  }
  res.send(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}

/**
 * The request body, read from the Node.js request stream as an upload handler does (Express's request is the
 * stream; on Fastify, the multipart parser left it in `request.raw`).
 */
async function readStream(req: AnyRequest): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req.raw ?? (req as unknown as AsyncIterable<Buffer>)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A controller class serving every route of `service`; `POST /forms` reads the request stream itself. */
export function referenceController(service: ReferenceService): Type<unknown> {
  class ReferenceController {}
  const proto = ReferenceController.prototype as unknown as Record<string, unknown>;
  for (const [index, route] of service.routes.entries()) {
    const name = `route${index}`;
    proto[name] = async (req: AnyRequest, res: AnyResponse): Promise<void> => {
      const url = req.originalUrl ?? req.url;
      const mark = url.indexOf('?');
      const contentType = req.headers['content-type'];
      const answer = await route
        .handle({
          params: req.params,
          query: mark < 0 ? '' : url.slice(mark + 1),
          body: route.id === 'POST /forms' ? await readStream(req) : (req.rawBody ?? req.body),
          contentType: typeof contentType === 'string' ? contentType : undefined,
          principal: principalFromAuthorization(req.headers['authorization']),
        })
        .catch((error: unknown) => {
          // A reference HTTP error as Nest's own.
          if (error instanceof ReferenceHttpError) throw new HttpException(error.message, error.status);
          throw error;
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
