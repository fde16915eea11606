/**
 * The request fingerprint (BEHAVIOUR D26-D31): SHA-256 over the method, the concrete path, the canonical query
 * and the body. JSON bodies are canonicalised (member order and whitespace do not matter; number literals are
 * kept as sent); multipart bodies are hashed part by part, so that the boundary a client draws for each attempt
 * does not matter (issue 15.9); every other body is hashed as its bytes, never decoded to text. An absent body
 * and an empty one are the same. Request headers are not part of it (D28).
 */
import { canonicalJson } from './canonical-json.js';
import { framed, sha256, sha256Segments } from './hash.js';
import { type MultipartPart, multipartType, parseMultipart } from './multipart.js';

/** What the fingerprint is computed from. */
export interface FingerprintInput {
  /** HTTP method; compared case-insensitively. */
  readonly method: string;
  /** The concrete request path, route parameters included, without the query string. */
  readonly path: string;
  /** The raw query string without the leading `?`; absent or empty for none. */
  readonly query?: string | undefined;
  /**
   * The request's Content-Type, used only to decide how the body is read: JSON, multipart (with its boundary),
   * or bytes.
   */
  readonly contentType?: string | null | undefined;
  /** The raw request body bytes; `null`/`undefined` and empty are the same. */
  readonly body?: Uint8Array | null | undefined;
}

const FORMAT = 'idempo-fp-v1';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `method` in upper case: itself when it is already (as frameworks hand methods over), without a copy. */
function upperCase(method: string): string {
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || c > 0x7f) return method.toUpperCase();
  }
  return method;
}

/** True for `application/json` and any `+json` media type. */
export function isJsonMediaType(contentType: string | null | undefined): boolean {
  if (!contentType) return false;
  // What nearly every JSON client sends, decided without a slice, trim or lower-case copy.
  if (contentType === 'application/json' || contentType === 'application/json; charset=utf-8') return true;
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

const optional = (value: string | undefined): string => (value === undefined ? '-' : framed(value));

/**
 * The multipart digest: the media type, then for each part in order its Content-Disposition type, name and
 * filename, its own Content-Type, its other header fields, and its content, each length-prefixed (or `-` when
 * absent) so that nothing can move between fields or parts. The part contents are hashed where they lie.
 */
function multipartDigest(head: string, type: string, parts: readonly MultipartPart[]): string {
  const segments: (string | Uint8Array)[] = [`${head}multipart:${framed(type)}${parts.length}:`];
  for (const part of parts) {
    segments.push(
      `P${optional(part.disposition)}${optional(part.name)}${optional(part.filename)}` +
        `${optional(part.contentType)}${framed(part.rest)}${part.content.length}:`,
      part.content,
    );
  }
  return sha256Segments(segments);
}

/**
 * Computes the default fingerprint: a 43-character base64url SHA-256 digest. A `multipart/*` body with a
 * boundary is read into its parts ({@link parseMultipart}); one that does not parse with that boundary is
 * hashed as its bytes.
 */
export function computeFingerprint(input: FingerprintInput): string {
  return fingerprintOf(input.method, input.path, input.query, input.contentType, input.body);
}

/** {@link computeFingerprint} of its fields as arguments: the engine's, without an object per request. */
export function fingerprintOf(
  method: string,
  path: string,
  query: string | undefined,
  contentType: string | null | undefined,
  body: Uint8Array | null | undefined,
): string {
  // One text, hashed in one call: the format, the length-framed fields, then the body's kind and the body.
  const head = `${FORMAT}${framed(upperCase(method))}${framed(path)}${framed(canonicalQuery(query))}`;
  if (!body || body.length === 0) return sha256(`${head}empty:`);
  if (isJsonMediaType(contentType)) {
    let text: string | undefined;
    try {
      text = utf8.decode(body);
    } catch {
      text = undefined;
    }
    const canonical = text === undefined ? undefined : canonicalJson(text);
    if (canonical !== undefined) return sha256(`${head}json:${canonical}`);
  }
  const multipart = multipartType(contentType);
  if (multipart !== undefined) {
    const parts = parseMultipart(body, multipart.boundary);
    if (parts !== undefined) return multipartDigest(head, multipart.type, parts);
  }
  return sha256(`${head}bytes:`, body);
}
