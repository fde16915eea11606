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
    imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })],
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

it('returned values, @HttpCode/@Header and HttpException answers replay byte for byte', async () => {
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

it('a pipe rejection is stored on Nest 10 (no marker): the corrected request with the same key is a 422', async () => {
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
