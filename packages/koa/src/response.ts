/**
 * Koa responses: writing a response core made (a replay or a rejection), and capturing the one the downstream
 * middleware left in `ctx` exactly as Koa is about to send it.
 */
import { Stream } from 'node:stream';
import type { CapturedResponse, ReadyResponse } from '@idempo/core/adapter';
import type { Context } from 'koa';

/** Statuses whose body Koa never sends. */
const EMPTY = new Set([204, 205, 304]);

/** Writes a ready response: its status, every header field line (Set-Cookie repeated), its body bytes. */
export function writeReady(ctx: Context, ready: ReadyResponse): void {
  const seen = new Set<string>();
  for (const [name, value] of ready.headers) {
    if (seen.has(name)) ctx.append(name, value);
    else ctx.set(name, value);
    seen.add(name);
  }
  const typed = seen.has('content-type');
  ctx.body = Buffer.from(ready.body.buffer, ready.body.byteOffset, ready.body.byteLength);
  // Koa types a Buffer body it finds untyped; a stored response without Content-Type stays without one.
  if (!typed) ctx.remove('Content-Type');
  ctx.status = ready.status;
}

/** Whether Koa would pipe this body rather than send it whole: a Node stream, a web stream, a Blob, a Response. */
function isStreamed(body: unknown): boolean {
  if (body instanceof Stream) return true;
  return (
    (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof Response !== 'undefined' && body instanceof Response)
  );
}

/**
 * The response as Koa will send it; or why it cannot be stored: a streamed body (never buffered), or one Koa
 * does not send itself (`ctx.respond = false`, headers already sent). A JSON body is
 * serialised here, once, and put back as those bytes, so that what is stored is what is sent.
 */
export function captureResponse(ctx: Context): CapturedResponse | 'stream' | 'not-sent-by-koa' {
  // The downstream wrote to ctx.res itself: what was sent cannot be known.
  if (ctx.respond === false || ctx.headerSent) return 'not-sent-by-koa';
  const status = ctx.status;
  let body: unknown = ctx.body;
  if (EMPTY.has(status) || (status >= 100 && status < 200)) body = null;
  else if (body === null || body === undefined) {
    // Koa answers a missing body with the status message (text), unless the body was set to null on purpose.
    if (!(ctx.response as { _explicitNullBody?: boolean })._explicitNullBody) {
      ctx.body = ctx.message || String(status);
      ctx.status = status;
      body = ctx.body;
    }
  } else if (isStreamed(body)) {
    return 'stream';
  } else if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
    ctx.body = Buffer.from(JSON.stringify(body));
    body = ctx.body;
  }
  const bytes = typeof body === 'string' ? body : (body as Buffer | null);
  return { status, headers: ctx.response.headers, body: bytes };
}
