/**
 * The plugin's preHandler hook is the route's, on the routes core may cover only: a GET route or a route opted out
 * does not run it (nor Fastify's preHandler runner), and a keyed route next to it behaves as before. Routes
 * declared before the plugin loaded keep an app-wide preHandler.
 */
import { MemoryStore } from '@idempo/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance | undefined;
afterEach(() => app?.close());

function send(target: FastifyInstance, method: 'GET' | 'POST' | 'PUT', url: string, key?: string) {
  return target.inject({
    method,
    url,
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    ...(method === 'GET' ? {} : { payload: '{"item":"book"}' }),
  });
}

/** The hook names printRoutes lists under one route line (`/path (METHOD)`, the path as the tree prints it). */
function hooksOf(target: FastifyInstance, route: string): string[] {
  const lines = target.printRoutes({ includeHooks: true, commonPrefix: false }).split('\n');
  const start = lines.findIndex((line) => line.replace(/^[│├└─\s]+/, '') === route);
  expect(start, `${route} is printed`).toBeGreaterThanOrEqual(0);
  const hooks: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const hook = /• \((\w+)\) (.*)$/.exec(line);
    if (!hook) break;
    for (const name of JSON.parse(hook[2] as string) as string[]) hooks.push(`${hook[1]}:${name}`);
  }
  return hooks;
}

describe('hooks on the routes core may cover', () => {
  it('B10 a GET route and a route opted out get no preHandler; a keyed POST next to them replays', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore() });
    const runs = { get: 0, raw: 0, orders: 0 };
    app.get('/orders/:id', async () => ({ get: ++runs.get }));
    app.post('/raw', { config: { idempotency: false } }, async () => ({ raw: ++runs.raw }));
    app.post('/orders', async (_request, reply) => reply.code(201).send({ orders: ++runs.orders }));
    await app.ready();

    for (const route of ['/:id (GET)', '/:id (HEAD)', '/raw (POST)']) {
      const hooks = hooksOf(app, route);
      expect(hooks.filter((hook) => hook.startsWith('preHandler:'))).toEqual([]);
      expect(hooks).toContain('onError:idempotencyOnError()');
    }
    expect(hooksOf(app, '/orders (POST)')).toEqual([
      'preParsing:idempotencyPreParsing()',
      'preHandler:idempotencyPreHandler()',
      'onSend:idempotencyOnSend()',
      'onError:idempotencyOnError()',
    ]);

    // Keys are ignored on the routes without the preHandler: every request runs its handler, nothing is replayed.
    for (const [method, url] of [
      ['GET', '/orders/1'],
      ['POST', '/raw'],
    ] as const) {
      const first = await send(app, method, url, '"k"');
      const second = await send(app, method, url, '"k"');
      expect(first.statusCode).toBe(200);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.body).not.toBe(first.body);
    }
    expect(runs.get).toBe(2);
    expect(runs.raw).toBe(2);

    // The keyed route: one execution, a replay, another body under the key a 422.
    const first = await send(app, 'POST', '/orders', '"k"');
    expect(first.statusCode).toBe(201);
    const replay = await send(app, 'POST', '/orders', '"k"');
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(first.body);
    const other = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': '"k"' },
      payload: '{"item":"pen"}',
    });
    expect(other.statusCode).toBe(422);
    expect(runs.orders).toBe(1);
  });

  it('B10 a route with GET among its methods, and a PUT opted in, get the preHandler, before their own; a PUT or DELETE not opted in does not', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore() });
    let n = 0;
    const mine = async () => undefined;
    app.route({ method: ['GET', 'POST'], url: '/both', preHandler: mine, handler: async () => ({ n: ++n }) });
    app.put('/items/:id', { config: { idempotency: { methods: ['PUT'] } } }, async () => ({ n: ++n }));
    app.put('/plain/:id', async () => ({ n: 0 }));
    app.delete('/plain/:id', async () => ({ n: 0 }));
    await app.ready();
    expect(hooksOf(app, '/both (GET, POST)')).toContain('preHandler:idempotencyPreHandler()');
    const both = hooksOf(app, '/both (GET, POST)').filter((hook) => hook.startsWith('preHandler:'));
    expect(both).toEqual(['preHandler:idempotencyPreHandler()', 'preHandler:mine()']);
    expect(hooksOf(app, '/items/:id (PUT)')).toContain('preHandler:idempotencyPreHandler()');
    // A PUT or DELETE route not opted in: not among the default methods (POST, PATCH), so core never covers it.
    expect(hooksOf(app, '/plain/:id (PUT, DELETE)').filter((hook) => hook.startsWith('preHandler:'))).toEqual(
      [],
    );
    await send(app, 'POST', '/both', '"b"');
    expect((await send(app, 'POST', '/both', '"b"')).headers['idempotent-replayed']).toBe('true');
    await send(app, 'PUT', '/items/1', '"p"');
    expect((await send(app, 'PUT', '/items/1', '"p"')).headers['idempotent-replayed']).toBe('true');
    expect(n).toBe(2);
  });

  it('the plugin disabled app-wide: a route without options of its own gets no preHandler', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore(), enabled: false });
    let n = 0;
    app.post('/off', async () => ({ n: ++n }));
    app.post('/on', { config: { idempotency: { enabled: true } } }, async () => ({ n: ++n }));
    await app.ready();
    expect(hooksOf(app, '/off (POST)')).not.toContain('preHandler:idempotencyPreHandler()');
    expect(hooksOf(app, '/on (POST)')).toContain('preHandler:idempotencyPreHandler()');
    await send(app, 'POST', '/off', '"o"');
    expect((await send(app, 'POST', '/off', '"o"')).headers['idempotent-replayed']).toBeUndefined();
    await send(app, 'POST', '/on', '"o"');
    expect((await send(app, 'POST', '/on', '"o"')).headers['idempotent-replayed']).toBe('true');
    expect(n).toBe(3);
  });

  it('routes declared before the plugin loaded: the preHandler stays app-wide, so the early route is still covered', async () => {
    app = Fastify({ logger: false });
    app.register(idempotency, { store: new MemoryStore() });
    let n = 0;
    app.post('/early', async () => ({ n: ++n }));
    await app.after();
    app.get('/late', async () => ({ n: ++n }));
    await app.ready();
    expect(hooksOf(app, '/early (POST)')).toContain('preHandler:idempotencyPreHandler()');
    expect(hooksOf(app, '/late (GET)')).toContain('preHandler:idempotencyPreHandler()');
    await send(app, 'POST', '/early', '"e"');
    expect((await send(app, 'POST', '/early', '"e"')).headers['idempotent-replayed']).toBe('true');
    expect(n).toBe(1);
  });
});
