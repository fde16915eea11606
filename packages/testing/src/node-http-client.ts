/** A small HTTP/1.1 client over node:http that keeps repeated field lines apart (Set-Cookie, A5). */
/// <reference types="node" />
import { Buffer } from 'node:buffer';
import { type Agent, request as httpRequest } from 'node:http';
import type { AdapterRequest, AdapterResponse } from './adapter-types.js';

/**
 * Sends `req` to `http://127.0.0.1:<port>` through `agent` and resolves with the whole response.
 *
 * What goes out: `Host: 127.0.0.1:<port>`, then every header as given (the name's case kept; an array value is
 * several field lines of that header), then `Content-Length` when there is a body (text is sent as UTF-8). What
 * comes back: the status, the headers by lower-case name (a repeated field line makes an array, in the order
 * received: Set-Cookie keeps each cookie apart) and the body bytes. When `req.signal` aborts, the socket is
 * destroyed (a client disconnect, as {@link AdapterRequest.signal} asks) and the promise rejects.
 *
 * @param port - The port on 127.0.0.1.
 * @param agent - The node:http agent whose sockets are used (a keep-alive one reuses connections).
 * @param req - The request, as `adapterSuite` sends it.
 */
export function sendHttp(port: number, agent: Agent, req: AdapterRequest): Promise<AdapterResponse> {
  const headers: [string, string][] = [['host', `127.0.0.1:${port}`]];
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    for (const v of typeof value === 'string' ? [value] : value) headers.push([name, v]);
  }
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
  if (body !== undefined) headers.push(['content-length', String(body.length)]);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        agent,
        headers: headers.flat(),
        ...(req.signal === undefined ? {} : { signal: req.signal }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const out: Record<string, string | string[]> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            const value = res.rawHeaders[i + 1] as string;
            const previous = out[name];
            out[name] =
              previous === undefined
                ? value
                : [...(typeof previous === 'string' ? [previous] : previous), value];
          }
          resolve({ status: res.statusCode ?? 0, headers: out, body: new Uint8Array(Buffer.concat(chunks)) });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
