/**
 * peekBody on real `node:http` requests [15.6] [15.11]: an unread body is read, at most the limit, and put back
 * into the same stream; whoever reads next (for await, pipe, 'data' events) gets every byte, however the body
 * arrived. (Moved from @idempo/nest, which uses it for multer and `@Req()` readers.)
 */
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import {
  connect as connectHttp2,
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestTooLargeError } from '../src/errors.js';
import { canPeekBody, isUnreadStream, peekBody } from '../src/node-api.js';
import { listen, type Served, send } from './support/node-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let served: Served | undefined;
async function closeServer(): Promise<void> {
  await served?.close();
  served = undefined;
}
afterEach(closeServer);

/** Serves one request with `handle`, sends `pieces` (with `gapMs` between them, chunked) and returns the answer. */
async function exchange(
  handle: (req: IncomingMessage) => Promise<string>,
  pieces: readonly Buffer[],
  gapMs = 0,
): Promise<string> {
  served = await listen((req, res) => {
    handle(req).then(
      (text) => res.end(text),
      (error: Error) => res.end(`error: ${error.message}`),
    );
  });
  return (await send(served.port, { pieces, gapMs })).body.toString();
}

const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
const slices = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    body.subarray((i * body.length) / count, ((i + 1) * body.length) / count),
  );
const digest = (bytes: Uint8Array) => `${bytes.length}:${Buffer.from(bytes).toString('base64').slice(-16)}`;

describe('peekBody', () => {
  it('I5 [15.6] puts every byte back, however the body arrives, for a reader that uses for await, pipe or data events', async () => {
    const readers: Record<string, (req: IncomingMessage) => Promise<Buffer>> = {
      'for await': async (req) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
      pipe: async (req) => {
        const sink = new PassThrough();
        const chunks: Buffer[] = [];
        sink.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.pipe(sink);
        await once(sink, 'end');
        return Buffer.concat(chunks);
      },
      data: (req) =>
        new Promise((resolve) => {
          const chunks: Buffer[] = [];
          req.on('data', (chunk: Buffer) => chunks.push(chunk));
          req.on('end', () => resolve(Buffer.concat(chunks)));
        }),
    };
    for (const [name, readAll] of Object.entries(readers)) {
      for (const [pieces, gapMs] of [
        [[body], 0],
        [slices(7), 0],
        [slices(5), 20],
      ] as const) {
        const answer = await exchange(
          async (req) => {
            expect(isUnreadStream(req)).toBe(true);
            expect(canPeekBody(req)).toBe(true);
            const peeked = await peekBody(req, 1024 * 1024, undefined);
            await sleep(10); // the handler reads later, after a store round trip
            const read = await readAll(req);
            return `${digest(peeked)} ${digest(read)} ${isUnreadStream(req)}`;
          },
          pieces,
          gapMs,
        );
        expect(answer, `${name}, ${pieces.length} pieces, ${gapMs} ms apart`).toBe(
          `${digest(body)} ${digest(body)} false`,
        );
        await closeServer();
      }
    }
  });

  it('[15.6] an empty body: nothing read, the next reader sees the end', async () => {
    const answer = await exchange(async (req) => {
      const peeked = await peekBody(req, 1024, undefined);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      return `${peeked.length} ${chunks.length}`;
    }, []);
    expect(answer).toBe('0 0');
  });

  it('I10 [15.11] past the limit: RequestTooLargeError after reading at most the limit and a chunk; the rest is discarded as it arrives', async () => {
    const answer = await exchange(async (req) => {
      const error = await peekBody(req, 10_000, undefined).catch((e: unknown) => e);
      await once(req, 'end'); // the rest is discarded as it arrives
      return `${error instanceof RequestTooLargeError}`;
    }, slices(20));
    expect(answer).toBe('true');
  });

  it('I10 [15.11] a declared length over the limit: RequestTooLargeError before reading anything', async () => {
    const answer = await exchange(
      async (req) => {
        const error = (await peekBody(req, 10_000, 100_000).catch((e: unknown) => e)) as Error;
        await once(req, 'end');
        return `${error instanceof RequestTooLargeError} ${/100000 bytes/.test(error.message)}`;
      },
      [body],
    );
    expect(answer).toBe('true true');
  });

  it('[15.6] a client that goes away mid-body rejects the read; nothing waits forever', async () => {
    let settled: Promise<unknown> | undefined;
    served = await listen((req) => {
      settled = peekBody(req, 1024 * 1024, undefined).then(
        () => 'resolved',
        (error: Error) => error.message,
      );
    });
    const outgoing = httpRequest({ host: '127.0.0.1', port: served.port, method: 'POST', path: '/' });
    outgoing.on('error', () => undefined);
    outgoing.write(body.subarray(0, 1000));
    while (!settled) await sleep(5);
    outgoing.destroy();
    expect(await settled).toMatch(/aborted|closed/);
  });
});

describe('isUnreadStream', () => {
  it('[15.6] only a readable stream nobody has read, ended, destroyed or set flowing', () => {
    const fresh = () => new PassThrough();
    expect(isUnreadStream(fresh())).toBe(true);
    expect(isUnreadStream(null)).toBe(false);
    expect(isUnreadStream({ read: () => null })).toBe(false);
    const flowing = fresh();
    flowing.resume();
    expect(isUnreadStream(flowing)).toBe(false);
    const destroyed = fresh();
    destroyed.destroy();
    expect(isUnreadStream(destroyed)).toBe(false);
    const read = fresh();
    read.end('x');
    read.read();
    expect(isUnreadStream(read)).toBe(false);
  });
});

describe('canPeekBody', () => {
  it('[15.6] only an unread stream that tells when its body is whole (complete), which the put-back needs', () => {
    const plain = new PassThrough();
    expect(isUnreadStream(plain)).toBe(true);
    expect(canPeekBody(plain), 'no complete: read to its end, it could take nothing back').toBe(false);
    const message = Object.assign(new PassThrough(), { complete: false, httpVersionMajor: 1 });
    expect(canPeekBody(message)).toBe(true);
    const h2 = Object.assign(new PassThrough(), { complete: false, httpVersionMajor: 2 });
    expect(canPeekBody(h2), 'HTTP/2: complete is set only at the end').toBe(false);
    message.resume();
    expect(canPeekBody(message), 'set flowing').toBe(false);
  });

  it('[15.6] a real HTTP/2 request (node:http2 compatibility API) is not peeked: its complete comes with its end', async () => {
    const server = createHttp2Server();
    const seen = new Promise<{ can: boolean; body: string }>((resolve) => {
      server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
        const can = canPeekBody(req);
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          res.end('ok');
          resolve({ can, body: Buffer.concat(chunks).toString() });
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    const stream = session.request({ ':method': 'POST', ':path': '/', 'content-length': '7' });
    stream.end('{"a":1}');
    stream.resume();
    try {
      expect(await seen).toEqual({ can: false, body: '{"a":1}' });
    } finally {
      session.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
