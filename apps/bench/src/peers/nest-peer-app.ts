/**
 * The one Nest 12 + `@nestjs/platform-express` app the Nest (Express) peer group measures: the same controller,
 * the same handlers and the same `NestFactory.create` options whichever idempotency library (if any) it runs
 * with, so that the group's ratios compare the libraries and nothing else.
 *
 * Its shape is the one @node-idempotency/nestjs can work with, since that library stores what a handler
 * returns and cannot see what one writes through `@Res()`: `POST /orders`, `GET /stats` and `POST /stats/reset`
 * take `@Req()` and `@Res({ passthrough: true })`, set status and headers on the response, and return the text
 * body for Nest to send (an error status, 400, is thrown as an `HttpException` for the exception filter). Like
 * any Nest handler, a 2xx or 3xx other than the route's default (201) is sent as 201: Nest sets the route's
 * status when it writes the returned value.
 *
 * What each library needs is its own cost, in its own variant: idempo's README creates the app with
 * `{ rawBody: true }` (so that fingerprints cover the bytes received), so only the idempo variant sets it.
 *
 * No decorator syntax and no constructor injection, as in apps/reference: the decorators are applied as functions.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { ReferenceResponse, ReferenceService } from '@idempo/testing/reference';
import {
  Controller,
  type DynamicModule,
  Get,
  HttpException,
  Module,
  Post,
  Req,
  Res,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { referenceInput, writeHead } from './express-io.js';
import type { PeerStartOptions, RunningPeer } from './peer-types.js';

/** The three routes the peer servers serve, by handler name. */
const HANDLERS = {
  createOrder: { id: 'POST /orders', decorate: Post, keyed: true },
  stats: { id: 'GET /stats', decorate: Get, keyed: false },
  resetStats: { id: 'POST /stats/reset', decorate: Post, keyed: false },
} as const;

/** How one library is set up in the app. */
export interface NestPeerAppSetup {
  /** The modules the root module imports (the library's module). Default none. */
  readonly imports?: readonly DynamicModule[] | undefined;
  /** Applied to the handler of `POST /orders` only (the library's decorator). Default none. */
  readonly decorateKeyed?: MethodDecorator | undefined;
  /** `NestFactory.create`'s `rawBody`. Default `false`. */
  readonly rawBody?: boolean | undefined;
}

/**
 * The value a Nest handler returns for `answer`, after `writeHead` set its status and headers: the text body
 * (Nest sends it with `res.send`, keeping the content type). Binary and streamed bodies (`?bytes=`) are not
 * served by the peer servers: Nest would send a returned Buffer as JSON.
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

function ordersController(
  service: ReferenceService,
  decorateKeyed: MethodDecorator | undefined,
): Type<unknown> {
  class OrdersController {}
  const proto = OrdersController.prototype as unknown as Record<string, unknown>;
  for (const [name, { id, decorate, keyed }] of Object.entries(HANDLERS)) {
    const route = service.route(id);
    proto[name] = async (req: Request, res: Response): Promise<string> => {
      const answer = await route.handle(referenceInput(req));
      writeHead(res, answer);
      return returned(answer);
    };
    const descriptor = Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor;
    decorate(route.pattern)(proto, name, descriptor);
    if (keyed && decorateKeyed) decorateKeyed(proto, name, descriptor);
    Req()(proto, name, 0);
    Res({ passthrough: true })(proto, name, 1);
  }
  Controller()(OrdersController);
  return OrdersController;
}

/** Starts the app with `setup` on `host:port` (0: a free port); resolves to its port and its `close`. */
export async function startNestPeerApp(
  service: ReferenceService,
  setup: NestPeerAppSetup,
  listen: { readonly host: string; readonly port: number },
): Promise<{ port: number; close(): Promise<void> }> {
  class PeerAppModule {}
  Module({
    imports: [...(setup.imports ?? [])],
    controllers: [ordersController(service, setup.decorateKeyed)],
  })(PeerAppModule);
  // Only errors are logged, to stderr: stdout carries the one "listening on" line.
  const app = await NestFactory.create<NestExpressApplication>(PeerAppModule, {
    logger: ['error'],
    ...(setup.rawBody ? { rawBody: true } : {}),
  });
  await app.listen(listen.port, listen.host);
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address() as AddressInfo;
  return { port, close: () => app.close() };
}

/** Starts the app with no idempotency library: the group's baseline. */
export async function startNestPeerBare(options: PeerStartOptions): Promise<RunningPeer> {
  const app = await startNestPeerApp(options.service, {}, options);
  return { port: app.port, description: 'nest 12 (peer app), no idempotency library', close: app.close };
}
