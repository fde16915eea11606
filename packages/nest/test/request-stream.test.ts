/**
 * peekBody on real Node.js requests [15.6] [15.11]: idempo reads an unread body, at most the limit, and puts it
 * back; whoever reads next (for await, pipe, 'data' events) gets every byte, however the body arrived.
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { RequestTooLargeError } from '@idempo/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody } from '../src/platform-request.js';
import { isUnreadStream, peekBody } from '../src/request-stream.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: Server | undefined;
async function closeServer(): Promise<void> {
  const current = server;
  server = undefined;
  if (!current) return;
  current.closeAllConnections();
  await new Promise((resolve) => current.close(resolve));
}
afterEach(closeServer);

/** Serves one request with `handle`, sends `pieces` (with `gapMs` between them, chunked) and returns the answer. */
async function exchange(
  handle: (req: IncomingMessage) => Promise<string>,
  pieces: readonly Buffer[],
  gapMs = 0,
): Promise<string> {
  server = createServer((req, res) => {
    handle(req).then(
      (text) => res.end(text),
      (error: Error) => res.end(`error: ${error.message}`),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/' });
  const answer = new Promise<string>((resolve, reject) => {
    outgoing.on('response', async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      resolve(Buffer.concat(chunks).toString());
    });
    outgoing.on('error', reject);
  });
  for (const piece of pieces) {
    outgoing.write(piece);
    if (gapMs > 0) await sleep(gapMs);
  }
  outgoing.end();
  return answer;
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

  it('I10 [15.11] past the limit: RequestTooLargeError after reading at most the limit and a chunk', async () => {
    const answer = await exchange(async (req) => {
      const error = await peekBody(req, 10_000, undefined).catch((e: unknown) => e);
      await once(req, 'end'); // the rest is discarded as it arrives
      return `${error instanceof RequestTooLargeError}`;
    }, slices(20));
    expect(answer).toBe('true');
  });

  it('[15.6] a client that goes away mid-body rejects the read; nothing waits forever', async () => {
    let settled: Promise<unknown> | undefined;
    server = createServer((req) => {
      settled = peekBody(req, 1024 * 1024, undefined).then(
        () => 'resolved',
        (error: Error) => error.message,
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/' });
    outgoing.on('error', () => undefined);
    outgoing.write(body.subarray(0, 1000));
    while (!settled) await sleep(5);
    outgoing.destroy();
    expect(await settled).toMatch(/aborted|closed/);
  });
});

describe('readBody', () => {
  it('[15.6] a multipart body someone read before idempo cannot be seen: UnreadableBodyError naming the opt-outs', () => {
    const consumed = Object.assign(new PassThrough(), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': '10' },
      body: { note: 'fields multer parsed' },
    });
    consumed.resume();
    expect(() => readBody(consumed, 1024, () => undefined)).toThrow(/@SkipIdempotency\(\)/);
  });
});
