/**
 * Answers without a body (issue 15 item 14): a replay carries exactly the header fields the original had, no
 * Content-Type or Content-Length that Fastify would add or that it removed from the original (a 204 sent with a
 * payload, a 304, an empty text answer).
 */
import { MemoryStore } from '@idempo/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { FASTIFY_VERSIONS } from './support/reference-app.js';

/** Each route's answer, by URL. */
const ANSWERS: Record<string, (reply: FastifyReply) => FastifyReply> = {
  '/204-none': (reply) => reply.code(204).header('x-id', '1').send(),
  '/204-empty-string': (reply) => reply.code(204).send(''),
  '/204-object': (reply) => reply.code(204).send({ ignored: true }),
  '/204-typed': (reply) => reply.code(204).type('text/plain').send('ignored'),
  '/304-none': (reply) => reply.code(304).header('etag', '"v1"').send(),
  '/304-empty-string': (reply) => reply.code(304).header('etag', '"v1"').send(''),
  '/200-empty-text': (reply) => reply.code(200).type('text/plain; charset=utf-8').send(''),
};

/** Every header but the replay marker and Date, which a replay may add or differ in. */
function comparable(headers: Record<string, unknown>): Record<string, unknown> {
  const { 'idempotent-replayed': _replayed, date: _date, ...rest } = headers;
  return rest;
}

for (const version of FASTIFY_VERSIONS) {
  describe(`answers without a body (${version.name})`, () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = version.create();
      await app.register(idempotency, { store: new MemoryStore() });
      for (const [url, answer] of Object.entries(ANSWERS))
        app.post(url, async (_request, reply) => answer(reply));
      await app.ready();
    });
    afterAll(() => app.close());

    it("F38 [15.14] 204s and 304s with or without a payload, and an empty text answer: each replay has exactly the original's status and header fields, and no body", async () => {
      for (const url of Object.keys(ANSWERS)) {
        const send = () => app.inject({ method: 'POST', url, headers: { 'idempotency-key': `"${url}"` } });
        const first = await send();
        const replay = await send();
        expect(replay.headers['idempotent-replayed'], url).toBe('true');
        expect(replay.statusCode, url).toBe(first.statusCode);
        expect(comparable(replay.headers), url).toEqual(comparable(first.headers));
        expect(replay.rawPayload.length, url).toBe(first.rawPayload.length);
      }
    });
  });
}
