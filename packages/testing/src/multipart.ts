/** Multipart bodies built by hand, so that a case chooses the boundary (a browser's fetch draws a new one). */

const encoder = new TextEncoder();

/** One part of a `multipart/form-data` body: a text field, or a file when `filename` is given. */
export type MultipartPart =
  | { readonly name: string; readonly value: string }
  | {
      readonly name: string;
      readonly filename: string;
      /** The part's `Content-Type`. Default `application/octet-stream`. */
      readonly type?: string | undefined;
      readonly bytes: Uint8Array;
    };

/** A `multipart/form-data` body and the `Content-Type` that goes with it. */
export interface MultipartBody {
  /** `multipart/form-data; boundary=<boundary>`. */
  readonly contentType: string;
  /** The body bytes, CRLF line ends, the closing delimiter included. */
  readonly bytes: Uint8Array;
}

/**
 * Builds a `multipart/form-data` body (RFC 7578) from `parts` with `boundary` (1 to 70 characters of the
 * RFC 2046 set, spaces excluded; the caller makes sure no part contains `--<boundary>`). Throws a `RangeError`
 * for another boundary.
 */
export function multipartBody(boundary: string, parts: readonly MultipartPart[]): MultipartBody {
  if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/.test(boundary)) {
    throw new RangeError(`multipartBody: invalid boundary ${JSON.stringify(boundary)}`);
  }
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    if ('filename' in part) {
      chunks.push(
        encoder.encode(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            `Content-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        part.bytes,
        encoder.encode('\r\n'),
      );
    } else {
      chunks.push(
        encoder.encode(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
        ),
      );
    }
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, bytes };
}

/** The SHA-256 of `bytes`, lower-case hexadecimal (Web Crypto). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
  let out = '';
  for (const byte of digest) out += byte.toString(16).padStart(2, '0');
  return out;
}
