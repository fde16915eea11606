/**
 * Keeping the bytes a body parser read, so that idempo fingerprints what was received rather than what the parser
 * made of it (docs/behaviour.md "J. One policy on every adapter (issue 16)", J6): body-parser's `verify` hook sees the raw
 * bytes of every body it parses.
 */
import type { IncomingMessage } from 'node:http';

/**
 * A `verify` function for `express.json()`, `express.urlencoded()`, `express.text()` (any body-parser parser):
 * it keeps the bytes the parser read as `req.rawBody`, where idempo reads them. Costs one reference per request.
 *
 * @example
 * ```ts
 * app.use(express.json({ verify: keepRawBody }));
 * ```
 */
export function keepRawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
}
