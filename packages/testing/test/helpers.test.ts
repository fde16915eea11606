import { MemoryStore } from '@idempo/core';
import { describe, expect, it } from 'vitest';
import { quoted } from '../src/adapter-client.js';
import { bodyJsonOf, header, headerValues } from '../src/adapter-http.js';
import { createAdapterSuiteContext } from '../src/adapter-suite-context.js';
import { assertSameBytes, describeByteDifference, isByteArray } from '../src/bytes.js';
import { withSlowComplete } from '../src/delayed-store.js';
import { createFailingStore } from '../src/index.js';
import { multipartBody, sha256Hex } from '../src/multipart.js';
import { randomBytes, randomHex, uniquePrefix } from '../src/random.js';
import { bodyBytes, bodyJson, integerParam, toSearchParams } from '../src/reference-input.js';
import { createStoreSuiteContext } from '../src/store-suite-context.js';

describe('byte helpers', () => {
  it('describe the first difference, or nothing when equal', () => {
    expect(describeByteDifference(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBeUndefined();
    expect(describeByteDifference(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toMatch(
      /offset 1: got 0x02, expected 0x03/,
    );
    expect(describeByteDifference(Uint8Array.of(1), Uint8Array.of(1, 2))).toMatch(
      /lengths differ: got 1 bytes, expected 2/,
    );
  });

  it('assertSameBytes accepts any Uint8Array, Buffers included, and names what differs', () => {
    expect(() => assertSameBytes(Buffer.from([1, 2]), Uint8Array.of(1, 2), 'x')).not.toThrow();
    expect(() => assertSameBytes(Uint8Array.of(1), Uint8Array.of(2), 'the body')).toThrow(
      /^the body: bytes differ/,
    );
    expect(() => assertSameBytes('ab', Uint8Array.of(1), 'y')).toThrow(/expected a Uint8Array, got string/);
    expect(() => assertSameBytes(null, Uint8Array.of(1), 'y')).toThrow(/got null/);
    expect(() => assertSameBytes([1], Uint8Array.of(1), 'y')).toThrow(/got Array/);
    expect(() => assertSameBytes(Object.create(null), Uint8Array.of(1), 'y')).toThrow(/got an object/);
    expect(isByteArray(new Uint16Array(1))).toBe(false);
    expect(isByteArray(new DataView(new ArrayBuffer(1)))).toBe(false);
  });
});

describe('random helpers', () => {
  it('fill large buffers and make unique prefixes', () => {
    const bytes = randomBytes(200_000);
    expect(bytes.length).toBe(200_000);
    expect(bytes.subarray(150_000).some((b) => b !== 0)).toBe(true);
    expect(randomHex(4)).toMatch(/^[0-9a-f]{8}$/);
    expect(uniquePrefix('p')).not.toBe(uniquePrefix('p'));
    expect(uniquePrefix('p')).toMatch(/^p:[0-9a-z]+:[0-9a-f]{12}:$/);
  });
});

describe('reference input helpers', () => {
  it('read queries and bodies in every shape', () => {
    expect(toSearchParams(undefined).toString()).toBe('');
    expect(toSearchParams({ a: ['1', '2'], b: '3', c: undefined }).toString()).toBe('a=1&a=2&b=3');
    expect(integerParam(new URLSearchParams('n=12'), 'n')).toBe(12);
    expect(integerParam(new URLSearchParams('n=-1'), 'n')).toBeUndefined();
    expect(integerParam(new URLSearchParams(''), 'n')).toBeUndefined();
    expect(bodyBytes(null)).toEqual(new Uint8Array(0));
    expect(bodyJson(' ')).toEqual({});
    expect(bodyJson(new TextEncoder().encode('{"a":1}'))).toEqual({ a: 1 });
    expect(bodyJson({ parsed: true })).toEqual({ parsed: true });
    expect(bodyJson('{')).toBeUndefined();
  });
});

describe('response helpers', () => {
  it('read headers whatever their case, and JSON bodies', () => {
    const response = {
      status: 200,
      headers: { 'Set-Cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' },
      body: new TextEncoder().encode('nope'),
    };
    expect(headerValues(response, 'set-cookie')).toEqual(['a=1', 'b=2']);
    expect(header(response, 'SET-COOKIE')).toBe('a=1, b=2');
    expect(header(response, 'x-missing')).toBeUndefined();
    expect(() => bodyJsonOf(response)).toThrow(/expected a JSON body, got status 200 with "nope"/);
    expect(quoted('a"b\\c')).toBe('"a\\"b\\\\c"');
  });
});

describe('store wrappers', () => {
  it('createFailingStore rejects every operation and closes', async () => {
    const store = createFailingStore('down');
    await expect(store.reserve('k', 'f', 1, 1)).rejects.toThrow('down');
    await expect(store.complete('k', 't', new Uint8Array(0), 1)).rejects.toThrow('down');
    await expect(store.release('k', 't')).rejects.toThrow('down');
    await expect(store.extend('k', 't', 1)).rejects.toThrow('down');
    await expect(store.close?.()).resolves.toBeUndefined();
  });

  it('withSlowComplete delays complete only and forwards everything', async () => {
    const store = withSlowComplete(new MemoryStore(), 30);
    const reserved = await store.reserve('k', 'f', 1_000, 1_000);
    if (reserved.kind !== 'reserved') throw new Error('not reserved');
    expect(await store.extend('k', reserved.token, 1_000)).toBe(true);
    const started = Date.now();
    expect(await store.complete('k', reserved.token, Uint8Array.of(1), 1_000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(await store.release('k', reserved.token)).toBe(false);
    await store.close?.();
  });
});

describe('suite option validation', () => {
  it('storeSuite refuses a bad timeScale or raceSize', () => {
    const factory = () => new MemoryStore();
    expect(() => createStoreSuiteContext(factory, { timeScale: 0 })).toThrow(RangeError);
    expect(() => createStoreSuiteContext(factory, { raceSize: 1 })).toThrow(RangeError);
  });

  it('adapterSuite refuses a bad parallel', () => {
    const make = () => ({ request: () => Promise.reject(new Error('unused')), close: async () => {} });
    expect(() => createAdapterSuiteContext(make, { parallel: 1.5 })).toThrow(RangeError);
  });
});

describe('multipart helpers', () => {
  it('[15.9] build a multipart body with the given boundary that a form parser reads back', async () => {
    const file = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const body = multipartBody('b-1', [
      { name: 'note', value: 'hi' },
      { name: 'f', filename: 'a.bin', bytes: file },
      { name: 'g', filename: 'b.txt', type: 'text/plain', bytes: new TextEncoder().encode('x') },
    ]);
    expect(body.contentType).toBe('multipart/form-data; boundary=b-1');
    expect(new TextDecoder().decode(body.bytes.subarray(0, 5))).toBe('--b-1');
    const form = await new Response(new Uint8Array(body.bytes), {
      headers: { 'content-type': body.contentType },
    }).formData();
    expect(form.get('note')).toBe('hi');
    const f = form.get('f') as File;
    expect([f.name, f.type, f.size]).toEqual(['a.bin', 'application/octet-stream', 300]);
    expect(new Uint8Array(await f.arrayBuffer())).toEqual(file);
    expect((form.get('g') as File).type).toBe('text/plain');
    expect(() => multipartBody('', [])).toThrow(RangeError);
    expect(() => multipartBody('a b', [])).toThrow(RangeError);
    expect(() => multipartBody('x'.repeat(71), [])).toThrow(RangeError);
  });

  it('sha256Hex is the lower-case hex SHA-256', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
