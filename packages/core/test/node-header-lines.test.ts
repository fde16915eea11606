/**
 * headerLines over real `node:http` requests [A5]: a header's value as Node gives it, or every field line when
 * the client sent several (Node joins them with ", ", which would hide two Idempotency-Key lines).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { headerLines, headerSource } from '../src/node-api.js';
import { listen, type Served, sendRaw } from './support/node-server.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

describe('headerLines', () => {
  it('A5 two field lines are both seen; one line holding a comma stays one value; an absent header is undefined', async () => {
    served = await listen((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          twoLines: headerLines(req, 'idempotency-key'),
          oneLine: headerLines(req, 'accept'),
          single: headerLines(req, 'x-single'),
          absent: headerLines(req, 'x-absent') ?? null,
          cookies: headerLines(req, 'cookie'),
        }),
      );
    });
    const answer = await sendRaw(
      served.port,
      'POST / HTTP/1.1\r\nHost: x\r\nIdempotency-Key: "a"\r\nIdempotency-Key: "b"\r\n' +
        'Accept: text/html, application/json\r\nX-Single: v\r\nCookie: a=1\r\nConnection: close\r\n' +
        'Content-Length: 0\r\n\r\n',
    );
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      twoLines: ['"a"', '"b"'],
      oneLine: 'text/html, application/json',
      single: 'v',
      absent: null,
      cookies: 'a=1',
    });
  });

  it('A5 without headersDistinct (a request built by hand): the value as it is', () => {
    expect(headerLines({ headers: { 'idempotency-key': '"a", "b"' } }, 'idempotency-key')).toBe('"a", "b"');
    expect(headerLines({ headers: { 'set-cookie': ['a=1', 'b=2'] } }, 'set-cookie')).toEqual(['a=1', 'b=2']);
  });

  it('A5 headerSource: the Node request itself when the headers are its own, else its field lines read on demand', async () => {
    served = await listen((req, res) => {
      const own = headerSource(req.headers, req);
      // A framework's own header object (Fastify's with added headers): another object, same field lines.
      const copy = { ...req.headers, 'x-added': 'yes' };
      const framework = headerSource(copy, req);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          sameObject: own === req,
          ownLines: headerLines(own, 'idempotency-key'),
          frameworkIsNode: framework === req,
          frameworkLines: headerLines(framework, 'idempotency-key'),
          added: headerLines(framework, 'x-added'),
        }),
      );
    });
    const answer = await sendRaw(
      served.port,
      'POST / HTTP/1.1\r\nHost: x\r\nIdempotency-Key: "a"\r\nIdempotency-Key: "b"\r\nConnection: close\r\n' +
        'Content-Length: 0\r\n\r\n',
    );
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      sameObject: true,
      ownLines: ['"a"', '"b"'],
      frameworkIsNode: false,
      frameworkLines: ['"a"', '"b"'],
      added: 'yes',
    });
  });
});
