import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../src/errors.js';
import {
  decodeChecked,
  decodeResponse,
  encodeRecord,
  encodeResponse,
  type StoredResponse,
} from '../src/response-encoding.js';

const headerName = fc.stringMatching(/^[a-z0-9-]{1,40}$/);
const response = fc.record({
  status: fc.integer({ min: 100, max: 599 }),
  headers: fc.array(fc.tuple(headerName, fc.string({ maxLength: 200 })), { maxLength: 20 }),
  body: fc.uint8Array({ maxLength: 4096 }),
});

describe('response encoding', () => {
  it('C15 round-trips any response byte for byte', () => {
    fc.assert(
      fc.property(response, (r: StoredResponse) => {
        const decoded = decodeResponse(encodeResponse(r));
        expect(decoded.status).toBe(r.status);
        expect(decoded.headers).toEqual(r.headers);
        expect(Buffer.from(decoded.body).equals(Buffer.from(r.body))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips all 256 byte values and a 1 MiB body', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    expect([...decodeResponse(encodeResponse({ status: 200, headers: [], body: all })).body]).toEqual([
      ...all,
    ]);
    const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
    expect(
      Buffer.from(
        decodeResponse(encodeResponse({ status: 201, headers: [['a', 'b']], body: big })).body,
      ).equals(Buffer.from(big)),
    ).toBe(true);
  });

  it('keeps its pinned layout: records written by earlier versions must still decode', () => {
    const blob = encodeResponse({
      status: 201,
      headers: [
        ['content-type', 'application/json; charset=utf-8'],
        ['x-é', 'ü😀\ud800'],
        ['set-cookie', ''],
      ],
      body: new TextEncoder().encode('{"id":1}'),
    });
    expect(Buffer.from(blob).toString('hex')).toBe(
      '4944500100c90003000c636f6e74656e742d747970650000001f6170706c69636174696f6e2f6a736f6e3b20636861727365743d7574662d380004782dc3a900000009c3bcf09f9880efbfbd000a7365742d636f6f6b696500000000000000087b226964223a317d',
    );
    // The blob owns its whole buffer: a store may hand `blob.buffer` on as it is.
    expect(blob.byteOffset).toBe(0);
    expect(blob.buffer.byteLength).toBe(blob.length);
  });

  it('decodes a blob that sits inside a larger buffer', () => {
    const blob = encodeResponse({ status: 202, headers: [['x', 'é']], body: new Uint8Array([1, 2]) });
    const padded = new Uint8Array(blob.length + 10);
    padded.set(blob, 5);
    const decoded = decodeResponse(padded.subarray(5, 5 + blob.length));
    expect(decoded.headers).toEqual([['x', 'é']]);
    expect([...decoded.body]).toEqual([1, 2]);
  });

  it('refuses blobs it did not write, truncated or extended', () => {
    const blob = encodeResponse({
      status: 200,
      headers: [['content-type', 'text/plain']],
      body: new Uint8Array([1, 2, 3]),
    });
    expect(() => decodeResponse(new Uint8Array(3))).toThrow(CorruptRecordError);
    expect(() => decodeResponse(new TextEncoder().encode('HTTP/1.1 200 OK\r\n'))).toThrow(
      /not an idempo record/,
    );
    const future = blob.slice();
    future[3] = 9;
    expect(() => decodeResponse(future)).toThrow(/unknown version 9/);
    for (let cut = 12; cut < blob.length; cut++)
      expect(() => decodeResponse(blob.subarray(0, cut))).toThrow(CorruptRecordError);
    const longer = new Uint8Array(blob.length + 1);
    longer.set(blob);
    expect(() => decodeResponse(longer)).toThrow(/body length/);
    const badText = blob.slice();
    badText[10] = 0xff;
    expect(() => decodeResponse(badText)).toThrow(/invalid text/);
  });

  it('writes a text body as its UTF-8 bytes, lone surrogates as U+FFFD', () => {
    fc.assert(
      fc.property(response, fc.string({ unit: 'binary', maxLength: 300 }), (r, body) => {
        const bytes = new TextEncoder().encode(body);
        const record = encodeRecord(r.status, r.headers, body);
        expect(record.bodyLength).toBe(bytes.length);
        expect(Buffer.from(record.blob).equals(Buffer.from(encodeResponse({ ...r, body: bytes })))).toBe(
          true,
        );
      }),
      { numRuns: 300 },
    );
    const lone = encodeRecord(200, [], 'a\ud800b\udc00');
    expect([...decodeResponse(lone.blob).body]).toEqual([0x61, 0xef, 0xbf, 0xbd, 0x62, 0xef, 0xbf, 0xbd]);
  });

  it('C15 writes every header name and value as its UTF-8 bytes, ASCII or not, lone surrogates as U+FFFD', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('caf\u00e9', 'a\ud800b', '\udc00', 'x\u{1f600}y', '\u0080'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 8 }), (headers) => {
        const utf8 = new TextEncoder();
        const parts: number[] = [0x49, 0x44, 0x50, 1, 0, 200, 0, headers.length];
        for (const [name, value] of headers) {
          const n = utf8.encode(name);
          const v = utf8.encode(value);
          parts.push(n.length >> 8, n.length & 255, ...n, 0, 0, v.length >> 8, v.length & 255, ...v);
        }
        parts.push(0, 0, 0, 0);
        expect([...encodeRecord(200, headers, new Uint8Array(0)).blob]).toEqual(parts);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes records larger than its shared buffer, and one record inside another', () => {
    const headers: [string, string][] = [
      ['x-big', 'v'.repeat(70_000)],
      ['x-wide', 'é'.repeat(30_000)],
    ];
    const body = 'b'.repeat(100_000);
    const big = encodeRecord(200, headers, body);
    expect(big.bodyLength).toBe(100_000);
    const decoded = decodeResponse(big.blob);
    expect(decoded.headers).toEqual(headers);
    expect(new TextDecoder().decode(decoded.body)).toBe(body);
    expect(big.blob.byteOffset).toBe(0);
    expect(big.blob.buffer.byteLength).toBe(big.blob.length);

    // A value that is not a string runs code when it is encoded; that code may encode another record.
    let inner: Uint8Array | undefined;
    const sneaky = {
      toString() {
        inner = encodeResponse({ status: 202, headers: [['b', 'inner']], body: new Uint8Array([2]) });
        return 'outer';
      },
    };
    const outer = encodeResponse({
      status: 201,
      headers: [['a', sneaky as unknown as string]],
      body: new Uint8Array([1]),
    });
    expect(decodeResponse(outer)).toMatchObject({ status: 201, headers: [['a', 'outer']] });
    expect(decodeResponse(inner as Uint8Array)).toMatchObject({ status: 202, headers: [['b', 'inner']] });
    // As TextEncoder.encode read them: undefined is empty, anything else its text.
    const odd = [
      ['n', undefined],
      ['m', 7],
    ] as unknown as [string, string][];
    expect(
      decodeResponse(encodeResponse({ status: 200, headers: odd, body: new Uint8Array(0) })).headers,
    ).toEqual([
      ['n', ''],
      ['m', '7'],
    ]);
  });

  it('refuses what its layout cannot hold', () => {
    const many = Array.from({ length: 0x10000 }, (): [string, string] => ['a', 'b']);
    expect(() => encodeResponse({ status: 200, headers: many, body: new Uint8Array(0) })).toThrow(
      'too many headers to store',
    );
    const long: [string, string] = ['n'.repeat(0x10000), 'v'];
    expect(() => encodeResponse({ status: 200, headers: [long], body: new Uint8Array(0) })).toThrow(
      'header name too long to store',
    );
    // The shared buffer is free again after a failure.
    expect(
      decodeResponse(encodeResponse({ status: 200, headers: [['a', 'b']], body: new Uint8Array(0) })).headers,
    ).toEqual([['a', 'b']]);
  });

  it('reads every record as the field-by-field decoder does, with the same reason to refuse', () => {
    const outcome = (decode: (b: Uint8Array) => StoredResponse, blob: Uint8Array) => {
      try {
        const r = decode(blob);
        return { status: r.status, headers: r.headers, body: [...r.body] };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    const anyText = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('\ufeffbom', '', 'é', 'a\u0000b'),
    );
    const records = fc
      .record({
        status: fc.integer({ min: 100, max: 599 }),
        headers: fc.array(fc.tuple(anyText, anyText), { maxLength: 6 }),
        body: fc.uint8Array({ maxLength: 40 }),
      })
      .map((r) => encodeResponse(r));
    const damaged = fc.tuple(records, fc.nat(), fc.nat(255), fc.nat(3)).map(([blob, at, byte, how]) => {
      const i = 4 + (at % Math.max(1, blob.length - 4));
      if (how === 0) return blob.subarray(0, i);
      const copy = blob.slice();
      copy[i] = byte;
      if (how === 1) return copy;
      const longer = new Uint8Array(blob.length + 1 + (at % 3));
      longer.set(how === 2 ? blob : copy);
      return longer;
    });
    fc.assert(
      fc.property(fc.oneof(records, damaged), (blob) => {
        expect(outcome(decodeResponse, blob)).toEqual(outcome(decodeChecked, blob));
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws anything but CorruptRecordError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const blob = new Uint8Array([0x49, 0x44, 0x50, 1, ...bytes]);
        try {
          decodeResponse(blob);
        } catch (e) {
          expect(e).toBeInstanceOf(CorruptRecordError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
