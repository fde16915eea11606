import { describe, expect, it } from 'vitest';
import {
  createReferenceService,
  principalFromAuthorization,
  REFERENCE_ROUTE_OPTIONS,
  type ReferenceResponse,
  referenceBytes,
} from '../src/index.js';

const decoder = new TextDecoder();
const text = (response: ReferenceResponse) => {
  if (response.body instanceof ReadableStream) throw new Error('a streamed body');
  return typeof response.body === 'string' ? response.body : decoder.decode(response.body);
};
const json = (response: ReferenceResponse): unknown => JSON.parse(text(response));

describe('the reference service (docs/reference-app.md)', () => {
  it('has the route table of the contract, with the idempotency options of each route', () => {
    const service = createReferenceService();
    expect(service.routes.map((r) => r.id).sort()).toEqual(
      [
        'GET /orders/:id',
        'GET /stats',
        'POST /orders',
        'POST /payments',
        'POST /raw',
        'POST /stats/reset',
        'POST /uploads',
        'POST /stream',
        'POST /flaky',
        'POST /forms',
        'PUT /orders/:id',
      ].sort(),
    );
    expect(service.route('POST /orders').idempotency).toBeUndefined();
    expect(service.route('POST /payments').idempotency).toEqual({ required: true });
    expect(service.route('PUT /orders/:id').idempotency).toEqual({ methods: ['PUT'] });
    expect(service.route('POST /raw').idempotency).toBe(false);
    expect(service.route('POST /forms')).toMatchObject({ method: 'POST', pattern: '/forms' });
    expect(service.route('POST /forms').idempotency).toBeUndefined();
    expect(REFERENCE_ROUTE_OPTIONS['POST /forms']).toBeUndefined();
    expect(service.route('POST /stats/reset').idempotency).toBe(false);
    expect(service.route('GET /orders/:id')).toMatchObject({ method: 'GET', pattern: '/orders/:id' });
    // The same option objects for every service, so that core resolves each route once.
    expect(createReferenceService().route('POST /payments').idempotency).toBe(
      REFERENCE_ROUTE_OPTIONS['POST /payments'],
    );
    expect(() => service.route('DELETE /x' as never)).toThrow(RangeError);
  });

  it('matches methods and paths, decoding parameters', () => {
    const service = createReferenceService();
    expect(service.match('post', '/orders')?.route.id).toBe('POST /orders');
    expect(service.match('GET', '/stats')?.route.id).toBe('GET /stats');
    expect(service.match('GET', '/orders/a%20b')).toMatchObject({
      route: { id: 'GET /orders/:id' },
      params: { id: 'a b' },
    });
    expect(service.match('PUT', '/orders/x')?.params).toEqual({ id: 'x' });
    expect(service.match('GET', '/orders/')).toBeUndefined();
    expect(service.match('GET', '/orders/%E0%A4%A')).toBeUndefined();
    expect(service.match('DELETE', '/orders/1')).toBeUndefined();
    expect(service.match('POST', '/nowhere')).toBeUndefined();
    expect(service.match('GET', '/orders/1/items')).toBeUndefined();
  });

  it('POST /orders answers 201 with Location, ETag, Cache-Control, X-Request-Id, Set-Cookie and the order', async () => {
    const service = createReferenceService();
    const orders = service.route('POST /orders');
    const first = await orders.handle({ body: '{"item":"book","qty":2}', principal: 'alice' });
    expect(first.status).toBe(201);
    expect(json(first)).toEqual({ id: 1, item: 'book', qty: 2, principal: 'alice' });
    expect(first.headers).toMatchObject({
      location: '/orders/1',
      etag: '"1"',
      'cache-control': 'no-store',
      'set-cookie': ['order=1; Path=/'],
      'content-type': 'application/json; charset=utf-8',
    });
    const second = await orders.handle({ body: { item: 'pen' } });
    expect(json(second)).toEqual({ id: 2, item: 'pen', qty: null, principal: null });
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    const empty = await orders.handle({ body: new Uint8Array(0) });
    expect(json(empty)).toMatchObject({ id: 3, item: null });
    const absent = await orders.handle({});
    expect(json(absent)).toMatchObject({ id: 4 });
    const bad = await orders.handle({ body: 'not json' });
    expect(bad.status).toBe(400);
    expect((await orders.handle({ body: '[1]' })).status).toBe(400);
    expect((await orders.handle({ body: 'null' })).status).toBe(400);
    expect(service.executions['POST /orders']).toBe(7);
  });

  it('POST /orders honours ?status, ?bytes, ?throw and ?delay in every query shape', async () => {
    const service = createReferenceService();
    const orders = service.route('POST /orders');
    const teapot = await orders.handle({ query: 'status=418', body: '{}' });
    expect(teapot.status).toBe(418);
    const noContent = await orders.handle({ query: { status: '204' } });
    expect(noContent).toMatchObject({ status: 204, body: '' });
    expect(noContent.headers['location']).toBe('/orders/2');
    const ignored = await orders.handle({ query: new URLSearchParams({ status: '999' }) });
    expect(ignored.status).toBe(201);
    const bytes = await orders.handle({ query: { bytes: ['5'], other: undefined } });
    expect(bytes.headers['content-type']).toBe('application/octet-stream');
    expect(bytes.body).toEqual(referenceBytes(5, 4));
    expect(referenceBytes(3, 255)).toEqual(Uint8Array.of(255, 0, 1));
    await expect(orders.handle({ query: 'throw=1' })).rejects.toThrow(/throw=1/);
    const started = Date.now();
    await orders.handle({ query: 'delay=60&status=abc' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(service.executions['POST /orders']).toBe(6);
  });

  it('POST /payments shares the handler and counts apart', async () => {
    const service = createReferenceService();
    await service.route('POST /payments').handle({ body: '{}' });
    expect(service.executions).toMatchObject({ 'POST /payments': 1, 'POST /orders': 0 });
  });

  it('PUT /orders/:id, POST /uploads, POST /raw and GET /orders/:id answer as the contract says', async () => {
    const service = createReferenceService();
    const put = await service.route('PUT /orders/:id').handle({ params: { id: 'abc' } });
    expect(put.status).toBe(200);
    expect(json(put)).toEqual({ id: 'abc', n: 1 });
    expect(json(await service.route('PUT /orders/:id').handle({}))).toEqual({ id: null, n: 2 });
    const upload = await service.route('POST /uploads').handle({ body: Uint8Array.of(1, 2, 3) });
    expect(upload).toMatchObject({ status: 200, headers: { 'content-type': 'application/octet-stream' } });
    expect(upload.body).toEqual(Uint8Array.of(3, 2, 1));
    expect((await service.route('POST /uploads').handle({ body: 'ab' })).body).toEqual(Uint8Array.of(98, 97));
    expect(
      decoder.decode((await service.route('POST /uploads').handle({ body: { a: 1 } })).body as Uint8Array),
    ).toBe('}1:"a"{');
    expect((await service.route('POST /uploads').handle({})).body).toEqual(new Uint8Array(0));
    expect(json(await service.route('POST /raw').handle({}))).toEqual({ n: 1 });
    expect(json(await service.route('GET /orders/:id').handle({ params: { id: '7' } }))).toEqual({ id: '7' });
    expect(json(await service.route('GET /orders/:id').handle({}))).toEqual({ id: null });
  });

  it('GET /stats reports the counters and POST /stats/reset zeroes them; neither counts itself', async () => {
    const service = createReferenceService();
    await service.route('POST /raw').handle({});
    const stats = await service.route('GET /stats').handle({});
    expect(json(stats)).toEqual({
      executions: {
        'POST /orders': 0,
        'POST /payments': 0,
        'PUT /orders/:id': 0,
        'POST /uploads': 0,
        'POST /stream': 0,
        'POST /flaky': 0,
        'POST /raw': 1,
        'POST /forms': 0,
        'GET /orders/:id': 0,
      },
    });
    expect(await service.route('POST /stats/reset').handle({})).toEqual({
      status: 204,
      headers: {},
      body: '',
    });
    expect(service.executions['POST /raw']).toBe(0);
    service.reset();
    expect(Object.values(service.executions).every((n) => n === 0)).toBe(true);
  });

  it('two services keep their own counters', async () => {
    const a = createReferenceService();
    const b = createReferenceService();
    await a.route('POST /raw').handle({});
    expect(b.executions['POST /raw']).toBe(0);
  });
});

describe('principalFromAuthorization', () => {
  it('reads the name of a Bearer credential, and nothing else', () => {
    expect(principalFromAuthorization('Bearer alice')).toBe('alice');
    expect(principalFromAuthorization('bearer  bob ')).toBe('bob');
    expect(principalFromAuthorization(['Bearer carol'])).toBe('carol');
    expect(principalFromAuthorization(['Bearer a', 'Bearer b'])).toBeUndefined();
    expect(principalFromAuthorization('Basic YTpi')).toBeUndefined();
    expect(principalFromAuthorization('Bearer')).toBeUndefined();
    expect(principalFromAuthorization('Bearer a b')).toBeUndefined();
    expect(principalFromAuthorization(undefined)).toBeUndefined();
    expect(principalFromAuthorization(null)).toBeUndefined();
    expect(principalFromAuthorization([])).toBeUndefined();
  });

  it('[15.8] returns an object for Bearer object:<name>, a deliberate user bug (typed as a string)', () => {
    const principal: unknown = principalFromAuthorization('Bearer object:alice');
    expect(principal).toEqual({ name: 'alice' });
    expect(typeof principal).toBe('object');
    expect(principalFromAuthorization(['bearer object:bob'])).toEqual({ name: 'bob' });
    expect(principalFromAuthorization('Bearer objects:alice')).toBe('objects:alice');
  });
});

const encoder = new TextEncoder();

/** A multipart/form-data body with the given boundary: one text field and one file of `file` bytes. */
function multipart(boundary: string, note: string, file: Uint8Array): Uint8Array {
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${note}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="upload"; filename="data.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const out = new Uint8Array(head.length + file.length + tail.length);
  out.set(head);
  out.set(file, head.length);
  out.set(tail, head.length + file.length);
  return out;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('POST /forms', () => {
  it("[15.9] parses a multipart body by its Content-Type and answers its fields and each file's size and SHA-256", async () => {
    const service = createReferenceService();
    const forms = service.route('POST /forms');
    const file = Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff);
    const response = await forms.handle({
      body: Buffer.from(multipart('b0undary', 'hello', file)),
      contentType: 'multipart/form-data; boundary=b0undary',
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(response)).toEqual({
      fields: { note: 'hello' },
      files: [
        {
          field: 'upload',
          filename: 'data.bin',
          type: 'application/octet-stream',
          size: 1024,
          sha256: await sha256(file),
        },
      ],
    });
    expect(service.executions['POST /forms']).toBe(1);
  });

  it('[15.9] answers urlencoded fields, and a business 400 for a body that is not a form', async () => {
    const service = createReferenceService();
    const forms = service.route('POST /forms');
    const urlencoded = await forms.handle({
      body: 'a=1&b=two',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(json(urlencoded)).toEqual({ fields: { a: '1', b: 'two' }, files: [] });
    const truncated = await forms.handle({
      body: multipart('xx', 'hi', new Uint8Array(10)).subarray(0, 30),
      contentType: 'multipart/form-data; boundary=xx',
    });
    expect(truncated.status).toBe(400);
    expect(json(truncated)).toMatchObject({ error: expect.stringMatching(/not a form/) });
    expect((await forms.handle({ body: 'a=1' })).status).toBe(400);
    expect((await forms.handle({})).status).toBe(400);
    expect(service.executions['POST /forms']).toBe(4);
  });
});

describe('POST /stream', () => {
  it('answers a stream of chunks and counts one execution', async () => {
    const service = createReferenceService();
    const response = await service.route('POST /stream').handle({ query: 'chunks=2&bytes=4' });
    expect(response.status).toBe(200);
    expect(response.body).toBeInstanceOf(ReadableStream);
    const bytes = new Uint8Array(
      await new Response(response.body as ReadableStream<Uint8Array>).arrayBuffer(),
    );
    expect([...bytes]).toEqual([1, 2, 3, 4, 2, 3, 4, 5]);
    expect(service.executions['POST /stream']).toBe(1);
  });
});

describe('POST /flaky', () => {
  it('throws on its first execution after a reset, then answers like POST /orders', async () => {
    const service = createReferenceService();
    const flaky = service.route('POST /flaky');
    await expect(flaky.handle({ body: '{"item":"a","qty":1}' })).rejects.toThrow(/first execution/);
    const second = await flaky.handle({ body: '{"item":"a","qty":1}' });
    expect(second.status).toBe(201);
    expect(json(second)).toMatchObject({ id: 2, item: 'a', qty: 1 });
    expect(service.executions['POST /flaky']).toBe(2);
    service.reset();
    await expect(flaky.handle({ body: '{}' })).rejects.toThrow();
  });
});
