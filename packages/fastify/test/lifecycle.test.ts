/**
 * Where the plugin sits in Fastify's lifecycle: what is stored (the handler's strings, Buffers and serialised
 * objects) and what is not (streams, errors, replies of other hooks, hijacked replies), route options
 * validated at registration, and encapsulation (root or a prefix plugin).
 */
import { Readable } from 'node:stream';
import { type IdempotencyStore, InvalidOptionsError, MemoryStore } from '@idempo/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance;
afterEach(() => app?.close());

/** A store that records the statuses it stored and how many keys were released. */
function recordingStore() {
  const inner = new MemoryStore();
  const stored: number[] = [];
  let released = 0;
  const store: IdempotencyStore = {
    reserve: (...args) => inner.reserve(...args),
    complete: (...args) => {
      stored.push(args[2].length);
      return inner.complete(...args);
    },
    release: (...args) => {
      released++;
      return inner.release(...args);
    },
    extend: (...args) => inner.extend(...args),
  };
  return { store, completes: () => stored.length, released: () => released };
}

function send(target: FastifyInstance, url: string, key = 'k', headers: Record<string, string> = {}) {
  return target.inject({ method: 'POST', url, headers: { 'idempotency-key': key, ...headers }, payload: '' });
}

describe('what is stored', () => {
  it('strings, Buffers and serialised objects are stored and replayed byte for byte', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore() });
    let n = 0;
    app.post('/object', async (_request, reply) => reply.code(201).send({ n: ++n, nested: { ok: true } }));
    app.post('/string', async () => `text ${++n}`);
    app.post('/buffer', async (_request, reply) => reply.type('image/png').send(Buffer.from([n++, 0, 255])));
    for (const url of ['/object', '/string', '/buffer']) {
      const first = await send(app, url, url);
      const replay = await send(app, url, url);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.statusCode).toBe(first.statusCode);
      expect(replay.headers['content-type']).toBe(first.headers['content-type']);
      expect(replay.rawPayload.equals(first.rawPayload)).toBe(true);
    }
    expect(n).toBe(3);
  });

  it('an empty answer is replayed empty, with no Content-Type the original did not have', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore() });
    app.post('/empty', async (_request, reply) => reply.code(201).header('location', '/x/1').send());
    const first = await send(app, '/empty');
    const replay = await send(app, '/empty');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['location']).toBe('/x/1');
    expect(replay.headers['content-type']).toBe(first.headers['content-type']);
    expect(replay.headers['content-length']).toBe('0');
    expect(replay.rawPayload.length).toBe(0);
  });

  it('repeated header field lines are replayed as they were sent', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore() });
    app.post('/links', async (_request, reply) =>
      reply.header('link', ['</a>; rel=a', '</b>; rel=b']).send('ok'),
    );
    const first = await send(app, '/links');
    const replay = await send(app, '/links');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['link']).toEqual(first.headers['link']);
    expect(replay.headers['link']).toHaveLength(2);
  });

  it('a Node stream is sent as it is, not stored, and its key is released', async () => {
    const { store, completes, released } = recordingStore();
    app = Fastify();
    await app.register(idempotency, { store });
    let n = 0;
    app.post('/stream', async (_request, reply) => {
      n++;
      return reply.type('text/plain').send(Readable.from(['a', 'b', 'c']));
    });
    expect((await send(app, '/stream')).body).toBe('abc');
    const second = await send(app, '/stream');
    expect(second.body).toBe('abc');
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(n).toBe(2);
    expect(completes()).toBe(0);
    expect(released()).toBe(2);
  });
});

describe('what is not stored', () => {
  it("a handler that throws: the key is released and Fastify's error handler answers", async () => {
    const { store, completes } = recordingStore();
    app = Fastify();
    await app.register(idempotency, { store });
    app.setErrorHandler((error, _request, reply) =>
      reply.code(502).send({ handled: (error as Error).message }),
    );
    let n = 0;
    app.post('/throws', async () => {
      if (++n === 1) throw new Error('boom');
      return { n };
    });
    app.post('/sends-error', (_request, reply) => {
      reply.send(new Error('sent'));
    });
    const failed = await send(app, '/throws');
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toEqual({ handled: 'boom' });
    const retry = await send(app, '/throws');
    expect(retry.json()).toEqual({ n: 2 });
    expect((await send(app, '/sends-error', 'e')).statusCode).toBe(502);
    expect((await send(app, '/sends-error', 'e')).headers['idempotent-replayed']).toBeUndefined();
    expect(completes()).toBe(1);
  });

  it('a reply sent or an error thrown by a later preHandler hook is not stored: the key is released', async () => {
    const { store, completes, released } = recordingStore();
    app = Fastify();
    await app.register(idempotency, { store });
    let n = 0;
    app.post(
      '/guarded',
      {
        preHandler: async (request, reply) => {
          if (request.headers['x-auth'] === 'no') return reply.code(401).send({ error: 'unauthorised' });
          if (request.headers['x-auth'] === 'throw')
            throw Object.assign(new Error('forbidden'), { statusCode: 403 });
          return undefined;
        },
      },
      async () => ({ n: ++n }),
    );
    expect((await send(app, '/guarded', 'k', { 'x-auth': 'no' })).statusCode).toBe(401);
    expect((await send(app, '/guarded', 'k', { 'x-auth': 'throw' })).statusCode).toBe(403);
    expect(released()).toBe(2);
    expect(completes()).toBe(0);
    const ok = await send(app, '/guarded', 'k');
    expect(ok.json()).toEqual({ n: 1 });
    expect((await send(app, '/guarded', 'k')).headers['idempotent-replayed']).toBe('true');
  });

  it('a hijacked reply is not stored and its key is released once the response is over', async () => {
    const { store, completes, released } = recordingStore();
    app = Fastify();
    await app.register(idempotency, { store });
    app.post('/hijack', async (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.end('raw');
    });
    expect((await send(app, '/hijack')).body).toBe('raw');
    await expect.poll(released).toBe(1);
    expect(completes()).toBe(0);
  });

  it('validation failures never reserve the key', async () => {
    const { store, released } = recordingStore();
    app = Fastify();
    await app.register(idempotency, { store });
    app.post(
      '/validated',
      { schema: { body: { type: 'object', required: ['qty'], properties: { qty: { type: 'integer' } } } } },
      async (request) => request.body,
    );
    const json = { 'content-type': 'application/json' };
    const bad = await app.inject({
      method: 'POST',
      url: '/validated',
      headers: { 'idempotency-key': 'v', ...json },
      payload: '{}',
    });
    expect(bad.statusCode).toBe(400);
    expect(released()).toBe(0);
    const good = await app.inject({
      method: 'POST',
      url: '/validated',
      headers: { 'idempotency-key': 'v', ...json },
      payload: '{"qty":1}',
    });
    expect(good.statusCode).toBe(200);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });
});

describe('route options', () => {
  it('plugin options are validated once, at registration', async () => {
    app = Fastify();
    app.register(idempotency, { store: new MemoryStore(), leaseMs: 10, ttlMs: 5 });
    await expect(app.ready()).rejects.toThrow(InvalidOptionsError);
  });

  it('are typed through FastifyContextConfig', () => {
    const typeOnly = (scope: FastifyInstance) => {
      scope.post('/ok', { config: { idempotency: { required: true, methods: ['POST'] } } }, async () => 'x');
      scope.post('/off', { config: { idempotency: false } }, async () => 'x');
      // @ts-expect-error: `required` is a boolean
      scope.post('/typo', { config: { idempotency: { required: 'yes' } } }, async () => 'x');
    };
    expect(typeof typeOnly).toBe('function');
  });

  it('are validated once, when the route is registered', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore() });
    expect(() =>
      app.post('/bad', { config: { idempotency: { methods: ['GET'] } } }, async () => 'x'),
    ).toThrow(InvalidOptionsError);
    expect(() => app.post('/bad2', { config: { idempotency: { leaseMs: -1 } } }, async () => 'x')).toThrow(
      /leaseMs/,
    );
  });

  it('required, methods and false apply per route', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore() });
    let n = 0;
    app.post('/required', { config: { idempotency: { required: true } } }, async () => ({ n: ++n }));
    app.post('/off', { config: { idempotency: false } }, async () => ({ n: ++n }));
    app.delete('/items/:id', { config: { idempotency: { methods: ['DELETE'] } } }, async () => ({ n: ++n }));
    const missing = await app.inject({ method: 'POST', url: '/required' });
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    await send(app, '/off');
    expect((await send(app, '/off')).headers['idempotent-replayed']).toBeUndefined();
    await app.inject({ method: 'DELETE', url: '/items/1', headers: { 'idempotency-key': 'd' } });
    const replay = await app.inject({
      method: 'DELETE',
      url: '/items/1',
      headers: { 'idempotency-key': 'd' },
    });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const other = await app.inject({
      method: 'DELETE',
      url: '/items/2',
      headers: { 'idempotency-key': 'd' },
    });
    expect(other.statusCode, 'the same key on another item is a mismatch').toBe(422);
    expect(n).toBe(3);
  });

  it('routes declared before the plugin finished loading are still protected, with a warning', async () => {
    const warnings: string[] = [];
    app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => warnings.push(line) } } });
    app.register(idempotency, { store: new MemoryStore() });
    let n = 0;
    app.post('/early', async () => ({ n: ++n }));
    await app.ready();
    await send(app, '/early');
    expect((await send(app, '/early')).headers['idempotent-replayed']).toBe('true');
    expect(n).toBe(1);
    expect(warnings.join('\n')).toContain('registered before the plugin had loaded');
  });
});

describe('encapsulation', () => {
  it('registered inside a prefix plugin, it covers that scope only', async () => {
    app = Fastify();
    let n = 0;
    app.register(
      async (scope) => {
        scope.register(idempotency, { store: new MemoryStore() });
        scope.post('/orders', async () => ({ n: ++n }));
        scope.register(async (child) => {
          child.post('/child', async () => ({ n: ++n }));
        });
      },
      { prefix: '/v1' },
    );
    app.post('/outside', async () => ({ n: ++n }));
    await app.ready();
    for (const url of ['/v1/orders', '/v1/child']) {
      await send(app, url, url);
      expect((await send(app, url, url)).headers['idempotent-replayed']).toBe('true');
    }
    await send(app, '/outside', 'o');
    expect((await send(app, '/outside', 'o')).headers['idempotent-replayed']).toBeUndefined();
    expect(n).toBe(4);
  });

  it('registered at the root, it covers routes of child plugins', async () => {
    app = Fastify();
    await app.register(idempotency, { store: new MemoryStore() });
    let n = 0;
    app.register(async (scope) => scope.post('/orders', async () => ({ n: ++n })), { prefix: '/v2' });
    await send(app, '/v2/orders');
    expect((await send(app, '/v2/orders')).headers['idempotent-replayed']).toBe('true');
    expect(n).toBe(1);
  });
});
