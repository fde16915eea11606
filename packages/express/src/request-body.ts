/**
 * The raw request body, read only when core asks for it (a covered method with a key). Express's `req` is the
 * Node request itself, and whatever runs after idempo (a body parser, multer, a handler piping `req`) reads that
 * very object, so it cannot be swapped for a copy as on Koa: idempo reads the stream up to the limit and puts
 * the bytes back into it (`peekBody` of `@idempo/core/node`), as Nest on Express does.
 */
import { declaredLength } from '@idempo/core/adapter';
import { hasRequestBody, isUnreadStream, peekBody } from '@idempo/core/node';
import type { Request } from 'express';

const encoder = new TextEncoder();

/** What a body parser may leave on the request. */
interface ParsedRequest {
  /** The bytes received, kept by a parser's `verify` (Nest's `{ rawBody: true }` convention). */
  readonly rawBody?: unknown;
  readonly body?: unknown;
}

/** Whether the request carries a body: core's answer from its framing headers (what body parsers check). */
export function hasBody(req: Request): boolean {
  return hasRequestBody(req.headers, req);
}

/**
 * The raw bytes of the request body, at most `maxBytes` of them (core answers 413 past that): `req.rawBody` when
 * a parser kept it (`express.json({ verify })`); else the stream itself when nothing read it yet (read up to
 * `maxBytes` and put back, so that a parser or the handler behind idempo reads every byte); else a body a parser
 * left as bytes (`express.raw()`) or text (`express.text()`); else `undefined`: the bytes cannot be seen, and core
 * fingerprints the parsed body or refuses a multipart one. Throws `RequestTooLargeError` past `maxBytes` (the rest
 * of an unread upload is then discarded as it arrives).
 */
export function readRequestBody(
  req: Request,
  maxBytes: number,
): Uint8Array | null | undefined | Promise<Uint8Array> {
  const parsed = req as ParsedRequest;
  const raw = parsed.rawBody;
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string') return encoder.encode(raw);
  if (!hasBody(req)) return null;
  if (isUnreadStream(req)) return peekBody(req, maxBytes, declaredLength(req.headers['content-length']));
  const body = parsed.body;
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return encoder.encode(body);
  return undefined;
}
