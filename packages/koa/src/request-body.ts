/**
 * The raw request body, read only when core asks for it (a covered method with a key). Koa has no body of its
 * own: `@koa/bodyparser` (and koa-bodyparser) leave the text they parsed in `ctx.request.rawBody`; without a
 * parser, idempo reads `ctx.req` itself, at most `maxRequestBodyBytes` of it, and puts a replayable copy of the
 * request in its place, so that later middleware (a body parser, a handler piping `ctx.req`) read the same bytes
 * as if nothing had touched it. Past the limit the rest is discarded as it arrives (core answers 413).
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { RequestTooLargeError } from '@idempo/core';
import { declaredLength, readBoundedBody } from '@idempo/core/adapter';
import type { Context } from 'koa';

/**
 * A request whose body has been read: the same object seen through a fresh stream of `bytes`. Headers, socket,
 * method and URL are the original request's (inherited), so `instanceof IncomingMessage` still holds.
 */
function replayable(req: IncomingMessage, bytes: Buffer): IncomingMessage {
  const copy = Object.create(req) as IncomingMessage;
  (Readable as unknown as (this: Readable) => void).call(copy);
  copy._read = () => {};
  if (bytes.length > 0) copy.push(bytes);
  copy.push(null);
  return copy;
}

/**
 * Reads at most `maxBytes` of `req` (core's `readBoundedBody`). Past the limit it stops reading, detaches its
 * iterator without destroying the request (the 413 still has to be written on its socket) and lets the rest
 * flow into nothing, so that a 200 MB upload costs the limit in memory, not the upload.
 */
async function readBounded(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const iterator = req.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Uint8Array | string>;
  try {
    return await readBoundedBody(
      { [Symbol.asyncIterator]: () => iterator },
      maxBytes,
      declaredLength(req.headers['content-length']),
    );
  } catch (error) {
    if (error instanceof RequestTooLargeError) {
      await iterator.return?.();
      req.resume();
    }
    throw error;
  }
}

/**
 * The raw bytes of the request body: the body parser's `ctx.request.rawBody` when one ran (its text encoded
 * as UTF-8; core refuses it past `maxBytes`), else at most `maxBytes` of `ctx.req`, read here and left readable
 * for later middleware. Throws `RequestTooLargeError` past `maxBytes`.
 */
export async function readRequestBody(ctx: Context, maxBytes: number): Promise<Uint8Array> {
  const raw = (ctx.request as { rawBody?: unknown }).rawBody;
  if (typeof raw === 'string') return Buffer.from(raw);
  if (raw instanceof Uint8Array) return raw;
  const req = ctx.req;
  if (req.readableEnded || req.readableDidRead) {
    throw new Error(
      'idempo: the request body was read before idempotency() could see it, and no ctx.request.rawBody was left; ' +
        'mount idempotency() before the body parser, or use one that sets ctx.request.rawBody (@koa/bodyparser)',
    );
  }
  const read = await readBounded(req, maxBytes);
  const bytes = Buffer.from(read.buffer, read.byteOffset, read.byteLength);
  const copy = replayable(req, bytes);
  ctx.req = copy;
  ctx.request.req = copy;
  ctx.response.req = copy;
  return bytes;
}
