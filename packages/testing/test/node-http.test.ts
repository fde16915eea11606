/**
 * `@idempo/testing/node-http`: the client keeps every field line apart both ways, text and bytes go out as they
 * are, an aborted signal disconnects, `close()` drops every connection; and the subpath stays out of the main
 * entry and `./reference` (they load no `node:` module), and is built and exported like them.
 */

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  connect as connectHttp2,
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listeningApp, type ServedHttp, sendHttp2, serveHttp } from '../src/node-http.js';

/** What the server saw of one request. */
interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly rawHeaders: readonly string[];
  readonly body: Uint8Array;
}

async function read(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

const opened: ServedHttp[] = [];
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close().catch(() => undefined);
});

/** Serves an echo: it answers 201, two Set-Cookie lines, and what it saw as JSON. */
async function echo(): Promise<ServedHttp> {
  const app = await serveHttp((req, res) => {
    void read(req).then((body) => {
      const seen: Seen = { method: req.method, url: req.url, rawHeaders: req.rawHeaders, body };
      res.writeHead(201, [
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['X-One', 'x'],
        ['content-type', 'application/json'],
      ]);
      res.end(JSON.stringify({ ...seen, body: [...seen.body] }));
    });
  });
  opened.push(app);
  return app;
}

function seenOf(body: Uint8Array): Seen {
  const parsed = JSON.parse(new TextDecoder().decode(body)) as Omit<Seen, 'body'> & { body: number[] };
  return { ...parsed, body: Uint8Array.from(parsed.body) };
}

describe('sendHttp and serveHttp', () => {
  it('send the method, path, Host, every field line of a header as given, and a text body as UTF-8', async () => {
    const app = await echo();
    expect(app.port).toBeGreaterThan(0);
    const res = await app.request({
      method: 'POST',
      path: '/orders?delay=1',
      headers: { 'Idempotency-Key': ['"a"', '"b"'], 'x-Case': 'kept' },
      body: 'é',
    });
    expect(res.status).toBe(201);
    const seen = seenOf(res.body);
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/orders?delay=1');
    expect(seen.rawHeaders).toEqual([
      'host',
      `127.0.0.1:${app.port}`,
      'Idempotency-Key',
      '"a"',
      'Idempotency-Key',
      '"b"',
      'x-Case',
      'kept',
      'content-length',
      '2',
      'Connection',
      'keep-alive',
    ]);
    expect(seen.body).toEqual(Uint8Array.of(0xc3, 0xa9));
  });

  it('keep repeated response field lines apart, in order, under lower-case names', async () => {
    const res = await (await echo()).request({ method: 'GET', path: '/' });
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-one']).toBe('x');
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('send bytes exactly, and no Content-Length without a body; a third line joins the array', async () => {
    const app = await serveHttp((req, res) => {
      void read(req).then((body) => {
        res.setHeader('x-lines', ['1', '2', '3']);
        res.end(JSON.stringify({ length: req.headers['content-length'] ?? null, body: [...body] }));
      });
    });
    opened.push(app);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const withBody = await app.request({ method: 'PUT', path: '/b', body: all });
    expect(JSON.parse(new TextDecoder().decode(withBody.body))).toEqual({ length: '256', body: [...all] });
    expect(withBody.headers['x-lines']).toEqual(['1', '2', '3']);
    const without = await app.request({ method: 'DELETE', path: '/b' });
    expect(JSON.parse(new TextDecoder().decode(without.body))).toEqual({ length: null, body: [] });
  });

  it('an aborted signal destroys the socket and rejects; close() drops the open connection', async () => {
    let arrived: (() => void) | undefined;
    const nextArrival = () =>
      new Promise<void>((resolve) => {
        arrived = resolve;
      });
    const app = await serveHttp(() => arrived?.());
    const controller = new AbortController();
    let reached = nextArrival();
    const pending = app.request({ method: 'POST', path: '/hang', body: 'x', signal: controller.signal });
    await reached;
    controller.abort();
    await expect(pending).rejects.toThrow();
    reached = nextArrival();
    const hanging = app.request({ method: 'GET', path: '/hang' }).catch((error: unknown) => error);
    await reached;
    await app.close();
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('a refused connection rejects', async () => {
    const app = await echo();
    await app.close();
    await expect(app.request({ method: 'GET', path: '/' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('sendHttp2', () => {
  /** An HTTP/2 server that records what it received, how many DATA chunks, and answers with two set-cookies. */
  async function h2(): Promise<{
    port: number;
    seen: () => { headers: Record<string, unknown>; chunks: number; body: string } | undefined;
    close: () => Promise<void>;
  }> {
    let last: { headers: Record<string, unknown>; chunks: number; body: string } | undefined;
    const server = createHttp2Server((req: Http2ServerRequest, res: Http2ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        last = { headers: { ...req.headers }, chunks: chunks.length, body: Buffer.concat(chunks).toString() };
        res.writeHead(201, { 'set-cookie': ['a=1', 'b=2'], 'x-n': '7' });
        res.end('done');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      seen: () => last,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('sends method, path, headers and Content-Length, and the whole body; reads status, headers and bytes', async () => {
    const server = await h2();
    const session = connectHttp2(`http://127.0.0.1:${server.port}`);
    try {
      const answer = await sendHttp2(session, {
        method: 'POST',
        path: '/orders?x=1',
        headers: { 'Idempotency-Key': '"k"', accept: ['a/b', 'c/d'] },
        body: '{"item":"book"}',
      });
      expect(answer.status).toBe(201);
      expect(answer.headers).toMatchObject({ 'set-cookie': ['a=1', 'b=2'], 'x-n': '7' });
      expect(Object.keys(answer.headers).some((name) => name.startsWith(':'))).toBe(false);
      expect(Buffer.from(answer.body).toString()).toBe('done');
      const seen = server.seen();
      expect(seen?.headers).toMatchObject({
        ':method': 'POST',
        ':path': '/orders?x=1',
        'idempotency-key': '"k"',
        'content-length': '15',
      });
      expect(seen?.body).toBe('{"item":"book"}');
      // Sent in two DATA frames; how many reads the server makes of them depends on timing (one under load).
      expect(seen?.chunks).toBeGreaterThanOrEqual(1);

      await sendHttp2(
        session,
        { method: 'POST', path: '/', body: new Uint8Array([1, 2, 3]) },
        { contentLength: false },
      );
      expect(server.seen()?.headers['content-length']).toBeUndefined();
      expect(server.seen()?.body).toBe('\u0001\u0002\u0003');
      await sendHttp2(session, { method: 'GET', path: '/' });
      expect(server.seen()).toMatchObject({ chunks: 0, body: '' });
    } finally {
      session.close();
      await server.close();
    }
  });

  it('an aborted signal closes the stream and rejects', async () => {
    const server = await h2();
    const session = connectHttp2(`http://127.0.0.1:${server.port}`);
    try {
      const controller = new AbortController();
      const sent = sendHttp2(session, {
        method: 'POST',
        path: '/',
        body: 'abcdef',
        signal: controller.signal,
      });
      controller.abort();
      await expect(sent).rejects.toThrow();
    } finally {
      session.close();
      await server.close();
    }
  });
});

describe('listeningApp', () => {
  async function listening(): Promise<{ server: Server; port: number }> {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }

  it('serves through a server without closeAllConnections, and closes it', async () => {
    const { server, port } = await listening();
    const app = listeningApp({ close: (callback) => server.close(callback) }, port);
    const res = await app.request({ method: 'GET', path: '/' });
    expect(new TextDecoder().decode(res.body)).toBe('ok');
    server.closeAllConnections();
    await app.close();
    expect(server.listening).toBe(false);
  });

  it('close() rejects with the error of a server that was not listening', async () => {
    const { server, port } = await listening();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(listeningApp(server, port).close()).rejects.toThrow(/not running/);
  });
});

describe('the node-http subpath', () => {
  const src = new URL('../src/', import.meta.url);

  /** Every module `file` loads, itself included, following the relative imports of src/. */
  function graph(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    const text = readFileSync(new URL(file, src), 'utf8');
    for (const [, spec] of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      if (spec?.startsWith('./')) graph(spec.slice(2).replace(/\.js$/, '.ts'), seen);
      else if (spec !== undefined) seen.add(spec);
    }
    return seen;
  }

  it('the main entry and ./reference load neither node-http nor any node: module', () => {
    for (const entry of ['index.ts', 'reference.ts']) {
      const loaded = [...graph(entry)];
      expect(
        loaded.filter((m) => m.startsWith('node') || m.startsWith('node:')),
        entry,
      ).toEqual([]);
    }
    expect([...graph('node-http.ts')]).toEqual(expect.arrayContaining(['node:http', 'node-http-serve.ts']));
  });

  it('is an export of package.json and an entry of tsup.config.ts, as ./reference is', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(pkg.exports['./node-http']).toEqual({
      types: './dist/node-http.d.ts',
      default: './dist/node-http.js',
    });
    const tsup = readFileSync(new URL('../tsup.config.ts', import.meta.url), 'utf8');
    expect(tsup).toContain("'src/node-http.ts'");
  });
});
