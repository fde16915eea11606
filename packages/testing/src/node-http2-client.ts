/** A small HTTP/2 client over a node:http2 session, for an app under test served over HTTP/2 (h2c). */
/// <reference types="node" />
import { Buffer } from 'node:buffer';
import type { ClientHttp2Session } from 'node:http2';
import type { AdapterRequest, AdapterResponse } from './adapter-types.js';

/** How {@link sendHttp2} frames the request. */
export interface SendHttp2Options {
  /** Send `content-length` (the body's byte length) when there is a body. Default: `true`. */
  readonly contentLength?: boolean | undefined;
}

/**
 * Sends `req` as one stream of `session` and resolves with the whole response.
 *
 * What goes out: `:method` and `:path`, every header as given (HTTP/2 lower-cases names; an array value is several
 * values of that header), `content-length` unless `options.contentLength` is `false`, and the body (text as UTF-8)
 * in two DATA frames, the second one a macrotask after the first, so that the body is usually not at hand in one
 * piece when the request arrives (how the server reads them depends on timing). A request without a body ends its
 * stream with its HEADERS frame, as browsers, curl and undici send one; an empty body (`''`) is one empty DATA frame
 * that ends the stream. What comes back: the `:status`, the other headers by name, and the body bytes. When `req.signal` aborts,
 * the stream is closed with RST_STREAM and the promise rejects.
 *
 * @param session - A connected client session (`http2.connect('http://127.0.0.1:<port>')`).
 * @param req - The request, as `adapterSuite` sends it.
 * @param options - How the request is framed.
 */
export function sendHttp2(
  session: ClientHttp2Session,
  req: AdapterRequest,
  options: SendHttp2Options = {},
): Promise<AdapterResponse> {
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
  const headers: Record<string, string | string[]> = { ':method': req.method, ':path': req.path };
  for (const [name, value] of Object.entries(req.headers ?? {}))
    headers[name.toLowerCase()] = typeof value === 'string' ? value : [...value];
  if (body !== undefined && options.contentLength !== false) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const endStream = body === undefined;
    const stream = session.request(
      headers,
      req.signal === undefined ? { endStream } : { endStream, signal: req.signal },
    );
    let status = 0;
    const out: Record<string, string | string[]> = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => {
      status = Number(received[':status']);
      for (const [name, value] of Object.entries(received))
        if (!name.startsWith(':') && value !== undefined)
          out[name] = typeof value === 'number' ? String(value) : value;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status, headers: out, body: new Uint8Array(Buffer.concat(chunks)) }));
    stream.on('error', reject);
    if (body === undefined) return;
    if (body.length < 2) {
      stream.end(body);
      return;
    }
    const half = body.length >> 1;
    stream.write(body.subarray(0, half));
    setTimeout(() => stream.end(body.subarray(half)), 5);
  });
}
