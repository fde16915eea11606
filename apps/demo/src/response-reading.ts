/** Small readers of a {@link DemoResponse}, for the scenarios' checks. */
import type { DemoResponse } from './http-types.js';

const decoder = new TextDecoder();

/** The first value of a header, or `undefined`. */
export function headerOf(response: DemoResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return response.headers.find(([n]) => n === lower)?.[1];
}

/** The body parsed as JSON, or `undefined` when it is not JSON. */
export function jsonOf(response: DemoResponse): unknown {
  try {
    return JSON.parse(decoder.decode(response.body));
  } catch {
    return undefined;
  }
}

/** A string member of a JSON object body, or `undefined`. */
export function jsonField(response: DemoResponse, field: string): string | undefined {
  const body = jsonOf(response);
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/** Whether two bodies are the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
