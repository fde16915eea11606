/**
 * Captures the handler's response as the platform writes it (status, headers, body bytes), commits it, and
 * only then lets it reach the client (docs/design.md "One request": the response is sent once it is stored).
 */

import type { OutgoingHttpHeaders } from 'node:http';
import type { CapturedResponse, ExecuteDecision } from '@idempo/core/adapter';
import { chunkBytes, type Patch, patchResponse, type RawResponse, writeHeadHeaders } from './raw-response.js';

/** The capture of one response. */
export interface ResponseCapture {
  /**
   * Stops capturing and releases the key (`decision.abandon(cause)`): the handler threw, or answered with a
   * stream. What is written next goes out untouched. Resolves once the key is released.
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
 * Holds back what the platform writes to `raw` until `end()`, then commits status, headers and body and sends
 * them. A body written in pieces over several turns of the event loop is a stream: the key is released and the
 * pieces go out as they come. A body longer than `maxBodyBytes` cannot be stored: as soon as more than that has
 * been written, the key is released and everything goes out untouched (the pieces are never gathered). A client that disconnects changes nothing: the handler is still running, so the
 * key stays held (a retry gets 409), and what the platform writes once it ends is committed though nobody reads
 * it (the retry after that gets the replay).
 */
export function captureResponse(
  raw: RawResponse,
  decision: ExecuteDecision,
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
    releasing = decision.abandon(cause).then(flush, flush);
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
    const captured: CapturedResponse = {
      status: head?.status ?? raw.statusCode,
      headers: head?.headers ?? raw.getHeaders(),
      body: parts.length === 0 ? null : concat(parts),
    };
    decision.commit(captured).then(flush, flush);
  };

  const patch: Patch = patchResponse(raw, {
    writeHead(...args) {
      if (state === 'capturing' && head === undefined) {
        // Nothing reaches the socket before the first write: the original writeHead only stores the header.
        head = {
          status: Number(args[0]),
          headers: { ...raw.getHeaders(), ...writeHeadHeaders(args) },
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
      return raw;
    },
  });

  return { release };
}
