/**
 * The reference routes (`createReferenceService()` from @idempo/testing) served by Fastify behind the plugin,
 * and an {@link AdapterApp} over `fastify.inject` (over a real socket for a request with a `signal`), for the
 * conformance suite and the Fastify-specific tests.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdapterApp, AdapterAppOptions, AdapterRequest, AdapterResponse } from '@idempo/testing';
import {
  createReferenceService,
  principalFromAuthorization,
  ReferenceHttpError,
  type ReferenceService,
} from '@idempo/testing/reference';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import Fastify50 from 'fastify50';
import { idempotency } from '../../src/index.js';

/** The Fastify versions the tests run against: the newest and the oldest of the peer range. */
export const FASTIFY_VERSIONS = [
  { name: 'fastify', create: () => Fastify() },
  { name: 'fastify 5.0.0', create: () => Fastify50() as unknown as FastifyInstance },
] as const;

/** Where and how the plugin is registered. */
export interface ReferenceAppOptions {
  /** Makes the Fastify instance. Default: the newest Fastify. */
  readonly create?: (() => FastifyInstance) | undefined;
  /** Registers the plugin and the routes inside an encapsulated plugin under this prefix (e.g. `/v1`). */
  readonly prefix?: string | undefined;
  /**
   * How the suite's requests reach the app: `inject` (light-my-request, over a real socket only for a request with
   * a `signal`) or `http` (every request over a real socket, as Node's `IncomingMessage`). Default: `inject`.
   */
  readonly transport?: 'inject' | 'http' | undefined;
}

function principal(request: FastifyRequest): string | undefined {
  return principalFromAuthorization(request.headers.authorization);
}

/** Reads the request stream to its end, as an upload handler does. */
async function readRaw(request: FastifyRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request.raw) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Adds the reference routes to `scope`, each with its `config.idempotency`. */
export function addReferenceRoutes(scope: FastifyInstance, service: ReferenceService): void {
  // Fastify parses JSON and text itself; raw bytes need a parser of their own.
  scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  // Uploads as a real upload handler takes them: the parser leaves the stream, the handler reads request.raw.
  scope.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
  for (const route of service.routes) {
    const readsStream = route.id === 'POST /forms';
    scope.route({
      method: route.method,
      url: route.pattern,
      config: { idempotency: route.idempotency },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const mark = request.url.indexOf('?');
        const response = await route
          .handle({
            params: request.params as Record<string, string>,
            query: mark < 0 ? '' : request.url.slice(mark + 1),
            body: readsStream ? await readRaw(request) : request.body,
            contentType: request.headers['content-type'],
            principal: principal(request) ?? null,
          })
          .catch(asFastifyError);
        reply.code(response.status).headers(response.headers as Record<string, string | string[]>);
        const { body } = response;
        return typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body) : body;
      },
    });
  }
}

/** A reference HTTP error as Fastify's own: an error with a `statusCode`, answered with it. */
function asFastifyError(error: unknown): never {
  if (error instanceof ReferenceHttpError) throw Object.assign(error, { statusCode: error.status });
  throw error;
}

/** A Fastify app serving the reference routes behind the plugin, ready to be injected into. */
export async function createReferenceApp(
  options: AdapterAppOptions,
  at: ReferenceAppOptions = {},
): Promise<{ app: FastifyInstance; service: ReferenceService }> {
  const app = (at.create ?? (() => Fastify()))();
  const service = createReferenceService();
  const plugin = {
    ...options,
    principal: (request: { context: FastifyRequest }) => principal(request.context),
  };
  if (at.prefix === undefined) {
    await app.register(idempotency, plugin);
    addReferenceRoutes(app, service);
  } else {
    app.register(
      async (scope) => {
        scope.register(idempotency, plugin);
        addReferenceRoutes(scope, service);
      },
      { prefix: at.prefix },
    );
  }
  await app.ready();
  return { app, service };
}

/** Sends one suite request through `app.inject`. */
export async function inject(app: FastifyInstance, request: AdapterRequest, prefix = '') {
  const response = await app.inject({
    method: request.method as 'POST',
    url: `${prefix}${request.path}`,
    headers: request.headers as Record<string, string | string[]>,
    ...(request.body === undefined ? {} : { payload: Buffer.from(request.body) }),
  });
  return {
    status: response.statusCode,
    headers: response.headers as Record<string, string | string[]>,
    body: new Uint8Array(response.rawPayload),
  };
}

/**
 * Sends one suite request over a real socket with its `signal`: aborting it destroys the socket, as a client that
 * disconnects does. (light-my-request's `signal` cannot: it only destroys a request whose body is still being
 * sent, a no-op mid-handler.) Rejects when aborted.
 */
export function overHttp(port: number, request: AdapterRequest, prefix = ''): Promise<AdapterResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: `${prefix}${request.path}`,
        headers: request.headers as Record<string, string | string[]>,
        signal: request.signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers as Record<string, string | string[]>,
            body: new Uint8Array(Buffer.concat(chunks)),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body === undefined ? undefined : Buffer.from(request.body));
  });
}

/** The {@link AdapterApp} the conformance suite drives. */
export async function makeAdapterApp(
  options: AdapterAppOptions,
  at: ReferenceAppOptions = {},
): Promise<AdapterApp> {
  const { app } = await createReferenceApp(options, at);
  const prefix = at.prefix ?? '';
  let listening: Promise<number> | undefined;
  const port = () => {
    listening ??= app
      .listen({ host: '127.0.0.1', port: 0 })
      .then(() => (app.server.address() as AddressInfo).port);
    return listening;
  };
  return {
    request: async (request) =>
      request.signal === undefined && at.transport !== 'http'
        ? inject(app, request, prefix)
        : overHttp(await port(), request, prefix),
    close: () => app.close(),
  };
}
