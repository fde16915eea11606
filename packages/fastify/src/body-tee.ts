/** Keeps the raw request body bytes as Fastify's content-type parser reads them, without reading them itself. */
import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through stream that remembers every chunk flowing to the parser. */
export class BodyTee extends Transform {
  readonly #chunks: Buffer[] = [];
  readonly #source: NodeJS.ReadableStream & { receivedEncodedLength?: number };

  constructor(source: NodeJS.ReadableStream & { receivedEncodedLength?: number }) {
    super();
    this.#source = source;
    // `pipe`, not `pipeline`: pipeline's AbortController costs a DOMException (with its stack) per request, the
    // largest single cost of a keyed request in the profile. Errors are forwarded by hand instead.
    source.once('error', (error) => this.destroy(error));
    source.pipe(this);
  }

  /** What an earlier preParsing stream (e.g. a decompressor) says it read, so that Fastify's length checks
   * hold (0, Fastify's own default, when there is none). */
  get receivedEncodedLength(): number {
    return this.#source.receivedEncodedLength ?? 0;
  }

  /** `chunk` is always a Buffer: a Transform decodes written strings by default. */
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#chunks.push(chunk);
    callback(null, chunk);
  }

  /** The bytes the parser has read: the whole body once it has parsed it, `null` when there was none. */
  bytes(): Uint8Array | null {
    if (this.#chunks.length === 0) return null;
    return this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
  }
}
