import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  computeFingerprint,
  type FingerprintInput,
  isJsonMediaType,
} from '../src/fingerprint.js';
import { sha256 } from '../src/hash.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const fp = (input: Partial<FingerprintInput>) =>
  computeFingerprint({ method: 'POST', path: '/orders', ...input });

describe('computeFingerprint', () => {
  it('is a 43-character base64url SHA-256 digest, stable across calls', () => {
    const a = fp({ body: bytes('x') });
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fp({ body: bytes('x') })).toBe(a);
  });

  it('D26 a different body is a different fingerprint', () => {
    expect(fp({ body: bytes('{"qty":1}'), contentType: 'application/json' })).not.toBe(
      fp({ body: bytes('{"qty":2}'), contentType: 'application/json' }),
    );
  });

  it('D26 JSON member order and whitespace do not matter', () => {
    const ct = 'application/json; charset=utf-8';
    expect(fp({ body: bytes('{"a":1,"b":[1,2]}'), contentType: ct })).toBe(
      fp({ body: bytes('{ "b": [1, 2],\n "a": 1 }'), contentType: ct }),
    );
    expect(fp({ body: bytes('{"a":1}'), contentType: 'application/merge-patch+json' })).toBe(
      fp({ body: bytes('{ "a" : 1 }'), contentType: 'application/merge-patch+json' }),
    );
  });

  it('non-JSON bodies are hashed as bytes, never decoded', () => {
    expect(fp({ body: bytes('{"a":1,"b":2}'), contentType: 'text/plain' })).not.toBe(
      fp({ body: bytes('{"b":2,"a":1}'), contentType: 'text/plain' }),
    );
    // Two invalid UTF-8 sequences that a lossy decode would both turn into U+FFFD.
    expect(fp({ body: new Uint8Array([0xff]), contentType: 'application/json' })).not.toBe(
      fp({ body: new Uint8Array([0xfe]), contentType: 'application/json' }),
    );
    // Invalid JSON under a JSON content type falls back to bytes and still differs from other bytes.
    expect(fp({ body: bytes('{oops'), contentType: 'application/json' })).not.toBe(
      fp({ body: bytes('{oops}'), contentType: 'application/json' }),
    );
  });

  it('absent and empty bodies are the same', () => {
    expect(fp({})).toBe(fp({ body: new Uint8Array(0) }));
    expect(fp({ body: null })).toBe(fp({ body: new Uint8Array(0), contentType: 'application/json' }));
    expect(fp({})).not.toBe(fp({ body: bytes(' ') }));
  });

  it('D27 covers method, concrete path and query', () => {
    const base = fp({ path: '/orders/a' });
    expect(fp({ path: '/orders/b' })).not.toBe(base);
    expect(fp({ path: '/orders/a', method: 'PUT' })).not.toBe(base);
    expect(fp({ path: '/orders/a', method: 'post' })).toBe(base);
    expect(fp({ path: '/orders/a', query: 'x=1' })).not.toBe(base);
    expect(fp({ path: '/orders/a', query: 'b=2&a=1' })).toBe(fp({ path: '/orders/a', query: 'a=1&b=2' }));
  });

  it('cannot be fooled by moving bytes between fields', () => {
    expect(fp({ path: '/a', query: 'b=1' })).not.toBe(fp({ path: '/a?b=1' }));
    expect(fp({ path: '/ab', body: bytes('c') })).not.toBe(fp({ path: '/a', body: bytes('bc') }));
  });

  it('keeps its pinned digests: records stored by earlier versions must still match', () => {
    expect(
      fp({
        method: 'post',
        query: 'b=2&a=1',
        contentType: 'application/json',
        body: bytes('{ "item": "widget", "qty": 2, "tags": ["a", "é"], "n": 1.50e3 }'),
      }),
    ).toBe('m0hirHJqqo5uHQvxRBE1YewUjlha80WhoQTQ9PavZp8');
    expect(
      fp({
        method: 'PUT',
        path: '/files/ü',
        contentType: 'application/octet-stream',
        body: new Uint8Array([0, 1, 2, 255, 254]),
      }),
    ).toBe('VM89BIrmnbEjM1TDj1JrlN0QnVtIPa7FMMXAP9e4vgo');
    expect(fp({ method: 'DELETE', path: '/orders/1' })).toBe('2mf_b8O_sb7Ttn0HNYefJmJx6s2YFJyOrfmDKY1PJBk');
    expect(fp({ path: '/x', contentType: 'application/json', body: bytes('{oops') })).toBe(
      'yA50ut51qBXjMVDfk9P13wfaGHlXvY61s-eNxTiMLH0',
    );
    // A lone surrogate in the path is hashed as U+FFFD, as UTF-8 encoders do.
    expect(fp({ path: '/\ud800x', contentType: 'application/json', body: bytes('"\\ud800"') })).toBe(
      'wyx0xHtIxpeYQG_ZuUuDaO1oTV0vpy06nkWfesVNxVo',
    );
  });

  it('uses the same digest on the pure-JS fallback', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(sha256('aé\ud800', undefined, true)).toBe(sha256('aé\ud800', undefined, false));
    expect(sha256('aé', bytes, true)).toBe(sha256('aé', bytes, false));
  });
});

describe('canonicalQuery', () => {
  it('sorts by name, keeps the order of repeated names, normalises encoding', () => {
    expect(canonicalQuery('b=2&a=1&a=0')).toBe('a=1&a=0&b=2');
    expect(canonicalQuery('a=0&a=1')).not.toBe(canonicalQuery('a=1&a=0'));
    expect(canonicalQuery('q=%41')).toBe(canonicalQuery('q=A'));
    expect(canonicalQuery('')).toBe('');
    expect(canonicalQuery(undefined)).toBe('');
    expect(canonicalQuery('&&')).toBe('');
  });
});

describe('isJsonMediaType', () => {
  it('recognises application/json and +json types only', () => {
    expect(isJsonMediaType('application/json')).toBe(true);
    expect(isJsonMediaType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonMediaType('application/vnd.api+json')).toBe(true);
    expect(isJsonMediaType('text/plain')).toBe(false);
    expect(isJsonMediaType('application/jsonp')).toBe(false);
    expect(isJsonMediaType(undefined)).toBe(false);
  });
});
