/** Nest on both platforms: returned values, exceptions, status and header decorators, streams, pipes, decorators. */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { MemoryStore } from '@idempo/core';
import type { AdapterResponse } from '@idempo/testing';
import {
  type CallHandler,
  type INestApplication,
  Injectable,
  Module,
  type NestInterceptor,
} from '@nestjs/common';
import { map } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyModule } from '../src/index.js';
import { sendHttp } from './support/http-client.js';
import { createNestApp, listen, type Platform } from './support/nest-app.js';
import { GuardedController, runs, SkippedController, ThingsController } from './support/things.js';

const decoder = new TextDecoder();
const text = (response: AdapterResponse) => decoder.decode(response.body);
const header = (response: AdapterResponse, name: string) => {
  const value = response.headers[name];
  return typeof value === 'string' ? value : value?.join(', ');
};

/** Wraps every body in `{ data }`, outside idempo: a replay must still be the bytes the first client got. */
@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(_context: unknown, next: CallHandler) {
    return next.handle().pipe(map((data: unknown) => (data === undefined ? data : { data })));
  }
}

for (const platform of ['express', 'fastify'] as const satisfies readonly Platform[]) {
  describe(`nest-${platform}: handlers written the Nest way`, () => {
    let app: INestApplication;
    let port: number;
    const post = (path: string, key?: string, body?: unknown, method = 'POST') =>
      sendHttp(port, {
        method,
        path,
        headers: {
          ...(key ? { 'idempotency-key': key } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const twice = async (path: string, body?: unknown) => {
      const key = randomUUID();
      const first = await post(path, key, body);
      const second = await post(path, key, body);
      return { first, second };
    };
    const expectReplay = (first: AdapterResponse, second: AdapterResponse) => {
      expect(second.status).toBe(first.status);
      expect(Buffer.from(second.body).equals(Buffer.from(first.body))).toBe(true);
      expect(header(second, 'idempotent-replayed')).toBe('true');
      expect(header(second, 'content-type')).toBe(header(first, 'content-type'));
    };

    beforeAll(async () => {
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore(), onHandlerError: 'store' })],
        controllers: [ThingsController, SkippedController],
      })
      class AppModule {}
      app = await createNestApp(platform, AppModule);
      app.enableCors({ origin: 'https://shop.example' });
      app.use((_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) => {
        res.setHeader('x-request-id', randomUUID());
        next();
      });
      port = await listen(app);
    });
    afterAll(() => app.close());
    beforeEach(() => {
      for (const name of Object.keys(runs)) delete runs[name];
    });

    it('C15 a returned object is serialised once, stored, and replayed byte for byte', async () => {
      const { first, second } = await twice('/things', { a: 1 });
      expect(first.status).toBe(201);
      expect(JSON.parse(text(first))).toEqual({ n: 1, note: 'ünïcode ✓' });
      expectReplay(first, second);
      expect(runs['create']).toBe(1);
    });

    it('C18 @HttpCode and @Header are replayed; C23 per-exchange headers (middleware, CORS) stay fresh', async () => {
      const key = randomUUID();
      const request = {
        method: 'POST',
        path: '/things/text',
        headers: { 'idempotency-key': key, origin: 'https://shop.example' },
      };
      const first = await sendHttp(port, request);
      const second = await sendHttp(port, request);
      expect(first.status).toBe(200);
      expect(text(first)).toBe('text 1');
      expectReplay(first, second);
      expect(header(second, 'x-custom')).toBe('yes');
      expect(header(second, 'x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(header(second, 'x-request-id')).not.toBe(header(first, 'x-request-id'));
      expect(header(second, 'access-control-allow-origin')).toBe('https://shop.example');
      expect(runs['text']).toBe(1);
    });

    it('C17 a 204 with no body is replayed as a 204 with no body', async () => {
      const { first, second } = await twice('/things/empty');
      expect(first.status).toBe(204);
      expect(second.status).toBe(204);
      expect(second.body.length).toBe(0);
      expect(header(second, 'idempotent-replayed')).toBe('true');
      expect(runs['empty']).toBe(1);
    });

    it("J3 F39 with onHandlerError 'store', an HttpException thrown by the handler is its answer: Nest's error body is stored and replayed", async () => {
      const { first, second } = await twice('/things/missing');
      expect(first.status).toBe(404);
      expect(JSON.parse(text(first))).toEqual({
        message: 'no such thing 1',
        error: 'Not Found',
        statusCode: 404,
      });
      expectReplay(first, second);
      const custom = await twice('/things/conflict');
      expect(custom.first.status).toBe(409);
      expect(JSON.parse(text(custom.first))).toEqual({ code: 'taken', n: 1 });
      expectReplay(custom.first, custom.second);
      expect(runs['missing']).toBe(1);
      expect(runs['conflict']).toBe(1);
    });

    it('E34 any other error releases the key: Nest answers 500 and the retry runs again', async () => {
      const { first, second } = await twice('/things/boom');
      expect(first.status).toBe(500);
      expect(second.status).toBe(500);
      expect(header(second, 'idempotent-replayed')).toBeUndefined();
      expect(runs['boom']).toBe(2);
    });

    it('C25 a StreamableFile is sent as it is, not stored; the key is released', async () => {
      const { first, second } = await twice('/things/file');
      expect(first.status).toBe(201);
      expect(text(first)).toBe('file 1');
      expect(text(second)).toBe('file 2');
      expect(header(second, 'idempotent-replayed')).toBeUndefined();
    });

    it('C25 a web ReadableStream returned by the handler (Nest 12 streams it) is not stored; the key is released', async () => {
      const { first, second } = await twice('/things/web-stream');
      expect(first.status).toBe(201);
      expect(text(first)).toBe('web 1 stream');
      expect(text(second)).toBe('web 2 stream');
      expect(header(second, 'idempotent-replayed')).toBeUndefined();
    });

    it('C15 an Observable result and a @Res({ passthrough: true }) status and header are replayed', async () => {
      const observed = await twice('/things/observable');
      expect(JSON.parse(text(observed.first))).toEqual({ n: 1 });
      expectReplay(observed.first, observed.second);
      const passed = await twice('/things/passthrough');
      expect(passed.first.status).toBe(202);
      expect(header(passed.first, 'x-pass')).toBe('yes 0');
      expectReplay(passed.first, passed.second);
      expect(header(passed.second, 'x-pass')).toBe('yes 0');
    });

    it('F39 a rejection by a pipe (the handler never ran) is not stored: the corrected request runs', async () => {
      const key = randomUUID();
      const rejected = await post('/things/pipe?n=abc', key);
      expect(rejected.status).toBe(400);
      const corrected = await post('/things/pipe?n=5', key);
      expect(corrected.status).toBe(201);
      expect(JSON.parse(text(corrected))).toEqual({ n: 5, run: 1 });
    });

    it('B11 @Idempotent({ required: true }) rejects a request without a key; B10 @Idempotent({ methods }) covers PUT', async () => {
      const missing = await post('/things/required');
      expect(missing.status).toBe(400);
      expect(header(missing, 'content-type')).toMatch(/^application\/problem\+json/);
      expect(runs['required']).toBeUndefined();
      const key = randomUUID();
      const first = await post('/things/put', key, undefined, 'PUT');
      expect(first.status).toBe(200);
      expectReplay(first, await post('/things/put', key, undefined, 'PUT'));
      expect(runs['put']).toBe(1);
    });

    it('@SkipIdempotency() on a handler or a controller lets keyed requests through; a handler @Idempotent() overrides its controller', async () => {
      const skipped = await twice('/things/skip');
      expect(header(skipped.second, 'idempotent-replayed')).toBeUndefined();
      expect(runs['skip']).toBe(2);
      const controller = await twice('/skipped');
      expect(header(controller.second, 'idempotent-replayed')).toBeUndefined();
      expect(runs['skipped']).toBe(2);
      const on = await twice('/skipped/on');
      expectReplay(on.first, on.second);
      expect(runs['skipped-on']).toBe(1);
    });
  });

  describe(`nest-${platform}: registration`, () => {
    const apps: INestApplication[] = [];
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
    });
    const start = async (module: new () => unknown, rawBody = true) => {
      const app = rawBody
        ? await createNestApp(platform, module)
        : await createNestApp(platform, module, false);
      apps.push(app);
      return { app, port: await listen(app) };
    };
    const keyed = (port: number, path: string, key: string, body = '{"a":1,"b":2}') =>
      sendHttp(port, {
        method: 'POST',
        path,
        headers: { 'idempotency-key': key, 'content-type': 'application/json' },
        body,
      });

    it('global: false registers no interceptor; @UseInterceptors(IdempotencyInterceptor) applies it per controller', async () => {
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore(), global: false })],
        controllers: [ThingsController, GuardedController],
      })
      class AppModule {}
      const { port } = await start(AppModule);
      const key = randomUUID();
      await keyed(port, '/things', key);
      expect(header(await keyed(port, '/things', key), 'idempotent-replayed')).toBeUndefined();
      const other = randomUUID();
      await keyed(port, '/guarded', other);
      expect(header(await keyed(port, '/guarded', other), 'idempotent-replayed')).toBe('true');
    });

    it('forRootAsync with useFactory + inject, useClass and useExisting', async () => {
      const store = new MemoryStore();
      @Injectable()
      class Options {
        createIdempotencyOptions() {
          return { store, scope: 'class' };
        }
      }
      @Module({ providers: [{ provide: 'STORE', useValue: store }, Options], exports: ['STORE', Options] })
      class ConfigModule {}
      for (const variant of [
        IdempotencyModule.forRootAsync({
          imports: [ConfigModule],
          inject: ['STORE'],
          useFactory: (...args: never[]) => ({ store: args[0] as unknown as MemoryStore }),
        }),
        IdempotencyModule.forRootAsync({ useClass: Options }),
        IdempotencyModule.forRootAsync({ imports: [ConfigModule], useExisting: Options }),
      ]) {
        @Module({ imports: [variant], controllers: [ThingsController] })
        class AppModule {}
        const { app, port } = await start(AppModule);
        const key = randomUUID();
        const first = await keyed(port, '/things', key);
        expect(header(await keyed(port, '/things', key), 'idempotent-replayed')).toBe('true');
        expect(first.status).toBe(201);
        const { IdempotencyStore } = await import('../src/index.js');
        expect(app.get(IdempotencyStore)).toBe(store);
      }
    });

    it('invalid module options and invalid @Idempotent() options fail at startup, not on a request', async () => {
      @Module({ imports: [IdempotencyModule.forRoot({ store: new MemoryStore(), leaseMs: 0 })] })
      class BadOptions {}
      await expect(createNestApp(platform, BadOptions).then((app) => app.init())).rejects.toThrow(/leaseMs/);
      const { InvalidRouteController } = await import('./support/things.js');
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })],
        controllers: [InvalidRouteController],
      })
      class BadRoute {}
      await expect(createNestApp(platform, BadRoute).then((app) => app.init())).rejects.toThrow(/leaseMs/);
    });

    it('without rawBody: true the parsed JSON body is fingerprinted (key order does not matter) and replays still work', async () => {
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })],
        controllers: [ThingsController],
      })
      class AppModule {}
      const { port } = await start(AppModule, false);
      const key = randomUUID();
      const first = await keyed(port, '/things', key, '{"a":1,"b":2}');
      const second = await keyed(port, '/things', key, '{"b":2,"a":1}');
      expect(header(second, 'idempotent-replayed')).toBe('true');
      expect(Buffer.from(second.body).equals(Buffer.from(first.body))).toBe(true);
      expect((await keyed(port, '/things', key, '{"a":2}')).status).toBe(422);
    });

    it('an interceptor outside idempo that rewrites bodies: the replay is still the bytes the first client got', async () => {
      @Module({
        imports: [IdempotencyModule.forRoot({ store: new MemoryStore() })],
        controllers: [ThingsController],
      })
      class AppModule {}
      const app = await createNestApp(platform, AppModule);
      app.useGlobalInterceptors(new WrapInterceptor());
      apps.push(app);
      const port = await listen(app);
      const key = randomUUID();
      const first = await keyed(port, '/things', key);
      expect(JSON.parse(text(first))).toMatchObject({ data: { note: 'ünïcode ✓' } });
      const second = await keyed(port, '/things', key);
      expect(header(second, 'idempotent-replayed')).toBe('true');
      expect(Buffer.from(second.body).equals(Buffer.from(first.body))).toBe(true);
    });
  });
}
