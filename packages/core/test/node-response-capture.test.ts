/**
 * captureResponse, writeReady and answerWithReady on real `node:http` responses [C14] [C25] [15.12]: what is
 * written on the ServerResponse is held back until the commit has settled, then sent; a body over the limit, or
 * one written over several turns of the event loop, is abandoned and goes out untouched; a ready response is
 * written exactly, whatever the framework writes instead.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkBytes } from '../src/node/chunk-bytes.js';
import { writeHeadHeaders } from '../src/node/write-head-headers.js';
import { answerWithReady, type CaptureTarget, captureResponse, writeReady } from '../src/node-api.js';
import type { CapturedResponse, ReadyResponse } from '../src/request.js';
import { listen, type Served, send } from './support/node-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

/** A target that records what it was given; its commit settles `commitMs` later. */
function recorder(commitMs = 0) {
  const events: string[] = [];
  let committed: CapturedResponse | undefined;
  const target: CaptureTarget = {
    commit: async (response) => {
      events.push('commit');
      committed = response;
      await sleep(commitMs);
      events.push('committed');
    },
    abandon: async (cause) => {
      events.push(`abandon ${String(cause)}`);
      await sleep(1);
    },
  };
  return { target, events, committed: () => committed };
}

/** Serves `write` behind a capture with `maxBodyBytes`, and sends one request. */
async function exchange(
  target: CaptureTarget,
  write: (res: ServerResponse, release: (cause: unknown) => Promise<void>) => void | Promise<void>,
  maxBodyBytes = 1024,
) {
  served = await listen((_req, res) => {
    const capture = captureResponse(res, target, maxBodyBytes);
    void write(res, capture.release);
  });
  return send(served.port);
}

const bytes = (response: CapturedResponse | undefined) =>
  response?.body === null || response?.body === undefined ? null : Buffer.from(response.body).toString();

describe('captureResponse', () => {
  it('C14 holds back the end until the commit has settled, then sends exactly what was captured', async () => {
    const { target, events, committed } = recorder(50);
    const started = Date.now();
    const answer = await exchange(target, (res) => {
      res.setHeader('x-early', '1');
      res.writeHead(201, { 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'] });
      res.write('hel');
      res.end(Buffer.from('lo'), () => events.push('ended'));
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(events.slice(0, 2)).toEqual(['commit', 'committed']);
    expect([answer.status, answer.headers['content-type'], answer.body.toString()]).toEqual([
      201,
      'text/plain',
      'hello',
    ]);
    expect(committed()).toMatchObject({
      status: 201,
      headers: { 'x-early': '1', 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] },
    });
    expect(bytes(committed())).toBe('hello');
  });

  it('C14 without writeHead: the status and headers set on the response; a string chunk in its encoding; no body is null', async () => {
    const first = recorder();
    await exchange(first.target, (res) => {
      res.statusCode = 202;
      res.setHeader('etag', '"1"');
      res.end('ff00', 'hex');
    });
    expect(first.committed()).toMatchObject({ status: 202, headers: { etag: '"1"' } });
    expect(Buffer.from(first.committed()?.body as Uint8Array)).toEqual(Buffer.from([0xff, 0]));
    await served?.close();
    const empty = recorder();
    const answer = await exchange(empty.target, (res) => {
      res.statusCode = 204;
      res.end();
    });
    expect([answer.status, empty.committed()?.body]).toEqual([204, null]);
  });

  it('C25 [15.12] a body over maxBodyBytes is abandoned as soon as it is longer, and reaches the client in full', async () => {
    for (const how of ['write', 'end'] as const) {
      const { target, events } = recorder();
      const big = 'x'.repeat(3000);
      const answer = await exchange(target, (res) => {
        if (how === 'write') {
          res.write(big);
          res.end('!');
        } else res.end(big);
      });
      expect(events, how).toEqual(['abandon too-large']);
      expect(answer.body.toString(), how).toBe(how === 'write' ? `${big}!` : big);
      await served?.close();
    }
  });

  it('[15.12] a body written over several turns of the event loop is a stream: abandoned, the pieces go out as they come', async () => {
    const { target, events } = recorder();
    const answer = await exchange(target, async (res) => {
      res.write('a');
      await sleep(20);
      res.write('b');
      res.end('c');
    });
    expect(events).toEqual(['abandon stream']);
    expect(answer.body.toString()).toBe('abc');
  });

  it('E34 release(cause) abandons once; what is written next goes out untouched', async () => {
    const { target, events } = recorder();
    const answer = await exchange(target, async (res, release) => {
      const cause = new Error('boom');
      await Promise.all([release(cause), release(cause)]);
      res.statusCode = 500;
      res.end('failed');
    });
    expect(events).toEqual(['abandon Error: boom']);
    expect([answer.status, answer.body.toString()]).toEqual([500, 'failed']);
  });

  it('[15.10] a commit that rejects still lets the response out', async () => {
    const target: CaptureTarget = {
      commit: () => Promise.reject(new Error('store down')),
      abandon: () => Promise.resolve(),
    };
    const answer = await exchange(target, (res) => {
      res.end('sent');
    });
    expect(answer.body.toString()).toBe('sent');
  });
});

const ready: ReadyResponse = {
  status: 201,
  headers: [
    ['content-type', 'application/json'],
    ['set-cookie', 'a=1'],
    ['set-cookie', 'b=2'],
    ['idempotent-replayed', 'true'],
  ],
  body: new TextEncoder().encode('{"id":1}'),
};

describe('writeReady and answerWithReady', () => {
  it('C15 writeReady writes status, every field line and the bytes now; headers set before stay unless the ready response has them', async () => {
    served = await listen((_req, res) => {
      res.setHeader('x-request-id', 'r1');
      res.setHeader('content-type', 'text/html');
      res.setHeader('content-length', '99');
      writeReady(res, ready);
    });
    const answer = await send(served.port);
    expect(answer.status).toBe(201);
    expect(answer.headers).toMatchObject({
      'content-type': 'application/json',
      'set-cookie': ['a=1', 'b=2'],
      'idempotent-replayed': 'true',
      'x-request-id': 'r1',
    });
    expect(answer.body.toString()).toBe('{"id":1}');
  });

  it('C15 writeReady replaces a header set before that the ready response has, and joins a repeated name in order wherever its lines are', async () => {
    served = await listen((_req, res) => {
      res.setHeader('set-cookie', ['z=9']);
      res.setHeader('x-powered-by', 'Express');
      writeReady(res, {
        status: 200,
        headers: [
          ['set-cookie', 'a=1'],
          ['cache-control', 'no-store'],
          ['set-cookie', 'b=2'],
          ['vary', 'accept'],
          ['set-cookie', 'c=3'],
        ],
        body: new Uint8Array(),
      });
    });
    const answer = await send(served.port);
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2', 'c=3']);
    expect(answer.headers).toMatchObject({
      'cache-control': 'no-store',
      vary: 'accept',
      'x-powered-by': 'Express',
    });
  });

  it('C15 writeReady of an empty body ends the response without one', async () => {
    served = await listen((_req, res) =>
      writeReady(res, { status: 204, headers: [], body: new Uint8Array() }),
    );
    const answer = await send(served.port);
    expect([answer.status, answer.body.length]).toEqual([204, 0]);
  });

  it('C15 answerWithReady: whatever the framework writes next (writeHead, write, end) goes out as the ready response', async () => {
    for (const how of ['writeHead', 'end only'] as const) {
      served = await listen((_req, res) => {
        answerWithReady(res, ready);
        res.setHeader('x-request-id', 'r1');
        if (how === 'writeHead') {
          res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '5', 'X-Extra': 'e' });
          res.write('other', () => undefined);
          res.end('stuff', () => undefined);
        } else {
          res.statusCode = 200;
          res.end();
        }
      });
      const answer = await send(served.port);
      expect(answer.status, how).toBe(201);
      expect(answer.headers, how).toMatchObject({
        'content-type': 'application/json',
        'set-cookie': ['a=1', 'b=2'],
        'x-request-id': 'r1',
        ...(how === 'writeHead' ? { 'x-extra': 'e' } : {}),
      });
      expect(answer.body.toString(), how).toBe('{"id":1}');
      await served.close();
      served = undefined;
    }
  });

  it('C15 answerWithReady of an empty body: the framework’s body is dropped too', async () => {
    served = await listen((_req, res) => {
      answerWithReady(res, { status: 200, headers: [], body: new Uint8Array() });
      res.end('dropped');
    });
    const answer = await send(served.port);
    expect([answer.status, answer.body.length]).toEqual([200, 0]);
  });
});

describe('writeHeadHeaders and chunkBytes', () => {
  it('writeHeadHeaders reads an object, a flat array and an array of pairs, lower-casing names and keeping repeated ones', () => {
    expect(writeHeadHeaders([200])).toBeUndefined();
    expect(writeHeadHeaders([200, 'OK'])).toBeUndefined();
    expect(writeHeadHeaders([200, { 'Content-Type': 'a/b' }])).toEqual({ 'content-type': 'a/b' });
    expect(writeHeadHeaders([200, 'OK', { ETag: '"1"' }])).toEqual({ etag: '"1"' });
    expect(writeHeadHeaders([200, ['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'X', '1']])).toEqual({
      'set-cookie': ['a=1', 'b=2'],
      x: '1',
    });
    expect(writeHeadHeaders([201, [['Location', '/x']]])).toEqual({ location: '/x' });
  });

  it('chunkBytes keeps bytes, encodes text with its encoding, ignores callbacks and nothing', () => {
    const data = new Uint8Array([1, 2]);
    expect(chunkBytes(data, undefined)).toBe(data);
    expect(Buffer.from(chunkBytes('é', undefined) as Uint8Array)).toEqual(Buffer.from('é', 'utf8'));
    expect(Buffer.from(chunkBytes('ff00', 'hex') as Uint8Array)).toEqual(Buffer.from([0xff, 0]));
    expect(chunkBytes(null, undefined)).toBeUndefined();
    expect(chunkBytes(() => undefined, undefined)).toBeUndefined();
  });
});
