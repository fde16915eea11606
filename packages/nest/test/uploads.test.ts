/**
 * Request bodies the handler reads itself [15.6] [15.11]: multer's `FileInterceptor` (Express) and a handler
 * that reads the request stream through `@Req()` (both platforms). idempo reads the bytes first, at most
 * `maxRequestBodyBytes`, fingerprints them and puts them back: the handler gets every byte, another upload
 * under the same key is a 422, the same upload with another boundary a replay, a keyed body over the limit a 413
 * before anything runs.
 */
import 'reflect-metadata';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { MemoryStore } from '@idempo/core';
import { type AdapterResponse, multipartBody } from '@idempo/testing';
import { type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyModule } from '../src/index.js';
import { type HttpRequest, sendHttp } from './support/http-client.js';
import { createNestApp, listen, type Platform } from './support/nest-app.js';
import {
  MulterController,
  MulterFirstController,
  StreamedController,
  uploadRuns,
} from './support/upload-controllers.js';

const json = (response: AdapterResponse) => JSON.parse(Buffer.from(response.body).toString()) as unknown;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const LIMIT = 64 * 1024;

/** A multipart body with a `note` field and an `upload` file, under a fresh boundary. */
function form(note: string, file: Uint8Array) {
  return multipartBody(`----nest${randomUUID().replaceAll('-', '')}`, [
    { name: 'note', value: note },
    { name: 'upload', filename: 'data.bin', type: 'application/octet-stream', bytes: file },
  ]);
}

/** `bytes` in pieces of at most `size` bytes. */
function* pieces(bytes: Uint8Array, size = 16 * 1024): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

beforeEach(() => {
  for (const name of Object.keys(uploadRuns)) delete uploadRuns[name];
});

for (const platform of ['express', 'fastify'] as const satisfies readonly Platform[]) {
  describe(`nest-${platform}: a handler that reads the request stream itself (@Req())`, () => {
    let app: INestApplication;
    let port: number;
    beforeAll(async () => {
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore(), maxRequestBodyBytes: LIMIT })],
        controllers: [StreamedController],
      })
      class AppModule {}
      app = await createNestApp(platform, AppModule);
      port = await listen(app);
    });
    afterAll(() => app.close());

    const upload = (
      key: string | undefined,
      body: { contentType: string; bytes: Uint8Array },
      chunked = false,
    ) => {
      const request: HttpRequest = {
        method: 'POST',
        path: '/streamed',
        headers: { 'content-type': body.contentType, ...(key ? { 'idempotency-key': key } : {}) },
        ...(chunked ? { chunks: pieces(body.bytes) } : { body: body.bytes }),
      };
      return sendHttp(port, request);
    };

    it('I5 [15.6] the fingerprint covers the bytes the handler reads, which it gets whole: another file under the key is a 422, the same upload a replay', async () => {
      const key = randomUUID();
      const file = randomBytes(40 * 1024);
      const body = form('hello', file);
      const first = await upload(key, body, true);
      expect(first.status).toBe(201);
      expect(json(first)).toEqual({ n: 1, size: body.bytes.length, sha256: sha256(body.bytes) });
      const other = file.slice();
      other[100] = (other[100] as number) ^ 1;
      const mismatch = await upload(key, form('hello', other));
      expect(mismatch.status).toBe(422);
      expect(mismatch.headers['content-type']).toMatch(/^application\/problem\+json/);
      const again = await upload(key, body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(Buffer.from(again.body).equals(Buffer.from(first.body))).toBe(true);
      expect(uploadRuns['streamed']).toBe(1);
    });

    it('I8 [15.6] the same upload under another boundary is a replay; another field value a 422', async () => {
      const key = randomUUID();
      const file = randomBytes(2048);
      const first = await upload(key, form('hello', file));
      expect(first.status).toBe(201);
      const again = await upload(key, form('hello', file));
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(Buffer.from(again.body).equals(Buffer.from(first.body))).toBe(true);
      expect((await upload(key, form('hellp', file))).status).toBe(422);
      expect(uploadRuns['streamed']).toBe(1);
    });

    it('I10 [15.11] a keyed body over maxRequestBodyBytes without Content-Length is a 413 problem+json before the handler runs; without a key it reaches the handler whole', async () => {
      const body = form('big', randomBytes(LIMIT + 1024));
      const key = randomUUID();
      const refused = await upload(key, body, true);
      expect(refused.status).toBe(413);
      expect((json(refused) as { code: string }).code).toBe('request_too_large');
      expect(uploadRuns['streamed']).toBeUndefined();
      const unkeyed = await upload(undefined, body, true);
      expect(json(unkeyed)).toEqual({ n: 1, size: body.bytes.length, sha256: sha256(body.bytes) });
      // The 413 reserved nothing, and the connection it was drained on still serves requests.
      const fits = await upload(key, form('small', randomBytes(1024)), true);
      expect(fits.status).toBe(201);
      expect(fits.headers['idempotent-replayed']).toBeUndefined();
    });
  });
}

describe("nest-express: multer's FileInterceptor", () => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });
  const start = async (global: boolean, controller: new () => unknown) => {
    @Module({
      imports: [IdempotencyModule.forRoot({ store: new MemoryStore(), global })],
      controllers: [controller],
    })
    class AppModule {}
    const app = await createNestApp('express', AppModule);
    apps.push(app);
    return listen(app);
  };
  const upload = (port: number, path: string, key: string, note: string, file: Uint8Array) => {
    const body = form(note, file);
    return sendHttp(port, {
      method: 'POST',
      path,
      headers: { 'content-type': body.contentType, 'idempotency-key': key },
      body: body.bytes,
    });
  };

  it('I5 I8 [15.6] the upload is fingerprinted: multer gets the whole file, two different files under one key are a 422, the same file under another boundary a replay', async () => {
    const port = await start(true, MulterController);
    const key = randomUUID();
    const file = randomBytes(300 * 1024);
    const first = await upload(port, '/multer', key, 'hello', file);
    expect(first.status).toBe(201);
    expect(json(first)).toEqual({
      n: 1,
      fields: { note: 'hello' },
      file: { field: 'upload', filename: 'data.bin', size: file.length, sha256: sha256(file) },
    });
    const again = await upload(port, '/multer', key, 'hello', file);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(Buffer.from(again.body).equals(Buffer.from(first.body))).toBe(true);
    const other = randomBytes(300 * 1024);
    const mismatch = await upload(port, '/multer', key, 'hello', other);
    expect(mismatch.status).toBe(422);
    expect((await upload(port, '/multer', key, 'hellp', file)).status).toBe(422);
    expect(uploadRuns['multer']).toBe(1);
  });

  it('[15.6] multer placed before IdempotencyInterceptor (it read the body first): 500 problem+json unreadable_body naming the way out, the handler never runs (J6)', async () => {
    const port = await start(false, MulterFirstController);
    const response = await upload(port, '/multer-first', randomUUID(), 'hello', randomBytes(1024));
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = json(response) as { code: string; detail: string };
    expect(problem.code).toBe('unreadable_body');
    expect(problem.detail).toMatch(/multipart request body was read before idempo/);
    expect(problem.detail).toContain('opt the route out');
    expect(uploadRuns['multer-first']).toBeUndefined();
  });
});
