/**
 * The raw request body, read only when core asks for it (a covered method with a key). Koa has no body of its
 * own: `@koa/bodyparser` (and koa-bodyparser) leave the text they parsed in `ctx.request.rawBody`; without a
 * parser, idempo reads `ctx.req` itself, at most `maxRequestBodyBytes` of it, and puts the bytes back into that
 * very stream (`peekBody` of `@idempo/core/node`, as on Express), so that later middleware (a body parser, a
 * handler piping `ctx.req`) read the same bytes as if nothing had touched it. A stream already flowing is read
 * with `captureBody` and replaced by a copy made readable again. Past the limit the rest is discarded as it
 * arrives (core answers 413), so that a 200 MB upload costs the limit in memory, not the upload.
 */
import { declaredLength } from '@idempo/core/adapter';
import { canPeekBody, captureBody, discardRest, peekBody, readableAgain } from '@idempo/core/node';
import type { Context } from 'koa';

/**
 * The raw bytes of the request body: the body parser's `ctx.request.rawBody` when one ran (its text encoded
 * as UTF-8; core refuses it past `maxBytes`), else at most `maxBytes` of `ctx.req`, read here and left readable
 * for later middleware; `undefined` when something read it before and kept no copy. Throws
 * `RequestTooLargeError` past `maxBytes`.
 */
export async function readRequestBody(ctx: Context, maxBytes: number): Promise<Uint8Array | undefined> {
  const raw = (ctx.request as { rawBody?: unknown }).rawBody;
  if (typeof raw === 'string') return Buffer.from(raw);
  if (raw instanceof Uint8Array) return raw;
  const req = ctx.req;
  // Read before idempo and no copy kept (a parser without rawBody, e.g. koa-body): core fingerprints the parsed
  // body instead (the middleware hands it over as `parsedBody`), or refuses a multipart one.
  if (req.readableEnded || req.readableDidRead) return undefined;
  const declared = declaredLength(req.headers['content-length']);
  // Nobody read it yet: read and put back into the same stream, no copy of the request and no second stream.
  if (canPeekBody(req)) return peekBody(req, maxBytes, declared);
  const captured = await captureBody(req, maxBytes, declared);
  const source = captured.replay();
  if (captured.overflow) {
    // The request is answered 413 and its body never used: the rest goes nowhere, the socket stays usable.
    discardRest(source);
    return captured.read(maxBytes); // RequestTooLargeError
  }
  const copy = readableAgain(req, source);
  ctx.req = copy;
  ctx.request.req = copy;
  ctx.response.req = copy;
  return captured.bytes;
}
