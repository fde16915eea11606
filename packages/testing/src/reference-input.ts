/** Reading what a framework hands a reference handler: query values, bodies, the principal. */
import { isByteArray } from './bytes.js';
import type { ReferenceQuery } from './reference-types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The query as `URLSearchParams`, whatever shape it came in. */
export function toSearchParams(query: ReferenceQuery | undefined): URLSearchParams {
  if (query === undefined) return new URLSearchParams();
  if (typeof query === 'string' || query instanceof URLSearchParams) return new URLSearchParams(query);
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'string') params.append(name, value);
    else for (const v of value) params.append(name, v);
  }
  return params;
}

/** A non-negative integer query parameter, or `undefined` when absent or not such a number. */
export function integerParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

/** The request body as bytes: raw bytes as they are, text as UTF-8, a parsed JSON value re-serialised. */
export function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (isByteArray(body)) return body;
  if (typeof body === 'string') return encoder.encode(body);
  return encoder.encode(JSON.stringify(body));
}

/** The request body as a JSON value: `{}` for none, `undefined` when it is not valid JSON. */
export function bodyJson(body: unknown): unknown {
  if (body === undefined || body === null) return {};
  if (!isByteArray(body) && typeof body !== 'string') return body;
  const text = typeof body === 'string' ? body : decoder.decode(body);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
