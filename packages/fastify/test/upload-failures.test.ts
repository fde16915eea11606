/**
 * Keyed uploads that go wrong, over real HTTP: a client that disconnects mid-upload (issue 15 item 5: the
 * handler reads `request.raw`, and idempo reads the body ahead of it), and a body over the limit whose
 * `principal` can only run after authentication (item 11: the 413 then comes from the preHandler).
 */
import { type AddressInfo, connect } from 'node:net';
import { type IdempotencyStore, MemoryStore } from '@idempo/core';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotency } from '../src/index.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A MemoryStore that counts reservations. */
function countingStore(): { store: IdempotencyStore; reserves: () => number } {
  const inner = new MemoryStore();
  let reserves = 0;
  return {
    store: {
      reserve: (...args) => {
        reserves++;
        return inner.reserve(...args);
      },
      complete: (...args) => inner.complete(...args),
      release: (...args) => inner.release(...args),
      extend: (...args) => inner.extend(...args),
    },
    reserves: () => reserves,
  };
}

async function listen(instance: FastifyInstance): Promise<number> {
  await instance.listen({ host: '127.0.0.1', port: 0 });
  return (instance.server.address() as AddressInfo).port;
}

/**
 * Sends a chunked upload of `chunks` chunks of 16 KiB over a raw socket and resolves with the response's
 * status line, or with `'closed'` when the server closes first; `cut` ends the socket after that many chunks.
 */
function upload(
  port: number,
  path: string,
  headers: string[],
  chunks: number,
  cut?: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (data) => {
      received += data.toString('latin1');
    });
    socket.on('close', () => resolve(/^HTTP\/1\.1 \d{3}/.exec(received)?.[0] ?? 'closed'));
    socket.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE' || received !== '') return;
      reject(error);
    });
    socket.write(
      [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Transfer-Encoding: chunked', ...headers, '', ''].join(
        '\r\n',
      ),
    );
    const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
    let sent = 0;
    const next = () => {
      if (cut !== undefined && sent === cut) {
        setTimeout(() => socket.destroy(), 50);
        return;
      }
      if (sent === chunks) {
        socket.end('0\r\n\r\n');
        return;
      }
      sent++;
      if (socket.write(chunk)) setImmediate(next);
      else socket.once('drain', next);
    };
    next();
  });
}

describe('keyed uploads that go wrong', () => {
  it('[15.5] a client that disconnects mid-upload reserves nothing and runs no handler; the key then runs its complete upload', async () => {
    const { store, reserves } = countingStore();
    const instance = Fastify();
    app = instance;
    await instance.register(idempotency, { store });
    instance.addContentTypeParser('application/x-upload', (_request, _payload, done) => done(null));
    let runs = 0;
    instance.post('/upload', async (request) => {
      runs++;
      let size = 0;
      for await (const chunk of request.raw) size += (chunk as Buffer).length;
      return { size };
    });
    const port = await listen(instance);
    const headers = ['Content-Type: application/x-upload', 'Idempotency-Key: "up"', 'Connection: close'];
    expect(await upload(port, '/upload', headers, 8, 4)).toBe('closed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reserves(), 'a body that never arrived whole is nobody’s request').toBe(0);
    expect(runs).toBe(0);
    expect(await upload(port, '/upload', headers, 8)).toBe('HTTP/1.1 200');
    expect(runs).toBe(1);
  });

  it('[15.11] a body over the limit with a principal set by authentication: a 413 (a principal that fails: its 500), the connection closed, nothing run or reserved', async () => {
    const { store, reserves } = countingStore();
    const instance = Fastify();
    app = instance;
    // Authentication runs in preHandler: before it, request.user does not exist and principal throws.
    instance.decorateRequest('user', null);
    instance.addHook('preHandler', async (request: FastifyRequest & { user?: string | null }) => {
      request.user = request.headers.authorization === 'broken' ? null : 'alice';
    });
    await instance.register(idempotency, {
      store,
      maxRequestBodyBytes: 64 * 1024,
      principal: ({ context }) => {
        const { user } = context as FastifyRequest & { user?: string | null };
        if (!user) throw new Error('not authenticated yet');
        return user;
      },
    });
    instance.addContentTypeParser('application/x-upload', (_request, _payload, done) => done(null));
    let runs = 0;
    instance.post('/upload', async () => ({ runs: ++runs }));
    const port = await listen(instance);
    const headers = ['Content-Type: application/x-upload', 'Idempotency-Key: "big"'];
    // 8 chunks of 16 KiB: twice the limit, chunked, so that only reading tells.
    expect(await upload(port, '/upload', headers, 8)).toBe('HTTP/1.1 413');
    expect(await upload(port, '/upload', [...headers, 'Authorization: broken'], 8)).toBe('HTTP/1.1 500');
    expect(runs).toBe(0);
    expect(reserves()).toBe(0);
    expect(await upload(port, '/upload', [...headers, 'Connection: close'], 2)).toBe('HTTP/1.1 200');
  });
});
