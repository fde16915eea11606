/** Nest-style handlers on Nest 10 with Express 4: what differs from Nest 12, and what must not. */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { MemoryStore } from '@idempo/core';
import { type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IdempotencyModule } from '../../src/index.js';
import { sendHttp } from '../support/http-client.js';
import { createNestApp, listen } from '../support/nest-app.js';
import { runs, ThingsController } from '../support/things.js';

let app: INestApplication;
let port: number;
beforeAll(async () => {
  @Module({
    imports: [IdempotencyModule.forRoot({ store: new MemoryStore(), onHandlerError: 'store' })],
    controllers: [ThingsController],
  })
  class AppModule {}
  app = await createNestApp('express', AppModule);
  port = await listen(app);
});
afterAll(() => app.close());

const twice = async (path: string) => {
  const request = { method: 'POST', path, headers: { 'idempotency-key': randomUUID() } };
  return [await sendHttp(port, request), await sendHttp(port, request)] as const;
};
const same = (a: { body: Uint8Array }, b: { body: Uint8Array }) =>
  Buffer.from(a.body).equals(Buffer.from(b.body));

it('runs on Nest 10 and Express 4', () => {
  const require = createRequire(import.meta.url);
  expect(require('@nestjs/common/package.json').version).toMatch(/^10\./);
  const platform = dirname(require.resolve('@nestjs/platform-express/package.json'));
  expect(createRequire(`${platform}/`)('express/package.json').version).toMatch(/^4\./);
});

it('returned values, @HttpCode/@Header and (onHandlerError store, J3) HttpException answers replay byte for byte', async () => {
  for (const path of [
    '/things',
    '/things/text',
    '/things/missing',
    '/things/conflict',
    '/things/observable',
  ]) {
    const [first, second] = await twice(path);
    expect(second.status).toBe(first.status);
    expect(same(first, second)).toBe(true);
    expect(second.headers['idempotent-replayed']).toBe('true');
  }
  const [missing] = await twice('/things/missing');
  expect(JSON.parse(Buffer.from(missing.body).toString())).toMatchObject({
    statusCode: 404,
    error: 'Not Found',
  });
});

it('other errors and StreamableFile release the key', async () => {
  const [boom, again] = await twice('/things/boom');
  expect(boom.status).toBe(500);
  expect(again.headers['idempotent-replayed']).toBeUndefined();
  const [file, fileAgain] = await twice('/things/file');
  expect(Buffer.from(fileAgain.body).toString()).not.toBe(Buffer.from(file.body).toString());
  expect(runs['boom']).toBe(2);
});

it('J3 under onHandlerError store, a pipe rejection is stored on Nest 10 (no marker): the corrected request with the same key is a 422', async () => {
  const key = randomUUID();
  const rejected = await sendHttp(port, {
    method: 'POST',
    path: '/things/pipe?n=x',
    headers: { 'idempotency-key': key },
  });
  expect(rejected.status).toBe(400);
  const corrected = await sendHttp(port, {
    method: 'POST',
    path: '/things/pipe?n=5',
    headers: { 'idempotency-key': key },
  });
  expect(corrected.status).toBe(422);
});

it('I5 [15.6] FileInterceptor (multer 1.4 on Express 4): multer gets the whole file, another file under the key is a 422, the same one a replay', async () => {
  const { createHash, randomBytes } = await import('node:crypto');
  const { multipartBody } = await import('@idempo/testing');
  const { MulterController, uploadRuns } = await import('../support/upload-controllers.js');
  @Module({
    imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })],
    controllers: [MulterController],
  })
  class UploadModule {}
  const uploads = await createNestApp('express', UploadModule);
  try {
    const uploadPort = await listen(uploads);
    const key = randomUUID();
    const send = (boundary: string, file: Uint8Array) => {
      const body = multipartBody(boundary, [
        { name: 'note', value: 'hello' },
        { name: 'upload', filename: 'data.bin', bytes: file },
      ]);
      return sendHttp(uploadPort, {
        method: 'POST',
        path: '/multer',
        headers: { 'content-type': body.contentType, 'idempotency-key': key },
        body: body.bytes,
      });
    };
    const file = randomBytes(200 * 1024);
    const first = await send('----a1', file);
    expect(first.status).toBe(201);
    expect(JSON.parse(Buffer.from(first.body).toString())).toMatchObject({
      file: { size: file.length, sha256: createHash('sha256').update(file).digest('hex') },
    });
    const again = await send('----b2', file);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await send('----c3', randomBytes(200 * 1024))).status).toBe(422);
    expect(uploadRuns['multer']).toBe(1);
  } finally {
    await uploads.close();
  }
});
