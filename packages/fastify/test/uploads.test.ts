/**
 * Bodies the content-type parser leaves to the handler (issue 15 item 5): the real `@fastify/multipart`, a bare
 * `done(null)` parser whose handler reads `request.raw`, and a `done(null, payload)` parser whose handler reads
 * the `request.body` stream. The handler gets every byte (its SHA-256 is compared), two different uploads under
 * one key are a 422, and the same upload with another boundary replays.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { MemoryStore } from '@idempo/core';
import { multipartBody } from '@idempo/testing';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';
import { FASTIFY_VERSIONS } from './support/reference-app.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Upload {
  readonly note: string;
  readonly file: Uint8Array;
}

/** What every upload route answers: the field and the file's size and hash as its handler saw them. */
function expected(upload: Upload) {
  return { note: upload.note, size: upload.file.length, sha256: sha256(upload.file) };
}

/** The handler of an app that counts its executions. */
function counter() {
  let runs = 0;
  return { run: () => ++runs, runs: () => runs };
}

/** Sends `upload` as multipart/form-data with `boundary`, keyed with `key` when given. */
function send(
  target: FastifyInstance,
  url: string,
  key: string | undefined,
  upload: Upload,
  boundary: string,
) {
  const body = multipartBody(boundary, [
    { name: 'note', value: upload.note },
    { name: 'file', filename: 'data.bin', type: 'application/octet-stream', bytes: upload.file },
  ]);
  return target.inject({
    method: 'POST',
    url,
    headers: { 'content-type': body.contentType, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: Buffer.from(body.bytes),
  });
}

/** The three ways an upload reaches a handler, each as an app with a `POST /upload` route. */
const WAYS: Record<string, (create: () => FastifyInstance, count: () => number) => Promise<FastifyInstance>> =
  {
    '@fastify/multipart, request.file() in the handler': async (create, count) => {
      const instance = create();
      await instance.register(idempotency, { store: new MemoryStore() });
      await instance.register(multipart, { limits: { fileSize: 10 * 1024 * 1024 } });
      instance.post('/upload', async (request) => {
        count();
        const note = await request.file().then(async (part) => {
          if (!part) throw new Error('no file');
          const file = await part.toBuffer();
          const field = part.fields['note'] as { value?: unknown } | undefined;
          return { note: field?.value, size: file.length, sha256: sha256(file) };
        });
        return note;
      });
      return instance;
    },
    '@fastify/multipart with attachFieldsToBody (read in preValidation)': async (create, count) => {
      const instance = create();
      await instance.register(idempotency, { store: new MemoryStore() });
      await instance.register(multipart, {
        attachFieldsToBody: true,
        limits: { fileSize: 10 * 1024 * 1024 },
      });
      instance.post('/upload', async (request) => {
        count();
        const body = request.body as Record<string, { value?: unknown; toBuffer?: () => Promise<Buffer> }>;
        const file = (await body['file']?.toBuffer?.()) ?? Buffer.alloc(0);
        return { note: body['note']?.value, size: file.length, sha256: sha256(file) };
      });
      return instance;
    },
    'a done(null) parser, the handler reads request.raw': async (create, count) => {
      const instance = create();
      await instance.register(idempotency, { store: new MemoryStore() });
      instance.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
      instance.post('/upload', async (request) => {
        count();
        return parseForm(await readAll(request.raw), request.headers['content-type']);
      });
      return instance;
    },
    'a done(null, payload) parser, the handler reads the request.body stream': async (create, count) => {
      const instance = create();
      await instance.register(idempotency, { store: new MemoryStore() });
      instance.addContentTypeParser('multipart/form-data', (_request, payload, done) => done(null, payload));
      instance.post('/upload', async (request) => {
        count();
        return parseForm(await readAll(request.body as Readable), request.headers['content-type']);
      });
      return instance;
    },
  };

/** Parses a form as a handler would (with the platform's own parser) into what the routes answer. */
async function parseForm(bytes: Buffer, contentType: string | undefined) {
  const form = await new Response(new Uint8Array(bytes), {
    headers: { 'content-type': contentType ?? '' },
  }).formData();
  const file = form.get('file');
  const content = file instanceof Blob ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array(0);
  return { note: form.get('note'), size: content.length, sha256: sha256(content) };
}

for (const version of FASTIFY_VERSIONS) {
  describe(`uploads the parser leaves to the handler (${version.name})`, () => {
    for (const [way, make] of Object.entries(WAYS)) {
      it(`C15 D26 [15.5] ${way}: the handler gets every byte, another upload under the key is a 422, another boundary replays`, async () => {
        const runs = counter();
        app = await make(version.create, runs.run);
        const upload: Upload = { note: 'first', file: randomBytes(300 * 1024) };
        const first = await send(app, '/upload', 'k', upload, 'boundary-A');
        expect(first.statusCode).toBe(200);
        expect(first.json(), 'the handler saw the whole file').toEqual(expected(upload));

        const retry = await send(app, '/upload', 'k', upload, 'boundary-B');
        expect(retry.headers['idempotent-replayed'], 'the same upload with another boundary').toBe('true');
        expect(retry.rawPayload.equals(first.rawPayload)).toBe(true);

        const otherFile = Buffer.from(upload.file);
        otherFile[otherFile.length - 1] = (otherFile[otherFile.length - 1] as number) ^ 0xff;
        expect(
          (await send(app, '/upload', 'k', { ...upload, file: otherFile }, 'boundary-C')).statusCode,
        ).toBe(422);
        expect((await send(app, '/upload', 'k', { ...upload, note: 'other' }, 'boundary-D')).statusCode).toBe(
          422,
        );
        expect(runs.runs(), 'one execution in all').toBe(1);

        const unkeyed = await send(app, '/upload', undefined, { ...upload, file: otherFile }, 'boundary-E');
        expect(unkeyed.json(), 'without a key the stream is untouched').toEqual(
          expected({ ...upload, file: otherFile }),
        );
      });
    }
  });
}
