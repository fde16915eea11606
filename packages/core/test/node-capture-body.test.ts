/**
 * captureBody and the replays over real `node:http` requests [15.6] [15.11]: a keyed body is read ahead up to the
 * limit, keeping its chunks; the request made readable again (readableAgain) or a replay stream serves every
 * byte, however the body arrived; past the limit the rest is left in the stream, for a replay to serve or for
 * discardRest to drain, so that a 200 MB upload costs about the limit in memory.
 */
import { once } from 'node:events';
import { Agent, IncomingMessage, type ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestTooLargeError } from '../src/errors.js';
import { captureBody, discardRest, readableAgain, replayStream } from '../src/node-api.js';
import { listen, type Served, send } from './support/node-server.js';
import { MB, peakGrowth, upload } from './support/upload-memory.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** Serves `handle` (its result is the response's text; a throw answers `error: ...`). */
async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<string>,
): Promise<number> {
  served = await listen((req, res) => {
    handle(req, res).then(
      (text) => res.end(text),
      (error: Error) => res.end(`error: ${error.message}`),
    );
  });
  return served.port;
}

const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
const slices = (count: number, of: Buffer = body) =>
  Array.from({ length: count }, (_, i) =>
    of.subarray(Math.floor((i * of.length) / count), Math.floor(((i + 1) * of.length) / count)),
  );
const digest = (bytes: Uint8Array) => `${bytes.length}:${Buffer.from(bytes).toString('base64').slice(-16)}`;

/** Every way a consumer reads a request stream. */
const readers: Record<string, (stream: Readable) => Promise<Buffer>> = {
  'for await': async (stream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
  pipe: async (stream) => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.pipe(sink);
    await once(sink, 'end');
    return Buffer.concat(chunks);
  },
  data: (stream) =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    }),
};

describe('captureBody and readableAgain', () => {
  it('I5 [15.6] read whole, however the body arrives; the request made readable again serves every byte to any reader, with its headers, and is an IncomingMessage', async () => {
    for (const [name, readAll] of Object.entries(readers)) {
      for (const [pieces, gapMs] of [
        [[body], 0],
        [slices(7), 0],
        [slices(5), 20],
      ] as const) {
        const port = await serve(async (req) => {
          const captured = await captureBody(req, MB, undefined);
          await sleep(10); // the handler reads later, after a store round trip
          const again = readableAgain(req, captured.replay());
          const read = await readAll(again);
          const same =
            again instanceof IncomingMessage &&
            again.headers === req.headers &&
            again.url === '/upload?x=1' &&
            again.method === 'POST' &&
            again.socket === req.socket &&
            again.complete === true;
          return `${captured.overflow} ${digest(captured.bytes as Uint8Array)} ${digest(captured.read(MB) as Uint8Array)} ${digest(read)} ${same}`;
        });
        const answer = await send(port, { path: '/upload?x=1', pieces, gapMs });
        expect(answer.body.toString(), `${name}, ${pieces.length} pieces, ${gapMs} ms apart`).toBe(
          `false ${digest(body)} ${digest(body)} ${digest(body)} true`,
        );
        await served?.close();
        served = undefined;
      }
    }
  });

  it('[15.6] an empty body: bytes empty, the body function gives null, the replay ends at once', async () => {
    const port = await serve(async (req) => {
      const captured = await captureBody(req, MB, 0);
      const read = await readers['for await']?.(readableAgain(req, captured.replay()));
      return `${captured.bytes?.length} ${captured.read(MB)} ${read?.length}`;
    });
    expect((await send(port)).body.toString()).toBe('0 null 0');
  });

  it('[15.6] a stream with an encoding hands over strings: read as their UTF-8 bytes', async () => {
    const port = await serve(async (req) => {
      req.setEncoding('utf8');
      const captured = await captureBody(req, MB, undefined);
      const again = await readers['for await']?.(readableAgain(req, captured.replay()));
      return `${Buffer.from(captured.bytes as Uint8Array).toString()}|${again?.toString()}`;
    });
    const text = 'héllo wörld';
    expect((await send(port, { pieces: [Buffer.from(text)] })).body.toString()).toBe(`${text}|${text}`);
  });

  it('[15.6] a consumer that destroys the replay before its end destroys the request stream it reads', async () => {
    let destroyed: Promise<boolean> | undefined;
    served = await listen((req) => {
      destroyed = (async () => {
        const captured = await captureBody(req, 1000, undefined);
        const replay = replayStream(captured.replay());
        replay.destroy();
        await once(req, 'close');
        return req.destroyed;
      })();
    });
    send(served.port, { pieces: slices(10) }).catch(() => undefined);
    while (!destroyed) await sleep(5);
    expect(await destroyed).toBe(true);
  });

  it('[15.6] a client that goes away mid-body rejects the read (the request’s error, or a premature close); nothing waits forever', async () => {
    let settled: Promise<unknown> | undefined;
    served = await listen((req) => {
      settled = captureBody(req, MB, undefined).then(
        () => 'resolved',
        (error: Error & { code?: string }) => error.code,
      );
    });
    const { request } = await import('node:http');
    const outgoing = request({ host: '127.0.0.1', port: served.port, method: 'POST', path: '/' });
    outgoing.on('error', () => undefined);
    outgoing.write(body.subarray(0, 1000));
    while (!settled) await sleep(5);
    outgoing.destroy();
    expect(await settled).toMatch(/^(ECONNRESET|ERR_STREAM_PREMATURE_CLOSE)$/);
  });
});

describe('captureBody past the limit', () => {
  it('I10 [15.11] overflow: at most the limit and a chunk read; the body function throws RequestTooLargeError naming the limit (and a declared length over it)', async () => {
    const port = await serve(async (req) => {
      const declared = req.headers['content-length'];
      const captured = await captureBody(req, 10_000, declared === undefined ? undefined : Number(declared));
      const source = captured.replay();
      const head = source.head.reduce((n, chunk) => n + chunk.length, 0);
      let error: RequestTooLargeError | undefined;
      try {
        captured.read(10_000);
      } catch (thrown) {
        error = thrown as RequestTooLargeError;
      }
      discardRest(source);
      return `${captured.overflow} ${captured.bytes} ${head <= 10_000 + 65_536} ${error instanceof RequestTooLargeError} ${error?.message.match(/got [^)]*/)?.[0]}`;
    });
    expect((await send(port, { pieces: slices(20) })).body.toString()).toBe(
      'true undefined true true got more than that',
    );
    expect(
      (
        await send(port, { pieces: [body], headers: { 'content-length': String(body.length) } })
      ).body.toString(),
    ).toBe('true undefined true true got 100000 bytes');
  });

  it('[15.11] a body over the limit that a route does not cover: the replay stream serves what was read, then the rest, with back-pressure', async () => {
    for (const [name, readAll] of Object.entries(readers)) {
      const port = await serve(async (req) => {
        const captured = await captureBody(req, 10_000, undefined);
        const replay = replayStream(captured.replay());
        await sleep(10);
        return `${captured.overflow} ${digest(await readAll(replay))} ${(replay as Readable & { receivedEncodedLength: number }).receivedEncodedLength}`;
      });
      expect((await send(port, { pieces: slices(20), gapMs: 2 })).body.toString(), name).toBe(
        `true ${digest(body)} 0`,
      );
      await served?.close();
      served = undefined;
    }
  });

  it('[15.11] discardRest drains the rest after the answer: the kept-alive connection serves the next request', async () => {
    served = await listen((req, res) => {
      captureBody(req, 10_000, undefined).then((captured) => {
        if (!captured.overflow) {
          res.end('whole');
          return;
        }
        const source = captured.replay();
        res.once('finish', () => discardRest(source));
        res.statusCode = 413;
        res.end('too large');
      });
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(served.port, { pieces: slices(40, Buffer.alloc(3 * MB, 1)), agent });
      const second = await send(served.port, { pieces: [Buffer.from('small')], agent });
      expect([first.status, first.body.toString(), second.status, second.body.toString()]).toEqual([
        413,
        'too large',
        200,
        'whole',
      ]);
      expect(second.socket, 'the same connection').toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });

  it('I10 [15.11] a 200 MB upload over the 1 MiB limit, chunked and with Content-Length, all of it received: about the limit read, the rest drained by discardRest; memory grows by far less than the upload', async () => {
    const reads: number[] = [];
    // The answer waits for the end of the upload: every byte of it goes through discardRest.
    served = await listen((req, res) => {
      if (req.url === '/control') {
        // What Node does with a body nobody reads: the yardstick for the garbage a drained upload leaves.
        req.resume();
        req.once('end', () => res.end());
        return;
      }
      const declared = req.headers['content-length'];
      captureBody(req, MB, declared === undefined ? undefined : Number(declared)).then((captured) => {
        const source = captured.replay();
        reads.push(source.head.reduce((n, chunk) => n + chunk.length, 0));
        discardRest(source);
        req.once('end', () => {
          res.statusCode = captured.overflow ? 413 : 201;
          res.end();
        });
      });
    });
    const figures: string[] = [];
    for (const declared of [false, true]) {
      const { result, growthMb, arrayBuffersMb } = await peakGrowth(() =>
        upload((served as Served).port, { path: '/', headers: {}, declared }),
      );
      figures.push(
        `${declared ? 'Content-Length' : 'chunked'}: ${result.status} (${result.sentMb} MB sent), RSS +${growthMb.toFixed(1)} MB, ArrayBuffers +${arrayBuffersMb.toFixed(1)} MB`,
      );
      expect([result.status, result.sentMb]).toEqual([413, 200]);
      // Far less than the upload: what is left is the limit and the garbage of the drained chunks.
      expect(growthMb).toBeLessThan(64);
      expect(arrayBuffersMb).toBeLessThan(64);
    }
    const control = await peakGrowth(() =>
      upload((served as Served).port, { path: '/control', headers: {}, declared: false }),
    );
    figures.push(
      `no read at all (req.resume()): RSS +${control.growthMb.toFixed(1)} MB, ArrayBuffers +${control.arrayBuffersMb.toFixed(1)} MB`,
    );
    console.log(`@idempo/core/node, 200 MB upload over a 1 MiB limit, peak growth: ${figures.join('; ')}`);
    expect(reads[0], 'chunked: at most the limit and a chunk read').toBeLessThanOrEqual(MB + 65_536);
    expect(reads[1], 'declared over the limit: nothing read').toBe(0);
  }, 120_000);
});
