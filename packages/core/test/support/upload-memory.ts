/**
 * Measuring what a large upload costs the server process, shared by the tests of `@idempo/core/node` and of the
 * adapters built on it (Koa, Nest): an upload of pieces of one reused buffer (so the client costs nothing), and
 * the peak growth of the resident set size and of the `ArrayBuffer` memory while it runs.
 */
import { Agent, request as httpRequest } from 'node:http';

/** One mebibyte. */
export const MB = 1024 * 1024;

/** The upload of the tests: 200 MB. */
export const UPLOAD_BYTES = 200 * MB;

const PIECE = new Uint8Array(64 * 1024).fill(0x61);

/** What {@link upload} sends. */
export interface UploadOptions {
  readonly path: string;
  /** The request's headers (a Content-Length of `total` is added when `declared`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Whether the request declares its length (else it is chunked). */
  readonly declared: boolean;
  /** How many bytes to send. Default: {@link UPLOAD_BYTES}. */
  readonly total?: number;
}

/**
 * POSTs `total` bytes to `port` and resolves with the status and the response body once the response has ended
 * and the upload has finished or been cut (a server that answers early and closes the connection).
 */
export async function upload(
  port: number,
  options: UploadOptions,
): Promise<{ status: number; body: string; sentMb: number }> {
  const total = options.total ?? UPLOAD_BYTES;
  const headers: Record<string, string> = { ...options.headers };
  if (options.declared) headers['content-length'] = String(total);
  const agent = new Agent({ keepAlive: false });
  const outgoing = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: options.path,
    headers,
    agent,
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    outgoing.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    outgoing.on('error', reject);
  });
  // Waits for the request to take more, or to be cut; leaves no listener behind.
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        outgoing.off('drain', done);
        outgoing.off('close', done);
        resolve();
      };
      outgoing.on('drain', done);
      outgoing.on('close', done);
    });
  let sent = 0;
  const written = (async () => {
    for (; sent < total && !outgoing.destroyed; sent += PIECE.length) {
      if (!outgoing.write(PIECE)) await drained();
    }
    outgoing.end();
  })().catch(() => undefined);
  const answer = await response;
  await written;
  agent.destroy();
  return { ...answer, sentMb: Math.round(sent / MB) };
}

/**
 * Runs `work` while sampling the process's memory every 5 ms; returns its result and the peak growth in MB of
 * the resident set size and of the memory held by `ArrayBuffer`s (Buffers included).
 */
export async function peakGrowth<T>(
  work: () => Promise<T>,
): Promise<{ result: T; growthMb: number; arrayBuffersMb: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakArrayBuffers = base.arrayBuffers;
  const sample = (): void => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    return {
      result,
      growthMb: (peakRss - base.rss) / MB,
      arrayBuffersMb: (peakArrayBuffers - base.arrayBuffers) / MB,
    };
  } finally {
    clearInterval(timer);
  }
}
