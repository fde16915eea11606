/** The small translations, case by case: the Node.js response, streams, errors, request bodies. */
import { PassThrough, Readable } from 'node:stream';
import { StreamableFile } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { rejectedBeforeHandler } from '../src/handler-answer.js';
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

describe('rejectedBeforeHandler', () => {
  it('a request Nest 12 marks as rejected by its pipes never ran its handler; any other did', () => {
    expect(rejectedBeforeHandler({ [Symbol.for('nestjs:rejected-by-pipes')]: true })).toBe(true);
    expect(rejectedBeforeHandler({ [Symbol.for('nestjs:rejected-by-pipes')]: false })).toBe(false);
    expect(rejectedBeforeHandler({})).toBe(false);
    expect(rejectedBeforeHandler(null)).toBe(false);
  });
});

describe('the request core sees', () => {
  const base = { method: 'POST', headers: { 'content-length': '2' } };

  it('the body: rawBody, else bytes or text a parser left, else undefined (core fingerprints parsedBody), else nothing', () => {
    const raw = Buffer.from('{}');
    expect(readBody({ ...base, rawBody: raw, body: { a: 1 } }, 1024)).toBe(raw);
    expect(readBody({ ...base, body: raw }, 1024)).toBe(raw);
    expect(new TextDecoder().decode(readBody({ ...base, body: 'hé' }, 1024) as Uint8Array)).toBe('hé');
    expect(readBody({ ...base, body: { a: 1 } }, 1024)).toBeUndefined();
    expect(toIdempotencyRequest({ ...base, body: { a: 1 } }, undefined).parsedBody?.()).toEqual({ a: 1 });
    expect(readBody({ method: 'POST', headers: {}, body: {} }, 1024)).toBeNull();
    expect(readBody({ method: 'POST', headers: { 'content-length': '0' }, body: {} }, 1024)).toBeNull();
    expect(
      readBody({ method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: 'x' }, 1024),
    ).not.toBeNull();
  });

  it('[15.6] a multipart body someone read before idempo is no bytes: core refuses it (engine-behaviour-table)', () => {
    const consumed = Object.assign(new PassThrough(), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': '10' },
      body: { note: 'fields multer parsed' },
    });
    consumed.resume();
    expect(readBody(consumed, 1024)).toBeUndefined();
  });

  it('the URL as received (core splits it); every field line of a repeated header every field line of a repeated header', () => {
    const request = toIdempotencyRequest(
      {
        method: 'POST',
        url: '/rewritten',
        originalUrl: '/orders/a%20b?x=1&y',
        headers: { 'idempotency-key': 'a, b', 'x-one': 'c, d', other: 'e' },
        headersDistinct: { 'idempotency-key': ['a', 'b'], 'x-one': ['c, d'] },
      },
      undefined,
    );
    expect(request.url).toBe('/orders/a%20b?x=1&y');
    expect(request.header('idempotency-key')).toEqual(['a', 'b']);
    expect(request.header('x-one')).toBe('c, d');
    expect(request.header('other')).toBe('e');
    expect(request.header('missing')).toBeUndefined();
    const fastify = toIdempotencyRequest(
      { method: 'POST', url: '/o', headers: { k: 'a, b' }, raw: { headersDistinct: { k: ['a', 'b'] } } },
      false,
    );
    expect(fastify.url).toBe('/o');
    expect(fastify.header('k')).toEqual(['a', 'b']);
    expect(toIdempotencyRequest({ method: 'POST', headers: { k: 'a, b' } }, false).header('k')).toBe('a, b');
  });
});

describe('forRootAsync', () => {
  it('needs useFactory, useClass or useExisting', () => {
    expect(() => asyncOptionsProviders({})).toThrow(/useFactory, useClass or useExisting/);
  });
});
