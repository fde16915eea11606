/** Real HTTP requests to an app listening on 127.0.0.1, with every field line of every header as sent and received. */
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import type { AdapterRequest, AdapterResponse } from '@idempo/testing';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A request; `chunks` instead of `body` streams the body in those pieces, chunked unless a header says otherwise. */
export interface HttpRequest extends AdapterRequest {
  readonly chunks?: Iterable<Uint8Array> | undefined;
}

/** Writes `chunks` to `outgoing` as fast as it takes them, then ends it. */
async function writeChunks(
  outgoing: ReturnType<typeof httpRequest>,
  chunks: Iterable<Uint8Array>,
): Promise<void> {
  for (const chunk of chunks) {
    if (outgoing.destroyed) return;
    if (!outgoing.write(chunk)) await once(outgoing, 'drain');
  }
  outgoing.end();
}

/**
 * Sends `req` to `port` and resolves with the whole response (once the response ends, whether or not the server
 * read the whole body). When `req.signal` aborts, the socket is destroyed (the client disconnects) and the
 * promise rejects.
 */
export function sendHttp(port: number, req: HttpRequest): Promise<AdapterResponse> {
  return new Promise((resolve, reject) => {
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      headers[name] = typeof value === 'string' ? value : [...value];
    }
    if (body !== undefined) headers['content-length'] = String(body.length);
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        headers,
        agent,
        ...(req.signal ? { signal: req.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const received: Record<string, string | string[]> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            const value = res.rawHeaders[i + 1] as string;
            const previous = received[name];
            received[name] =
              previous === undefined
                ? value
                : [...(typeof previous === 'string' ? [previous] : previous), value];
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: received,
            body: new Uint8Array(Buffer.concat(chunks)),
          });
        });
      },
    );
    outgoing.on('error', reject);
    if (req.chunks) writeChunks(outgoing, req.chunks).catch(() => undefined);
    else outgoing.end(body);
  });
}
