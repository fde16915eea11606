/** The small translations, case by case: the Node.js response, streams, errors, request bodies. */
import { PassThrough, Readable } from 'node:stream';
import { HttpException, StreamableFile } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { isHandlerAnswer } from '../src/handler-answer.js';
import { asyncOptionsProviders } from '../src/idempotency.providers.js';
import { readBody, toIdempotencyRequest } from '../src/platform-request.js';
import { rawResponseOf } from '../src/raw-response.js';
import { isStreamingResult } from '../src/streaming-result.js';

describe('rawResponseOf', () => {
  it('rawResponseOf: Fastify replies hold the Node.js response as raw; Express responses are it', () => {
    const raw = {};
    expect(rawResponseOf({ raw })).toBe(raw);
    expect(rawResponseOf(raw)).toBe(raw);
  });
});

describe('isStreamingResult', () => {
  it('streams, StreamableFile, web streams and responses, async iterables; not promises or plain values', async () => {
    async function* generate() {
      yield 'a';
    }
    for (const value of [
      new StreamableFile(Buffer.from('x')),
      Readable.from(['a']),
      new PassThrough(),
      new ReadableStream(),
      new Response('x'),
      generate(),
    ]) {
      expect(isStreamingResult(value)).toBe(true);
    }
    // A lazy query builder (e.g. Mongoose) is async iterable and thenable: it stands for what it resolves to.
    // biome-ignore lint/suspicious/noThenProperty: the case under test is a thenable.
    const thenable = { [Symbol.asyncIterator]: () => undefined, then: () => undefined };
    for (const value of [
      undefined,
      null,
      'text',
      1,
      { a: 1 },
      [1],
      Buffer.from('x'),
      Promise.resolve(1),
      thenable,
    ]) {
      expect(isStreamingResult(value)).toBe(false);
    }
  });
});

describe('isHandlerAnswer', () => {
  it('an HttpException of any copy of @nestjs/common is an answer; other errors and pipe rejections are not', () => {
    expect(isHandlerAnswer(new HttpException('x', 418), {})).toBe(true);
    class ForeignHttpException extends Error {
      getStatus() {
        return 418;
      }
      getResponse() {
        return 'x';
      }
      initCause() {}
    }
    expect(isHandlerAnswer(new ForeignHttpException(), {})).toBe(true);
    expect(isHandlerAnswer(new Error('x'), {})).toBe(false);
    expect(isHandlerAnswer('x', undefined)).toBe(false);
    expect(isHandlerAnswer(null, null)).toBe(false);
    const rejected = { [Symbol.for('nestjs:rejected-by-pipes')]: true };
    expect(isHandlerAnswer(new HttpException('x', 400), rejected)).toBe(false);
    const notRejected = { [Symbol.for('nestjs:rejected-by-pipes')]: false };
    expect(isHandlerAnswer(new HttpException('x', 400), notRejected)).toBe(true);
  });
});

describe('the request core sees', () => {
  const base = { method: 'POST', headers: { 'content-length': '2' } };

  it('the body: rawBody, else bytes or text a parser left, else the parsed value as JSON (reported), else nothing', () => {
    const warn = vi.fn();
    const raw = Buffer.from('{}');
    expect(readBody({ ...base, rawBody: raw, body: { a: 1 } }, 1024, warn)).toBe(raw);
    expect(readBody({ ...base, body: raw }, 1024, warn)).toBe(raw);
    expect(new TextDecoder().decode(readBody({ ...base, body: 'hé' }, 1024, warn) as Uint8Array)).toBe('hé');
    expect(warn).not.toHaveBeenCalled();
    expect(new TextDecoder().decode(readBody({ ...base, body: { a: 1 } }, 1024, warn) as Uint8Array)).toBe(
      '{"a":1}',
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(readBody({ ...base, body: undefined }, 1024, warn)).toBeNull();
    expect(readBody({ method: 'POST', headers: {}, body: {} }, 1024, warn)).toBeNull();
    expect(readBody({ method: 'POST', headers: { 'content-length': '0' }, body: {} }, 1024, warn)).toBeNull();
    expect(
      readBody({ method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: 'x' }, 1024, warn),
    ).not.toBeNull();
  });

  it('[15.6] a multipart body someone read before idempo cannot be seen: UnreadableBodyError naming the opt-outs', () => {
    const consumed = Object.assign(new PassThrough(), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': '10' },
      body: { note: 'fields multer parsed' },
    });
    consumed.resume();
    expect(() => readBody(consumed, 1024, () => undefined)).toThrow(/@SkipIdempotency\(\)/);
  });

  it('path and query from the URL as received; every field line of a repeated header', () => {
    const request = toIdempotencyRequest(
      {
        method: 'POST',
        url: '/rewritten',
        originalUrl: '/orders/a%20b?x=1&y',
        headers: { 'idempotency-key': 'a, b', 'x-one': 'c, d', other: 'e' },
        headersDistinct: { 'idempotency-key': ['a', 'b'], 'x-one': ['c, d'] },
      },
      undefined,
      () => undefined,
    );
    expect(request.path).toBe('/orders/a%20b');
    expect(request.query).toBe('x=1&y');
    expect(request.header('idempotency-key')).toEqual(['a', 'b']);
    expect(request.header('x-one')).toBe('c, d');
    expect(request.header('other')).toBe('e');
    expect(request.header('missing')).toBeUndefined();
    const fastify = toIdempotencyRequest(
      { method: 'POST', url: '/o', headers: { k: 'a, b' }, raw: { headersDistinct: { k: ['a', 'b'] } } },
      false,
      () => undefined,
    );
    expect(fastify.path).toBe('/o');
    expect(fastify.query).toBe('');
    expect(fastify.header('k')).toEqual(['a', 'b']);
    expect(
      toIdempotencyRequest({ method: 'POST', headers: { k: 'a, b' } }, false, () => undefined).header('k'),
    ).toBe('a, b');
  });
});

describe('forRootAsync', () => {
  it('needs useFactory, useClass or useExisting', () => {
    expect(() => asyncOptionsProviders({})).toThrow(/useFactory, useClass or useExisting/);
  });
});
