/**
 * hasRequestBody on real `node:http` and `node:http2` requests (D26 D27: the body a fingerprint covers is the
 * body the request carries): HTTP/1 by its framing headers, HTTP/2 by whether its HEADERS frame ended the stream.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import {
  connect as connectHttp2,
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hasRequestBody } from '../src/node-api.js';
import { sendRaw } from './support/node-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Answers a request with hasRequestBody's answer for it and the number of bytes it then read. */
async function report(
  req: IncomingMessage | Http2ServerRequest,
  res: { end(text: string): unknown },
): Promise<void> {
  const body = hasRequestBody(req.headers, req);
  let bytes = 0;
  for await (const chunk of req) bytes += (chunk as Buffer).length;
  res.end(`${body} ${bytes}`);
}

/** A node:http server that answers each request with {@link report}. */
async function http1(): Promise<number> {
  const server = createHttpServer(report);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

const answer = (raw: string): string =>
  raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, '');

describe('hasRequestBody', () => {
  it('D26 HTTP/1: a Content-Length other than 0, or a Transfer-Encoding, is a body; 0 or neither is none', async () => {
    const port = await http1();
    const head = (fields: string) => `POST /orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${fields}\r\n`;
    expect(answer(await sendRaw(port, `${head('Content-Length: 5\r\n')}hello`))).toBe('true 5');
    expect(answer(await sendRaw(port, head('Content-Length: 0\r\n')))).toBe('false 0');
    expect(
      answer(await sendRaw(port, `${head('Transfer-Encoding: chunked\r\n')}5\r\nhello\r\n0\r\n\r\n`)),
    ).toBe('true 5');
    // A Content-Type alone frames no body on HTTP/1 (RFC 9112 section 6.3): there is none to read.
    expect(answer(await sendRaw(port, head('Content-Type: application/json\r\n')))).toBe('false 0');
  });

  it('D26 HTTP/2: DATA frames without content-length are a body; a stream ended by its HEADERS, or content-length 0, is none', async () => {
    const server = createHttp2Server();
    server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => report(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const session = connectHttp2(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    closers.push(async () => {
      session.close();
      await new Promise((resolve) => server.close(resolve));
    });
    const send = async (headers: OutgoingHttpHeaders, body: string | undefined): Promise<string> => {
      const stream = session.request(
        { ':method': 'POST', ':path': '/orders', ...headers },
        { endStream: body === undefined },
      );
      if (body !== undefined) stream.end(body);
      let text = '';
      stream.setEncoding('utf8');
      for await (const chunk of stream) text += chunk;
      return text;
    };
    expect(await send({ 'content-type': 'application/json' }, '{"a":1}')).toBe('true 7');
    expect(await send({}, '{"a":1}')).toBe('true 7');
    expect(await send({ 'content-length': '7' }, '{"a":1}')).toBe('true 7');
    expect(await send({ 'content-type': 'application/json' }, undefined)).toBe('false 0');
    expect(await send({ 'content-length': '0' }, '')).toBe('false 0');
    // HEADERS without END_STREAM, then an empty DATA frame: a body of no bytes (the bytes then tell).
    expect(await send({}, '')).toBe('true 0');
  });

  it('D26 an HTTP/2 request whose stream is not known counts as having a body, so that none is left out of a fingerprint', () => {
    expect(hasRequestBody({}, { httpVersionMajor: 2 })).toBe(true);
    expect(hasRequestBody({}, { httpVersionMajor: 2, stream: { endAfterHeaders: true } })).toBe(false);
    expect(hasRequestBody({}, {})).toBe(false);
    expect(hasRequestBody({ 'transfer-encoding': 'chunked' }, { httpVersionMajor: 1 })).toBe(true);
  });
});
