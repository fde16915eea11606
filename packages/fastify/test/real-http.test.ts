/**
 * Over a real socket rather than `inject`: Node joins repeated header field lines with ", ", and two
 * Idempotency-Key lines must still be a 400 (A5), bare or quoted; one line is accepted.
 */
import { connect } from 'node:net';
import { MemoryStore } from '@idempo/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  app = Fastify();
  await app.register(idempotency, { store: new MemoryStore() });
  app.post('/orders', async (_request, reply) => reply.code(201).send({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(() => app.close());

/** Sends a raw HTTP/1.1 request with these header lines and resolves with the status code. */
function status(headerLines: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      const body = '{"item":"book"}';
      socket.write(
        [
          'POST /orders HTTP/1.1',
          'Host: 127.0.0.1',
          'Connection: close',
          'Content-Type: application/json',
          `Content-Length: ${body.length}`,
          ...headerLines,
          '',
          body,
        ].join('\r\n'),
      );
    });
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1])));
    socket.on('error', reject);
  });
}

it('A5 two Idempotency-Key field lines are a 400 over HTTP, quoted or bare, equal or not', async () => {
  expect(await status(['Idempotency-Key: "a1"', 'Idempotency-Key: "a1"'])).toBe(400);
  expect(await status(['Idempotency-Key: b1', 'Idempotency-Key: b1'])).toBe(400);
  expect(await status(['Idempotency-Key: "c1"', 'idempotency-key: "c2"'])).toBe(400);
  expect(await status(['Idempotency-Key: "d1"'])).toBe(201);
  expect(await status(['Idempotency-Key: "d1"'])).toBe(201);
});
