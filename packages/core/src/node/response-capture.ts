/**
 * Capturing a response as the framework writes it on the Node `ServerResponse` (status, headers, body bytes),
 * committing it, and only then letting it reach the client (docs/design.md "One request": the response is sent
 * once it is stored).
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CapturedResponse } from '../request.js';
import { chunkBytes } from './chunk-bytes.js';
import { type Patch, patchResponse } from './patch-response.js';
import { writeHeadHeaders } from './write-head-headers.js';

/**
 * What a capture settles: an `ExecuteDecision` satisfies it. Neither promise should reject; if one does, the
 * response still goes out.
 */
export interface CaptureTarget {
  /** Stores the captured response; the end of the response is held back until this settles. */
  commit(response: CapturedResponse): Promise<unknown>;
  /** Gives up storing (a stream, a body too long, or the caller's `release(cause)`); settles before it goes on. */
  abandon(cause: unknown): Promise<unknown>;
}

/** The capture of one response. */
export interface ResponseCapture {
  /**
   * Stops capturing and abandons (`target.abandon(cause)`): the handler threw, or answered with a stream. What
   * is written next goes out untouched. Resolves once the abandon has settled.
   */
  release(cause: unknown): Promise<void>;
}

interface Pending {
  readonly method: 'write' | 'end';
  readonly args: readonly unknown[];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  return Buffer.concat(parts);
}

/**
 * Holds back what is written to `res` until `end()`, then commits status, headers and body and sends them. A
 * body written in pieces over several turns of the event loop is a stream: abandoned (`'stream'`), the pieces
 * go out as they come. A body longer than `maxBodyBytes` cannot be stored: as soon as more than that has been
 * written, abandoned (`'too-large'`) and everything goes out untouched (the pieces are never gathered). A client
 * that disconnects changes nothing: what is written once the handler ends is committed though nobody reads it.
 * `writeHead` goes through at once (it only stores the head until the first write).
 */
export function captureResponse(
  res: ServerResponse,
  target: CaptureTarget,
  maxBodyBytes: number,
): ResponseCapture {
  let state: 'capturing' | 'settling' | 'passing' = 'capturing';
  let captured = 0;
  let head: { readonly status: number; readonly headers: OutgoingHttpHeaders } | undefined;
  let releasing: Promise<void> | undefined;
  let watchingForStream = false;
  const pending: Pending[] = [];

  const flush = (): void => {
    patch.restore();
    state = 'passing';
    for (const { method, args } of pending.splice(0)) patch.call(method, args);
  };

  const release = (cause: unknown): Promise<void> => {
    if (state !== 'capturing') return releasing ?? Promise.resolve();
    state = 'settling';
    releasing = target.abandon(cause).then(flush, flush);
    return releasing;
  };

  /** Counts the bytes of a `write`/`end` chunk captured; whether the body is now longer than `maxBodyBytes`. */
  const overLimit = (args: readonly unknown[]): boolean => {
    const chunk = args[0];
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return false;
    captured +=
      typeof chunk === 'string'
        ? Buffer.byteLength(chunk, typeof args[1] === 'string' ? (args[1] as BufferEncoding) : 'utf8')
        : (chunk as Uint8Array).length;
    return captured > maxBodyBytes;
  };

  const commit = (): void => {
    state = 'settling';
    const parts: Uint8Array[] = [];
    for (const { args } of pending) {
      const bytes = chunkBytes(args[0], args[1]);
      if (bytes && bytes.length > 0) parts.push(bytes);
    }
    const response: CapturedResponse = {
      status: head?.status ?? res.statusCode,
      headers: head?.headers ?? res.getHeaders(),
      body: parts.length === 0 ? null : concat(parts),
    };
    target.commit(response).then(flush, flush);
  };

  const patch: Patch = patchResponse(res, {
    writeHead(...args) {
      if (state === 'capturing' && head === undefined) {
        // Nothing reaches the socket before the first write: the original writeHead only stores the header.
        // `getHeaders()` is already a copy: merged into only when the call passes headers of its own (not the
        // common `writeHead(status)` that Node's `end()` makes).
        const passed = writeHeadHeaders(args);
        const headers = res.getHeaders();
        head = {
          status: Number(args[0]),
          headers: passed === undefined ? headers : { ...headers, ...passed },
        };
      }
      return patch.call('writeHead', args);
    },
    write(...args) {
      pending.push({ method: 'write', args });
      if (state === 'capturing' && overLimit(args)) {
        void release('too-large');
        return true;
      }
      if (state === 'capturing' && !watchingForStream) {
        watchingForStream = true;
        setImmediate(() => {
          if (state === 'capturing') void release('stream');
        });
      }
      return true;
    },
    end(...args) {
      pending.push({ method: 'end', args });
      if (state === 'capturing') {
        if (overLimit(args)) void release('too-large');
        else commit();
      }
      return res;
    },
  });

  return { release };
}
