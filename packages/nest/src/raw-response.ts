/**
 * The Node.js response both platforms end up writing to (Express's `res`, Fastify's `reply.raw`), and the
 * patching of its `writeHead`, `write` and `end` for the duration of one request. Everything a platform, an
 * interceptor or an exception filter sends passes there, serialised, so this is where idempo sees exactly the
 * bytes a client receives.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** The Node.js response. */
export type RawResponse = ServerResponse;

type Method = 'writeHead' | 'write' | 'end';
type AnyFunction = (this: RawResponse, ...args: unknown[]) => unknown;

/** Express's response is the Node.js one; Fastify's reply holds it as `raw`. */
export function rawResponseOf(response: unknown): RawResponse {
  const raw = (response as { raw?: unknown }).raw;
  return (raw ?? response) as RawResponse;
}

/** The three write methods, replaced until `restore()`. */
export interface Patch {
  /** Calls the method that was replaced. */
  call(method: Method, args: readonly unknown[]): unknown;
  /** Puts the replaced methods back. */
  restore(): void;
}

/** Replaces `writeHead`, `write` and `end` of `raw` by own properties. */
export function patchResponse(raw: RawResponse, replacements: Record<Method, AnyFunction>): Patch {
  const target = raw as unknown as Record<Method, AnyFunction>;
  const originals = {} as Record<Method, { readonly fn: AnyFunction }>;
  for (const method of ['writeHead', 'write', 'end'] as const) {
    originals[method] = { fn: target[method] };
    target[method] = replacements[method];
  }
  let restored = false;
  return {
    call: (method, args) => originals[method].fn.apply(raw, args as unknown[]),
    restore: () => {
      if (restored) return;
      restored = true;
      // Assigned back, never deleted: deleting a property turns the response into a dictionary-mode object, and
      // every later access to it by Node's HTTP code, in this request and (through its inline caches) in others,
      // gets slower. An own property holding the prototype's method behaves exactly like no own property.
      for (const method of ['writeHead', 'write', 'end'] as const) target[method] = originals[method].fn;
    },
  };
}

/** The headers given to `writeHead(status, [message], [headers])`, as an object or a flat array of pairs. */
export function writeHeadHeaders(args: readonly unknown[]): OutgoingHttpHeaders | undefined {
  const last = typeof args[1] === 'string' ? args[2] : args[1];
  if (last === undefined || last === null || typeof last !== 'object') return undefined;
  const out: OutgoingHttpHeaders = {};
  if (!Array.isArray(last)) {
    for (const [name, value] of Object.entries(last as OutgoingHttpHeaders)) out[name.toLowerCase()] = value;
    return out;
  }
  const pairs: unknown[][] = Array.isArray(last[0])
    ? (last as unknown[][])
    : Array.from({ length: last.length / 2 }, (_, i) => [last[2 * i], last[2 * i + 1]]);
  for (const [name, value] of pairs) {
    const key = String(name).toLowerCase();
    const previous = out[key];
    const values = [...(previous === undefined ? [] : [previous].flat()), value].flat() as string[];
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}

/** The bytes of a `write`/`end` chunk. */
export function chunkBytes(chunk: unknown, encoding: unknown): Uint8Array | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (chunk instanceof Uint8Array) return chunk;
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}
