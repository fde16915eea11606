/**
 * The reference app on Fastify 5: `await app.register(idempotency, ...)` from @idempo/fastify before the routes,
 * each route with its `config.idempotency`. Fastify parses JSON and text; a parser of its own keeps
 * `application/octet-stream` bodies as bytes. `POST /forms` takes uploads as a real upload handler does: the
 * multipart parser leaves the stream alone (`done(null)`) and the handler reads `request.raw` itself.
 */
import { idempotency } from '@idempo/fastify';
import { principalFromAuthorization } from '@idempo/testing/reference';
import Fastify, { type FastifyRequest } from 'fastify';
import type { StartFramework } from '../framework.js';

/** Reads the request stream to its end, as an upload handler does. */
async function readRaw(request: FastifyRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request.raw) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the Fastify variant on `host:port`. */
export const start: StartFramework = async ({ idempotency: options, service, host, port }) => {
  const app = Fastify();
  if (options) {
    await app.register(idempotency, {
      ...options,
      principal: (request) => principalFromAuthorization(request.header('authorization')),
    });
  }
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
  app.setErrorHandler((error, _request, reply) => {
    console.error(`reference app: ${error instanceof Error ? error.message : String(error)}`);
    return reply.code(500).type('text/plain; charset=utf-8').send('internal error');
  });
  for (const route of service.routes) {
    const readsStream = route.id === 'POST /forms';
    app.route({
      method: route.method,
      url: route.pattern,
      config: { idempotency: route.idempotency },
      handler: async (request, reply) => {
        const mark = request.url.indexOf('?');
        const answer = await route.handle({
          params: request.params as Record<string, string>,
          query: mark < 0 ? '' : request.url.slice(mark + 1),
          body: readsStream ? await readRaw(request) : request.body,
          contentType: request.headers['content-type'],
          principal: principalFromAuthorization(request.headers.authorization),
        });
        reply.code(answer.status).headers(answer.headers as Record<string, string | string[]>);
        const { body } = answer;
        // Text and bytes as they are; a web ReadableStream is sent as a stream.
        return typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body) : body;
      },
    });
  }
  await app.listen({ host, port });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => app.close(),
  };
};
