/**
 * The request fingerprint (BEHAVIOUR D26-D31): SHA-256 over the method, the concrete path, the canonical query
 * and the body. JSON bodies are canonicalised (member order and whitespace do not matter; number literals are
 * kept as sent); every other body is hashed as its bytes, never decoded to text. An absent body and an empty one
 * are the same. Request headers are not part of it (D28).
 */
import { canonicalJson } from './canonical-json.js';
import { framed, sha256 } from './hash.js';

/** What the fingerprint is computed from. */
export interface FingerprintInput {
  /** HTTP method; compared case-insensitively. */
  readonly method: string;
  /** The concrete request path, route parameters included, without the query string. */
  readonly path: string;
  /** The raw query string without the leading `?`; absent or empty for none. */
  readonly query?: string | undefined;
  /** The request's Content-Type, used only to decide whether the body is JSON. */
  readonly contentType?: string | null | undefined;
  /** The raw request body bytes; `null`/`undefined` and empty are the same. */
  readonly body?: Uint8Array | null | undefined;
}

const FORMAT = 'idempo-fp-v1';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True for `application/json` and any `+json` media type. */
export function isJsonMediaType(contentType: string | null | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * The query string in canonical form: parameters decoded, then sorted by name, keeping the order of repeated
 * names (`a=1&a=2` differs from `a=2&a=1`, as frameworks read them as arrays), then re-encoded.
 */
export function canonicalQuery(query: string | undefined): string {
  if (!query) return '';
  const params = [...new URLSearchParams(query)];
  if (params.length === 0) return '';
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new URLSearchParams(params).toString();
}

/** Computes the default fingerprint: a 43-character base64url SHA-256 digest. */
export function computeFingerprint(input: FingerprintInput): string | Promise<string> {
  // One text, hashed in one call: the format, the length-framed fields, then the body's kind and the body.
  const head = `${FORMAT}${framed(input.method.toUpperCase())}${framed(input.path)}${framed(canonicalQuery(input.query))}`;
  const body = input.body;
  if (!body || body.length === 0) return sha256(`${head}empty:`);
  if (isJsonMediaType(input.contentType)) {
    let text: string | undefined;
    try {
      text = utf8.decode(body);
    } catch {
      text = undefined;
    }
    const canonical = text === undefined ? undefined : canonicalJson(text);
    if (canonical !== undefined) return sha256(`${head}json:${canonical}`);
  }
  return sha256(`${head}bytes:`, body);
}
