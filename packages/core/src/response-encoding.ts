/**
 * The stored response: one versioned binary blob, so that stores persist bytes, not shapes (DESIGN.md).
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

/** Encodes a response to the stored blob. */
export function encodeResponse(response: StoredResponse): Uint8Array {
  const names = response.headers.map(([n]) => encoder.encode(n));
  const values = response.headers.map(([, v]) => encoder.encode(v));
  let size = 4 + 2 + 2 + 4 + response.body.length;
  for (let i = 0; i < names.length; i++)
    size += 2 + (names[i] as Uint8Array).length + 4 + (values[i] as Uint8Array).length;
  if (response.headers.length > 0xffff) throw new RangeError('too many headers to store');
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[3] = RESPONSE_ENCODING_VERSION;
  view.setUint16(4, response.status);
  view.setUint16(6, response.headers.length);
  let o = 8;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as Uint8Array;
    const value = values[i] as Uint8Array;
    if (name.length > 0xffff) throw new RangeError('header name too long to store');
    view.setUint16(o, name.length);
    out.set(name, o + 2);
    o += 2 + name.length;
    view.setUint32(o, value.length);
    out.set(value, o + 4);
    o += 4 + value.length;
  }
  view.setUint32(o, response.body.length);
  out.set(response.body, o + 4);
  return out;
}

function corrupt(why: string): never {
  throw new CorruptRecordError(`stored response cannot be decoded: ${why}`);
}

/** Decodes a stored blob. Throws {@link CorruptRecordError} for anything it did not write. */
export function decodeResponse(blob: Uint8Array): StoredResponse {
  if (blob.length < 12) corrupt('too short');
  if (blob[0] !== MAGIC[0] || blob[1] !== MAGIC[1] || blob[2] !== MAGIC[2]) corrupt('not an idempo record');
  if (blob[3] !== RESPONSE_ENCODING_VERSION) corrupt(`unknown version ${blob[3]}`);
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
