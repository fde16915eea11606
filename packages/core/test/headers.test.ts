import { describe, expect, it } from 'vitest';
import { createHeaderFilter, normalizeHeaders, storedHeaders } from '../src/headers.js';

describe('normalizeHeaders', () => {
  it('reads records, entry lists and fetch Headers with lower-case names', () => {
    expect(
      normalizeHeaders({ 'Content-Type': 'a', 'X-N': 5, 'Set-Cookie': ['a=1', 'b=2'], gone: undefined }),
    ).toEqual([
      ['content-type', 'a'],
      ['x-n', '5'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(normalizeHeaders([['Location', '/x']])).toEqual([['location', '/x']]);
    const h = new Headers({ ETag: '"1"' });
    h.append('Set-Cookie', 'a=1');
    h.append('Set-Cookie', 'b=2');
    expect(normalizeHeaders(h)).toEqual([
      ['etag', '"1"'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(normalizeHeaders(undefined)).toEqual([]);
  });

  it('reads fetch-like headers without getSetCookie', () => {
    const like = { forEach: (cb: (v: string, n: string) => void) => cb('a=1', 'Set-Cookie') };
    expect(normalizeHeaders(like)).toEqual([['set-cookie', 'a=1']]);
  });
});

describe('createHeaderFilter', () => {
  const all = normalizeHeaders({
    location: '/orders/1',
    etag: '"1"',
    'cache-control': 'no-store',
    'content-type': 'application/json',
    'last-modified': 'Mon, 23 Nov 2026 09:00:00 GMT',
    link: '</x>; rel=next',
    connection: 'keep-alive, x-private',
    'keep-alive': 'timeout=5',
    'x-private': 'hop',
    'proxy-connection': 'x',
    te: 'trailers',
    trailer: 'x',
    'transfer-encoding': 'chunked',
    upgrade: 'h2c',
    date: 'now',
    'content-length': '12',
    'set-cookie': ['a=1', 'b=2'],
    'x-request-id': 'r',
    'x-ratelimit-remaining': '9',
    ratelimit: 'x',
    'access-control-allow-origin': '*',
    'idempotent-replayed': 'true',
  });

  it('C18 C19 C21 C22 C23 keeps end-to-end headers and drops the rest', () => {
    const kept = createHeaderFilter({ replayHeader: 'Idempotent-Replayed' })(all).map(([n]) => n);
    expect(kept).toEqual(['location', 'etag', 'cache-control', 'content-type', 'last-modified', 'link']);
  });

  it('C22 replays Set-Cookie only when opted in, one field line per cookie', () => {
    const kept = createHeaderFilter({ replaySetCookie: true })(all).filter(([n]) => n === 'set-cookie');
    expect(kept).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
  });

  it('takes a custom exclusion list with prefixes', () => {
    const kept = createHeaderFilter({ excludeHeaders: ['ETag', 'last-*'] })(all).map(([n]) => n);
    expect(kept).toContain('x-request-id');
    expect(kept).not.toContain('etag');
    expect(kept).not.toContain('last-modified');
  });
});

describe('storedHeaders', () => {
  const filters = [
    createHeaderFilter(),
    createHeaderFilter({ replaySetCookie: true, excludeHeaders: ['ETag', 'x-*'], replayHeader: 'Replayed' }),
  ];
  const inherited = Object.assign(Object.create({ 'x-inherited': 'no' }), { Location: '/x' });
  const inputs = [
    undefined,
    null,
    { 'Content-Type': 'a', 'X-N': 5, 'Set-Cookie': ['a=1', 'b=2'], gone: undefined, none: null },
    {
      date: 'today',
      'content-length': 7,
      etag: '"1"',
      'x-request-id': 'r',
      'access-control-allow-origin': '*',
    },
    { connection: 'close, X-Drop', 'x-drop': 'gone', 'x-keep': 'kept', ETag: '"2"' },
    { Connection: 'keep-alive', 'Keep-Alive': 'timeout=5', location: '/y' },
    { connection: undefined, 'x-drop': 'kept' },
    inherited,
    [
      ['Location', '/x'],
      ['Connection', 'etag'],
      ['ETag', '"3"'],
    ] as const,
    new Headers({ ETag: '"1"', 'Set-Cookie': 'a=1', Date: 'today' }),
  ];

  it('C18 C23 keeps exactly what the filter keeps of the normalised headers, in their order, for every shape', () => {
    for (const filter of filters) {
      for (const input of inputs)
        expect(storedHeaders(input, filter)).toEqual(filter(normalizeHeaders(input)));
    }
  });

  it('C19 tells which names are stored, short of a Connection header', () => {
    const filter = createHeaderFilter({ excludeHeaders: ['ETag', 'x-*'] });
    expect(['location', 'etag', 'x-a', 'date', 'set-cookie', 'content-type'].map(filter.stores)).toEqual([
      true,
      false,
      false,
      false,
      false,
      true,
    ]);
  });
});

describe('storedHeaders of values normalizeHeaders reads its own way', () => {
  const filter = createHeaderFilter();

  it('C18 a list that is not all text reads as normalizeHeaders reads it', () => {
    const input = { location: '/x', vary: [1, 2] as unknown as string[], 'x-n': 5 };
    expect(storedHeaders(input, filter)).toEqual(filter(normalizeHeaders(input)));
  });

  it('C23 a value that is no header value fails as normalizeHeaders fails, even on a header not stored', () => {
    const input = { location: '/x', 'x-request-id': true as unknown as string };
    expect(() => normalizeHeaders(input)).toThrow(TypeError);
    expect(() => storedHeaders(input, filter)).toThrow(TypeError);
  });
});
