/**
 * Between an Express request and a reference handler: the input the handler reads, and the answer written back
 * with Express's response API (as apps/reference writes it). Used by the Express peers and the Nest one.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  principalFromAuthorization,
  type ReferenceInput,
  type ReferenceResponse,
} from '@idempo/testing/reference';
import type { Request, Response } from 'express';

/**
 * The reference input of an Express request whose body `express.json()` (or Nest's parser) has read. No route
 * parameters: the peers serve `POST /orders`, `GET /stats` and `POST /stats/reset` only.
 */
export function referenceInput(req: Request): ReferenceInput {
  const url = req.originalUrl ?? req.url;
  const mark = url.indexOf('?');
  return {
    query: mark < 0 ? '' : url.slice(mark + 1),
    body: req.body as unknown,
    principal: principalFromAuthorization(req.headers.authorization),
  };
}

/** Sets the answer's status and headers on `res`, without sending anything. */
export function writeHead(res: Response, answer: ReferenceResponse): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) {
    res.setHeader(name, typeof value === 'string' ? value : [...value]);
  }
}

/** Writes the whole answer with `res.send` (a stream is piped), as a plain Express handler does. */
export function writeAnswer(res: Response, answer: ReferenceResponse): void {
  writeHead(res, answer);
  const body = answer.body;
  if (body instanceof ReadableStream) {
    Readable.fromWeb(body as NodeReadableStream<Uint8Array>).pipe(res);
    return;
  }
  res.send(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}
