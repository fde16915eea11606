/**
 * The stored response: one versioned binary blob, so that stores persist bytes, not shapes (docs/design.md "The store contract").
 *
 * Layout (big-endian): "IDP" + version byte 0x01, u16 status, u16 header count, then per header u16 name length,
 * name (UTF-8), u32 value length, value (UTF-8), then u32 body length and the body bytes. Decoding checks every
 * length, so a damaged or foreign record is refused rather than replayed wrongly.
 */
import { CorruptRecordError } from './errors.js';
import type { HeaderEntry } from './headers.js';

/** A response as stored and replayed. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: readonly HeaderEntry[];
  readonly body: Uint8Array;
}

const MAGIC = [0x49, 0x44, 0x50] as const;
/** The current encoding version. */
export const RESPONSE_ENCODING_VERSION = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Records up to this bound are assembled in one reused buffer; larger ones in a buffer of their own. */
const SCRATCH_LIMIT = 64 * 1024;
let scratch = new Uint8Array(4096);
let scratchView = new DataView(scratch.buffer);

/** A header string as TextEncoder.encode would read it (its argument defaults to ''). */
const text = (value: unknown): string => (value === undefined ? '' : `${value}`);

/**
 * Writes `value` as UTF-8 into `buf` at `offset` (which has room for 3 bytes per code unit); the bytes written.
 * An ASCII string (every header name, nearly every value) is copied code unit by code unit, without the
 * `subarray` view `encodeInto` needs; anything else goes to `encodeInto` from its first non-ASCII code unit.
 */
function writeText(value: string, buf: Uint8Array, offset: number): number {
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x7f) return i + encoder.encodeInto(value.slice(i), buf.subarray(offset + i)).written;
    buf[offset + i] = code;
  }
  return length;
}

/** An encoded record and the byte length of the body in it. */
export interface EncodedRecord {
  readonly blob: Uint8Array;
  readonly bodyLength: number;
}

/** Encodes a response to the stored blob. */
export function encodeResponse(response: StoredResponse): Uint8Array {
  return encodeRecord(response.status, response.headers, response.body).blob;
}

/**
 * Encodes a response to the stored blob, the body given as bytes or as text (written as UTF-8). Every header
 * string (and a text body) is encoded straight into one buffer with `encodeInto`, without a Uint8Array per
 * string; the blob is then allocated once at its exact size, and a byte body is copied exactly once, into it.
 */
export function encodeRecord(
  status: number,
  headers: readonly HeaderEntry[],
  body: Uint8Array | string,
): EncodedRecord {
  const blob = encodeRecordBlob(status, headers, body);
  return { blob, bodyLength: typeof body === 'string' ? recordBodyLength(blob) : body.length };
}

/**
 * The byte length of the body in a blob {@link encodeRecordBlob} wrote (what the engine reports, only when
 * someone listens): its header fields walked by their lengths.
 */
export function recordBodyLength(blob: Uint8Array): number {
  const count = u16(blob, 6);
  let o = 8;
  for (let i = 0; i < count; i++) {
    o += 2 + u16(blob, o);
    o += 4 + u32(blob, o);
  }
  return u32(blob, o);
}

/** {@link encodeRecord}'s blob alone: the engine's, without an object per request. */
export function encodeRecordBlob(
  status: number,
  headers: readonly HeaderEntry[],
  body: Uint8Array | string,
): Uint8Array {
  const count = headers.length;
  if (count > 0xffff) throw new RangeError('too many headers to store');
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  let bound = 12;
  for (let i = 0; i < count; i++) {
    const [name, value] = headers[i] as HeaderEntry;
    if (typeof name !== 'string' || typeof value !== 'string') {
      // Made text first, so that no code of theirs (a toString) runs while the shared buffer is being written.
      return encodeRecordBlob(
        status,
        headers.map(([n, v]): HeaderEntry => [text(n), text(v)]),
        body,
      );
    }
    bound += 6 + 3 * (name.length + value.length);
  }
  if (typeof body === 'string') bound += 3 * body.length;
  const shared = bound <= SCRATCH_LIMIT;
  if (shared && bound > scratch.length) {
    scratch = new Uint8Array(Math.min(SCRATCH_LIMIT, 2 ** Math.ceil(Math.log2(bound))));
    scratchView = new DataView(scratch.buffer);
  }
  const buf = shared ? scratch : new Uint8Array(bound);
  const view = shared ? scratchView : new DataView(buf.buffer);
  buf.set(MAGIC, 0);
  buf[3] = RESPONSE_ENCODING_VERSION;
  view.setUint16(4, status);
  view.setUint16(6, count);
  let o = 8;
  for (let i = 0; i < count; i++) {
    const [name, value] = headers[i] as HeaderEntry;
    const nameLength = writeText(name, buf, o + 2);
    if (nameLength > 0xffff) throw new RangeError('header name too long to store');
    view.setUint16(o, nameLength);
    o += 2 + nameLength;
    const valueLength = writeText(value, buf, o + 4);
    view.setUint32(o, valueLength);
    o += 4 + valueLength;
  }
  if (typeof body === 'string') {
    const bodyLength = encoder.encodeInto(body, buf.subarray(o + 4)).written;
    view.setUint32(o, bodyLength);
    return buf.slice(0, o + 4 + bodyLength);
  }
  view.setUint32(o, body.length);
  const blob = new Uint8Array(o + 4 + body.length);
  blob.set(buf.subarray(0, o + 4), 0);
  blob.set(body, o + 4);
  return blob;
}

function corrupt(why: string): never {
  throw new CorruptRecordError(`stored response cannot be decoded: ${why}`);
}

/** Decodes a stored blob. Throws {@link CorruptRecordError} for anything it did not write. */
export function decodeResponse(blob: Uint8Array): StoredResponse {
  checkHead(blob);
  return decodeAscii(blob) ?? decodeChecked(blob);
}

function checkHead(blob: Uint8Array): void {
  if (blob.length < 12) corrupt('too short');
  if (blob[0] !== MAGIC[0] || blob[1] !== MAGIC[1] || blob[2] !== MAGIC[2]) corrupt('not an idempo record');
  if (blob[3] !== RESPONSE_ENCODING_VERSION) corrupt(`unknown version ${blob[3]}`);
}

const u16 = (b: Uint8Array, o: number) => ((b[o] as number) << 8) | (b[o + 1] as number);
const u32 = (b: Uint8Array, o: number) =>
  (b[o] as number) * 0x1000000 +
  (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number));

/**
 * The common record in one text decode: every length within the blob and every header ASCII, so that the
 * header section decodes to a string whose indices are its byte offsets. Anything else gives `undefined`, and
 * {@link decodeChecked} reads it (or refuses it, with its reason).
 */
function decodeAscii(blob: Uint8Array): StoredResponse | undefined {
  const n = blob.length;
  const count = u16(blob, 6);
  let o = 8;
  for (let i = 0; i < count; i++) {
    if (o + 2 > n) return undefined;
    o += 2 + u16(blob, o);
    if (o + 4 > n) return undefined;
    o += 4 + u32(blob, o);
    if (o > n) return undefined;
  }
  if (o + 4 > n || o + 4 + u32(blob, o) !== n) return undefined;
  const end = o;
  let text: string;
  try {
    text = decoder.decode(blob.subarray(8, end));
  } catch {
    return undefined;
  }
  // Fewer characters than bytes: some header is not ASCII (or starts with a BOM, which decoding drops).
  if (text.length !== end - 8) return undefined;
  const headers: HeaderEntry[] = [];
  o = 0;
  for (let i = 0; i < count; i++) {
    const nameLength = u16(blob, o + 8);
    const name = text.slice(o + 2, o + 2 + nameLength);
    o += 2 + nameLength;
    const valueLength = u32(blob, o + 8);
    headers.push([name, text.slice(o + 4, o + 4 + valueLength)]);
    o += 4 + valueLength;
  }
  return { status: u16(blob, 4), headers, body: blob.subarray(end + 4) };
}

/** Reads a record field by field, checking every length and every text: the reference decoder. */
export function decodeChecked(blob: Uint8Array): StoredResponse {
  checkHead(blob);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const status = view.getUint16(4);
  const count = view.getUint16(6);
  const headers: HeaderEntry[] = [];
  let o = 8;
  try {
    for (let i = 0; i < count; i++) {
      const nameLength = view.getUint16(o);
      const name = decoder.decode(blob.subarray(o + 2, o + 2 + nameLength));
      o += 2 + nameLength;
      const valueLength = view.getUint32(o);
      if (o + 4 + valueLength > blob.length) corrupt('truncated header');
      const value = decoder.decode(blob.subarray(o + 4, o + 4 + valueLength));
      o += 4 + valueLength;
      headers.push([name, value]);
    }
    const bodyLength = view.getUint32(o);
    if (o + 4 + bodyLength !== blob.length) corrupt('body length does not match');
    return { status, headers, body: blob.subarray(o + 4) };
  } catch (e) {
    if (e instanceof CorruptRecordError) throw e;
    return corrupt(e instanceof RangeError ? 'truncated' : 'invalid text');
  }
}
