/**
 * Reading a `multipart/*` body into its parts for the fingerprint (BEHAVIOUR D26, issue 15.9): a client draws a
 * new boundary for every request it builds (fetch does), so an identical retry differs in its bytes; its parts
 * do not. The parser follows RFC 2046 §5.1.1 and RFC 7578 strictly and gives up (`undefined`) on anything else,
 * so that the caller hashes the bytes as they are: a body is never misread, never makes it throw.
 *
 * It works on the bytes: one Boyer-Moore-Horspool pass finds the delimiters (`CRLF--boundary`), part contents
 * are views into the body (never copied, never decoded), and only the small header blocks become text (one
 * character per byte, so no two header blocks read alike).
 */

/** A multipart media type and the boundary it declares. */
export interface MultipartType {
  /** The media type, lower-cased, without parameters: `multipart/form-data`. */
  readonly type: string;
  /** The boundary parameter, unquoted. */
  readonly boundary: string;
}

/** One part of a multipart body, as the fingerprint sees it. */
export interface MultipartPart {
  /** The Content-Disposition type (`form-data`), lower-cased; `undefined` without a Content-Disposition. */
  readonly disposition: string | undefined;
  /** The Content-Disposition `name` parameter (as sent, quotes removed); `undefined` when absent. */
  readonly name: string | undefined;
  /** The Content-Disposition `filename` parameter (as sent, quotes removed); `undefined` when absent. */
  readonly filename: string | undefined;
  /** The part's own Content-Type field value, trimmed; `undefined` when absent. */
  readonly contentType: string | undefined;
  /**
   * Everything else in the part's header block, in order: other Content-Disposition parameters (`;k=v`) and
   * other header fields (`lower-case-name:value`), each length-prefixed. Empty for a usual form-data part.
   */
  readonly rest: string;
  /** The part's content: a view into the body, without the CRLF that belongs to the next delimiter. */
  readonly content: Uint8Array;
}

const CR = 13;
const LF = 10;
const DASH = 45;
const SPACE = 32;
const TAB = 9;
/** A header block longer than this is not read as one (a body that is not really multipart). */
const MAX_HEADER_BYTES = 16 * 1024;
const COLON = 58;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** 1 for the bytes of a token (RFC 9110 `tchar`). */
const TCHAR = new Uint8Array(256);
for (let c = 0; c < 128; c++) if (TOKEN.test(String.fromCharCode(c))) TCHAR[c] = 1;
const CONTENT_DISPOSITION = ascii('content-disposition');
const CONTENT_TYPE = ascii('content-type');
/** What ends an unquoted parameter value: `;`, a space, a tab, a quote. */
const UNQUOTED_END = new Set([59, SPACE, TAB, 34]);

/**
 * The media type and boundary of a `multipart/*` Content-Type, or `undefined`: not multipart, no boundary, a
 * boundary given twice, or one that is not 1-70 printable ASCII characters, the last not a space (RFC 2046
 * allows fewer characters, `bchars`; parsers take any, and so does this).
 */
export function multipartType(contentType: string | null | undefined): MultipartType | undefined {
  if (!contentType) return undefined;
  const semi = contentType.indexOf(';');
  if (semi < 0) return undefined;
  const type = contentType.slice(0, semi).trim().toLowerCase();
  if (!type.startsWith('multipart/') || !TOKEN.test(type.slice(10))) return undefined;
  const params = parameters(contentType, semi);
  if (params === undefined) return undefined;
  let boundary: string | undefined;
  for (const [name, value] of params) {
    if (name !== 'boundary') continue;
    if (boundary !== undefined) return undefined;
    boundary = value;
  }
  if (boundary === undefined || boundary.length === 0 || boundary.length > 70) return undefined;
  if (!/^[\x20-\x7e]*[\x21-\x7e]$/.test(boundary)) return undefined;
  return { type, boundary };
}

/**
 * Parses `; name=value` parameters from `text[from]` (a `;`) on: names lower-cased, values a token or a
 * quoted-string (kept as sent between the quotes, backslash escapes included). `undefined` when malformed.
 */
function parameters(text: string, from: number): [string, string][] | undefined {
  const out: [string, string][] = [];
  let i = from;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= n) return out;
    if (text.charCodeAt(i) !== 59 /* ; */) return undefined;
    i++;
    skipSpace();
    if (i >= n) return out; // a trailing `;`
    const eq = text.indexOf('=', i);
    if (eq < 0) return undefined;
    const name = text.slice(i, eq).trim().toLowerCase();
    if (!TOKEN.test(name)) return undefined;
    i = eq + 1;
    skipSpace();
    let value: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      const start = ++i;
      while (i < n && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 /* \ */ ? 2 : 1;
      if (i >= n) return undefined;
      value = text.slice(start, i);
      i++;
    } else {
      // A token; parsers also take other characters unquoted (`boundary=a/b`), and so does this.
      const start = i;
      while (i < n && !UNQUOTED_END.has(text.charCodeAt(i))) i++;
      value = text.slice(start, i);
      if (value.length === 0) return undefined;
    }
    out.push([name, value]);
  }
}

/** The bytes of an ASCII string. */
function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * The bytes `start` to `end` without leading and trailing spaces and tabs, one character per byte (Latin-1):
 * lossless, so two different header values never read alike.
 */
function latin1Trimmed(bytes: Uint8Array, start: number, end: number): string {
  while (start < end && (bytes[start] === SPACE || bytes[start] === TAB)) start++;
  while (end > start && (bytes[end - 1] === SPACE || bytes[end - 1] === TAB)) end--;
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/** Whether the token `start` to `end` is `name` (lower-case ASCII) in any case. */
function isField(bytes: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false;
  // For token characters, `| 0x20` folds exactly A-Z onto a-z.
  for (let j = 0; j < name.length; j++) if (((bytes[start + j] as number) | 0x20) !== name[j]) return false;
  return true;
}

/**
 * A Boyer-Moore-Horspool search of `needle` (`CRLF--boundary`) in `hay` from `from`: the index of its first
 * byte, or -1. It looks at about one byte in `needle.length` of the body. A candidate is compared from its
 * front: the boundary cannot contain CR, so a long partial match ends before the next candidate can start and
 * no body costs more than about two looks per byte (a backward compare would cost up to `needle.length` per
 * byte on a body of dashes and boundary characters).
 */
function search(hay: Uint8Array, needle: Uint8Array, shift: Uint8Array, from: number): number {
  const m = needle.length;
  const last = needle[m - 1] as number;
  const n = hay.length;
  let i = from + m - 1;
  while (i < n) {
    const c = hay[i] as number;
    if (c === last) {
      const start = i - m + 1;
      let j = 0;
      while (j < m - 1 && hay[start + j] === needle[j]) j++;
      if (j === m - 1) return start;
    }
    i += shift[c] as number;
  }
  return -1;
}

/** The Horspool shift table of `needle` (at most 255 bytes long). */
function shifts(needle: Uint8Array): Uint8Array {
  const m = needle.length;
  const table = new Uint8Array(256).fill(m);
  for (let j = 0; j < m - 1; j++) table[needle[j] as number] = m - 1 - j;
  return table;
}

/** The index just past the CRLF that ends a boundary line at `i` (after optional spaces and tabs), or -1. */
function lineEnd(body: Uint8Array, i: number): number {
  while (body[i] === SPACE || body[i] === TAB) i++;
  return body[i] === CR && body[i + 1] === LF ? i + 2 : -1;
}

const framed = (value: string): string => `${value.length}:${value}`;

/**
 * Reads one part (`start` to `end`, without the CRLF of the next delimiter): its header block, field line by
 * field line on the bytes (`token ":" value CRLF`, ended by an empty line), then its content.
 */
function part(body: Uint8Array, start: number, end: number): MultipartPart | undefined {
  let disposition: string | undefined;
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  let rest = '';
  let seenDisposition = false;
  const limit = Math.min(end, start + MAX_HEADER_BYTES);
  let i = start;
  // body-part := MIME-part-headers [CRLF *OCTET]: the header block ends with an empty line.
  for (;;) {
    if (i + 1 >= limit) return undefined;
    if (body[i] === CR && body[i + 1] === LF) break;
    const fieldStart = i;
    while (i < limit && TCHAR[body[i] as number] === 1) i++;
    // No field name, or no colon after it (a folded line, a stray line): not a header field.
    if (i === fieldStart || body[i] !== COLON) return undefined;
    const fieldEnd = i++;
    const valueStart = i;
    while (i < limit && body[i] !== CR && body[i] !== LF) i++;
    if (i + 1 >= limit || body[i] !== CR || body[i + 1] !== LF) return undefined;
    const value = latin1Trimmed(body, valueStart, i);
    i += 2;
    if (isField(body, fieldStart, fieldEnd, CONTENT_DISPOSITION)) {
      if (seenDisposition) return undefined;
      seenDisposition = true;
      const semi = value.indexOf(';');
      const kind = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
      if (!TOKEN.test(kind)) return undefined;
      disposition = kind;
      const params = semi < 0 ? [] : parameters(value, semi);
      if (params === undefined) return undefined;
      for (const [key, v] of params) {
        if (key === 'name' || key === 'filename') {
          if ((key === 'name' ? name : filename) !== undefined) return undefined;
          if (key === 'name') name = v;
          else filename = v;
        } else rest += framed(`;${key}=${v}`);
      }
    } else if (isField(body, fieldStart, fieldEnd, CONTENT_TYPE)) {
      if (contentType !== undefined) return undefined;
      contentType = value;
    } else rest += framed(`${latin1Trimmed(body, fieldStart, fieldEnd).toLowerCase()}:${value}`);
  }
  return { disposition, name, filename, contentType, rest, content: body.subarray(i + 2, end) };
}

/**
 * The parts of a multipart `body` delimited by `boundary`, in order, or `undefined` when it is not such a body
 * (no delimiter, a delimiter line with more on it, a part without a header block end, a header field that is
 * not `name: value`, a repeated Content-Disposition, Content-Type or parameter, no close delimiter). The
 * preamble and the epilogue are ignored; the CRLF before each delimiter belongs to the delimiter (RFC 2046).
 */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] | undefined {
  const delimiter = ascii(`\r\n--${boundary}`);
  if (delimiter.length > 255) return undefined;
  const shift = shifts(delimiter);
  // The first delimiter may open the body without its CRLF (no preamble).
  let at: number;
  let after: number;
  if (startsWith(body, delimiter, 2, 0)) {
    at = 0;
    after = delimiter.length - 2;
  } else {
    at = search(body, delimiter, shift, 0);
    if (at < 0) return undefined;
    after = at + delimiter.length;
  }
  const parts: MultipartPart[] = [];
  for (;;) {
    if (body[after] === DASH && body[after + 1] === DASH) return parts; // close delimiter; the rest is epilogue
    const start = lineEnd(body, after);
    if (start < 0) return undefined;
    at = search(body, delimiter, shift, start);
    if (at < 0) return undefined;
    const read = at > start ? part(body, start, at) : undefined;
    if (read === undefined) return undefined;
    parts.push(read);
    after = at + delimiter.length;
  }
}

/** Whether `body` at `offset` holds `needle` from its byte `skip` on. */
function startsWith(body: Uint8Array, needle: Uint8Array, skip: number, offset: number): boolean {
  if (body.length - offset < needle.length - skip) return false;
  for (let j = skip; j < needle.length; j++) if (body[offset + j - skip] !== needle[j]) return false;
  return true;
}
