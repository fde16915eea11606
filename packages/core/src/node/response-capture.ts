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

type Head = { readonly status: number; readonly headers: OutgoingHttpHeaders };

/**
 * The state of one capture, as fields of one object with methods rather than closures over locals: a request
 * through Express allocates it once, and the three write replacements are the only functions made per request
 * (plus `release`, bound because callers may pass it on detached, and one settle callback at the end).
 */
class Capture implements ResponseCapture {
  state: 'capturing' | 'settling' | 'passing' = 'capturing';
  captured = 0;
  head: Head | undefined = undefined;
  releasing: Promise<void> | undefined = undefined;
  watchingForStream = false;
  readonly pending: Pending[] = [];
  readonly res: ServerResponse;
  readonly target: CaptureTarget;
  readonly maxBodyBytes: number;
  readonly patch: Patch;
  readonly release: (cause: unknown) => Promise<void>;

  constructor(res: ServerResponse, target: CaptureTarget, maxBodyBytes: number) {
    this.res = res;
    this.target = target;
    this.maxBodyBytes = maxBodyBytes;
    this.release = (cause) => this.abandon(cause);
    const capture = this;
    this.patch = patchResponse(res, {
      writeHead(...args) {
        return capture.writeHead(args);
      },
      write(...args) {
        return capture.write(args);
      },
      end(...args) {
        return capture.end(args);
      },
    });
  }

  flush(): void {
    this.patch.restore();
    this.state = 'passing';
    for (const { method, args } of this.pending.splice(0)) this.patch.call(method, args);
  }

  /** Settles `promise`, then sends what was held back (whether it fulfilled or rejected). */
  flushAfter(promise: Promise<unknown>): Promise<void> {
    const flush = (): void => this.flush();
    return promise.then(flush, flush);
  }

  abandon(cause: unknown): Promise<void> {
    if (this.state !== 'capturing') return this.releasing ?? Promise.resolve();
    this.state = 'settling';
    this.releasing = this.flushAfter(this.target.abandon(cause));
    return this.releasing;
  }

  /** Counts the bytes of a `write`/`end` chunk captured; whether the body is now longer than `maxBodyBytes`. */
  overLimit(args: readonly unknown[]): boolean {
    const chunk = args[0];
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return false;
    this.captured +=
      typeof chunk === 'string'
        ? Buffer.byteLength(chunk, typeof args[1] === 'string' ? (args[1] as BufferEncoding) : 'utf8')
        : (chunk as Uint8Array).length;
    return this.captured > this.maxBodyBytes;
  }

  commit(): void {
    this.state = 'settling';
    const parts: Uint8Array[] = [];
    for (const { args } of this.pending) {
      const bytes = chunkBytes(args[0], args[1]);
      if (bytes && bytes.length > 0) parts.push(bytes);
    }
    const head = this.head;
    const response: CapturedResponse = {
      status: head?.status ?? this.res.statusCode,
      headers: head?.headers ?? this.res.getHeaders(),
      body: parts.length === 0 ? null : concat(parts),
    };
    void this.flushAfter(this.target.commit(response));
  }

  writeHead(args: unknown[]): unknown {
    if (this.state === 'capturing' && this.head === undefined) {
      // Nothing reaches the socket before the first write: the original writeHead only stores the header.
      // `getHeaders()` is already a copy: merged into only when the call passes headers of its own (not the
      // common `writeHead(status)` that Node's `end()` makes).
      const passed = writeHeadHeaders(args);
      const headers = this.res.getHeaders();
      this.head = {
        status: Number(args[0]),
        headers: passed === undefined ? headers : { ...headers, ...passed },
      };
    }
    return this.patch.call('writeHead', args);
  }

  write(args: unknown[]): boolean {
    this.pending.push({ method: 'write', args });
    if (this.state === 'capturing' && this.overLimit(args)) {
      void this.abandon('too-large');
      return true;
    }
    if (this.state === 'capturing' && !this.watchingForStream) {
      this.watchingForStream = true;
      setImmediate(() => {
        if (this.state === 'capturing') void this.abandon('stream');
      });
    }
    return true;
  }

  end(args: unknown[]): ServerResponse {
    this.pending.push({ method: 'end', args });
    if (this.state === 'capturing') {
      if (this.overLimit(args)) void this.abandon('too-large');
      else this.commit();
    }
    return this.res;
  }
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
  return new Capture(res, target, maxBodyBytes);
}
