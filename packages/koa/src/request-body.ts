/**
 * The raw request body, read only when core asks for it (a covered method with a key). Koa has no body of its
 * own: `@koa/bodyparser` (and koa-bodyparser) leave the text they parsed in `ctx.request.rawBody`; without a
 * parser, idempo reads `ctx.req` itself and puts a replayable copy of the request in its place, so that later
 * middleware (a body parser, a handler piping `ctx.req`) read the same bytes as if nothing had touched it.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
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
 * The raw bytes of the request body: the body parser's `ctx.request.rawBody` when one ran (its text encoded
 * as UTF-8), else the bytes of `ctx.req`, read here and left readable for later middleware.
 */
export async function readRequestBody(ctx: Context): Promise<Uint8Array> {
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
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const copy = replayable(req, bytes);
  ctx.req = copy;
  ctx.request.req = copy;
  ctx.response.req = copy;
  return bytes;
}
