/**
 * The @node-idempotency/nestjs peer (1.0.4) on Nest 12 with `@nestjs/platform-express`, over its memory or Redis
 * storage adapter, set up as its README says: `NodeIdempotencyModule.forRootAsync({ storage })` and `@Idempotent()`
 * on the handler of `POST /orders` (GET /stats and POST /stats/reset are plain routes).
 *
 * The interceptor stores what the handler returns, so the handler returns the reference body (the reference Nest
 * variant writes it through `@Res()` instead, which this library cannot see): `@Res({ passthrough: true })` sets
 * the status and headers first, and an error status (400) is thrown as an `HttpException`, the Nest way, so that the
 * exception filter answers it. Like any Nest handler, a 2xx or 3xx other than the route's default (201) is sent
 * as 201: Nest sets the route's status when it writes the returned value.
 *
 * No decorator syntax and no constructor injection, as in apps/reference: the decorators are applied as functions.
 * The library's own classes carry their `design:paramtypes`, so Nest injects them.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { ReferenceResponse, ReferenceService } from '@idempo/testing/reference';
import { Controller, Get, HttpException, Module, Post, Req, Res, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Idempotent, NodeIdempotencyModule, StorageAdapterEnum } from '@node-idempotency/nestjs';
import type { Request, Response } from 'express';
import { referenceInput, writeHead } from './express-io.js';
import type { PeerStartOptions, RunningPeer } from './peer-types.js';
import { freshRedisPrefix, type RedisPrefixCleanup, removeRedisPrefix } from './redis-prefix.js';

/** Where node-idempotency keeps its records. */
export type NodeIdempotencyStorage = 'memory' | 'redis';

/**
 * The value a Nest handler returns for `answer`, after `writeHead` set its status and headers: the text body
 * (Nest sends it with `res.send`, keeping the content type). Binary and streamed bodies (`?bytes=`) are not
 * served by this peer: Nest would send a returned Buffer as JSON.
 */
function returned(answer: ReferenceResponse): string {
  const body = answer.body;
  if (typeof body !== 'string') throw new Error('the peer servers serve text bodies only (no ?bytes=)');
  if (answer.status >= 400) throw new HttpException(parsedOrText(body), answer.status);
  return body;
}

function parsedOrText(text: string): string | Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return text;
  }
}

function ordersController(service: ReferenceService): Type<unknown> {
  class OrdersController {}
  const proto = OrdersController.prototype as unknown as Record<string, unknown>;
  const handlers = {
    createOrder: { id: 'POST /orders', decorate: Post, idempotent: true },
    stats: { id: 'GET /stats', decorate: Get, idempotent: false },
    resetStats: { id: 'POST /stats/reset', decorate: Post, idempotent: false },
  } as const;
  for (const [name, { id, decorate, idempotent }] of Object.entries(handlers)) {
    const route = service.route(id);
    proto[name] = async (req: Request, res: Response): Promise<string> => {
      const answer = await route.handle(referenceInput(req));
      writeHead(res, answer);
      return returned(answer);
    };
    const descriptor = Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor;
    decorate(route.pattern)(proto, name, descriptor);
    if (idempotent) Idempotent()(proto, name, descriptor);
    Req()(proto, name, 0);
    Res({ passthrough: true })(proto, name, 1);
  }
  Controller()(OrdersController);
  return OrdersController;
}

/** Starts the Nest app with node-idempotency over `storage`. Redis: `REDIS_URL`, a fresh key prefix per start. */
export async function startNestNodeIdempotency(
  options: PeerStartOptions,
  storage: NodeIdempotencyStorage,
): Promise<RunningPeer> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = storage === 'redis' ? freshRedisPrefix() : undefined;
  class PeerAppModule {}
  Module({
    imports: [
      NodeIdempotencyModule.forRootAsync({
        storage:
          storage === 'redis'
            ? { adapter: StorageAdapterEnum.redis, options: { url } }
            : { adapter: StorageAdapterEnum.memory },
        ...(prefix === undefined ? {} : { cacheKeyPrefix: prefix }),
      }),
    ],
    controllers: [ordersController(options.service)],
  })(PeerAppModule);
  // Only errors are logged, to stderr: stdout carries the one "listening on" line.
  const app = await NestFactory.create<NestExpressApplication>(PeerAppModule, { logger: ['error'] });
  await app.listen(options.port, options.host);
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address() as AddressInfo;
  const cleanup: RedisPrefixCleanup | undefined =
    prefix === undefined ? undefined : { url, pattern: `${prefix}:*` };
  return {
    port,
    description:
      storage === 'redis'
        ? `nest 12 + @node-idempotency/nestjs 1.0.4 over redis ${url} prefix ${prefix}`
        : 'nest 12 + @node-idempotency/nestjs 1.0.4 over memory (its in-process Map)',
    async close() {
      // Closing the app destroys the module, which disconnects the storage adapter's client.
      await app.close();
      if (cleanup) await removeRedisPrefix(cleanup);
    },
  };
}
