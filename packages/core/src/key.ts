/**
 * The `Idempotency-Key` header value, parsed as an RFC 8941 Structured Field Item whose bare item is an
 * sf-string (draft-ietf-httpapi-idempotency-key-header §2.1). Parameters are parsed and ignored. Unless
 * `strict`, a bare (unquoted) key made of token characters is accepted as the string it spells, as Stripe
 * clients send them (BEHAVIOUR A8).
 */

/** How {@link parseIdempotencyKey} reads a header value. */
export interface KeyParseOptions {
  /** Reject unquoted keys, as strict RFC 8941 would. Default `false`. */
  readonly strict?: boolean;
  /** Longest accepted key, in characters. Default `255`. */
  readonly maxLength?: number;
}

/** The outcome of parsing: the key, or why there is none. */
export type KeyParseResult =
  | { readonly ok: true; readonly key: string }
  | { readonly ok: false; readonly reason: string };

const SP = 0x20;
const HTAB = 0x09;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

// tchar (RFC 9110 §5.6.2) plus ":" and "/" (sf-token) plus "=" (base64 padding in bare keys).
const BARE_KEY_CHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~:/=") BARE_KEY_CHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) BARE_KEY_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) BARE_KEY_CHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) BARE_KEY_CHAR[c] = 1;

// sf-token characters after the first (tchar / ":" / "/").
const TOKEN_CHAR = BARE_KEY_CHAR.slice();
TOKEN_CHAR['='.charCodeAt(0)] = 0;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLcAlpha = (c: number) => c >= 0x61 && c <= 0x7a;
const isAlpha = (c: number) => (c >= 0x41 && c <= 0x5a) || isLcAlpha(c);

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  peek(): number {
    return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1;
  }
}

type Fail = { readonly ok: false; readonly reason: string };
const fail = (reason: string): Fail => ({ ok: false, reason });

function parseString(c: Cursor): string | Fail {
  c.i++; // opening DQUOTE
  let out = '';
  let start = c.i;
  while (c.i < c.s.length) {
    const ch = c.s.charCodeAt(c.i);
    if (ch === BACKSLASH) {
      const next = c.s.charCodeAt(c.i + 1);
      if (next !== DQUOTE && next !== BACKSLASH)
        return fail('a backslash in a quoted key may only escape " or \\');
      out += c.s.slice(start, c.i);
      c.i += 2;
      start = c.i - 1;
      continue;
    }
    if (ch === DQUOTE) {
      out += c.s.slice(start, c.i);
      c.i++;
      return out;
    }
    if (ch < 0x20 || ch > 0x7e) return fail('the key contains a control or non-ASCII character');
    c.i++;
  }
  return fail('the quoted key is not closed');
}

function skipToken(c: Cursor): void {
  c.i++;
  while (c.i < c.s.length && TOKEN_CHAR[c.s.charCodeAt(c.i)] === 1) c.i++;
}

function skipNumber(c: Cursor): Fail | undefined {
  if (c.peek() === 0x2d) c.i++;
  const start = c.i;
  while (isDigit(c.peek())) c.i++;
  if (c.i === start) return fail('a parameter has an invalid number');
  if (c.peek() === 0x2e) {
    c.i++;
    const frac = c.i;
    while (isDigit(c.peek())) c.i++;
    if (c.i === frac || c.i - frac > 3) return fail('a parameter has an invalid decimal');
  }
  return undefined;
}

function skipBareItem(c: Cursor): Fail | undefined {
  const ch = c.peek();
  if (ch === 0x2d || isDigit(ch)) return skipNumber(c);
  if (ch === DQUOTE) {
    const s = parseString(c);
    return typeof s === 'string' ? undefined : s;
  }
  if (isAlpha(ch) || ch === 0x2a) {
    skipToken(c);
    return undefined;
  }
  if (ch === 0x3a) {
    const end = c.s.indexOf(':', c.i + 1);
    if (end < 0 || !/^[A-Za-z0-9+/=]*$/.test(c.s.slice(c.i + 1, end)))
      return fail('a parameter has an invalid byte sequence');
    c.i = end + 1;
    return undefined;
  }
  if (ch === 0x3f) {
    const v = c.s.charCodeAt(c.i + 1);
    if (v !== 0x30 && v !== 0x31) return fail('a parameter has an invalid boolean');
    c.i += 2;
    return undefined;
  }
  return fail('a parameter has an invalid value');
}

function skipParameters(c: Cursor): Fail | undefined {
  while (c.peek() === 0x3b) {
    c.i++;
    while (c.peek() === SP) c.i++;
    const first = c.peek();
    if (!isLcAlpha(first) && first !== 0x2a) return fail('a parameter has an invalid name');
    c.i++;
    for (
      let ch = c.peek();
      isLcAlpha(ch) || isDigit(ch) || ch === 0x5f || ch === 0x2d || ch === 0x2e || ch === 0x2a;
      ch = c.peek()
    )
      c.i++;
    if (c.peek() === 0x3d) {
      c.i++;
      const bad = skipBareItem(c);
      if (bad) return bad;
    }
  }
  return undefined;
}

const DEFAULT_MAX_LENGTH = 255;

/**
 * Parses one `Idempotency-Key` header value (BEHAVIOUR A2-A9). Leading and trailing whitespace is ignored,
 * parameters are ignored, the key is case-sensitive and must be 1 to `maxLength` characters long.
 * Several field lines joined by a comma (as Node and fetch join repeated headers) are invalid (A5).
 */
export function parseIdempotencyKey(value: string, options: KeyParseOptions = {}): KeyParseResult {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === SP || value.charCodeAt(start) === HTAB)) start++;
  while (end > start && (value.charCodeAt(end - 1) === SP || value.charCodeAt(end - 1) === HTAB)) end--;
  const c = new Cursor(value.slice(start, end));
  if (c.s.length === 0) return fail('the key is empty');

  let key: string;
  const first = c.peek();
  if (first === DQUOTE) {
    const parsed = parseString(c);
    if (typeof parsed !== 'string') return parsed;
    key = parsed;
  } else if (options.strict) {
    return fail('the key must be a quoted string (strict mode)');
  } else {
    while (c.i < c.s.length && BARE_KEY_CHAR[c.s.charCodeAt(c.i)] === 1) c.i++;
    if (c.i === 0) return fail('the key must be a quoted string or a token');
    key = c.s.slice(0, c.i);
  }

  const bad = skipParameters(c);
  if (bad) return bad;
  if (c.i !== c.s.length) {
    return c.peek() === 0x2c
      ? fail('the request has more than one Idempotency-Key')
      : fail('unexpected characters after the key');
  }
  if (key.length === 0) return fail('the key is empty');
  if (key.length > maxLength) return fail(`the key is longer than ${maxLength} characters`);
  return { ok: true, key };
}

/**
 * What a valid key is, for the message of an {@link InvalidKeyError}: the client that sent a bad key learns how to
 * send a good one (docs/behaviour.md A2-A8).
 *
 * @example
 * ```ts
 * validKeyHint('Idempotency-Key', { strict: true, maxLength: 255 });
 * // 'a valid key is a quoted string of 1 to 255 printable ASCII characters, e.g. Idempotency-Key: "…"'
 * ```
 */
export function validKeyHint(headerName: string, options: KeyParseOptions = {}): string {
  const length = `1 to ${options.maxLength ?? DEFAULT_MAX_LENGTH} printable ASCII characters`;
  const bare = options.strict
    ? ''
    : " (or the same unquoted, when it uses only letters, digits and !#$%&'*+-.^_`|~:/=)";
  return `a valid key is a quoted string of ${length}${bare}, e.g. ${headerName}: "${EXAMPLE_KEY}"`;
}

const EXAMPLE_KEY = '8e03978e-40d5-43e8-bc93-6894a57f9324';

/**
 * Reads the key from the header's field values as the framework hands them over: `undefined` or `null` when
 * absent, one string, or one string per field line.
 */
export function readKeyHeader(
  value: string | readonly string[] | null | undefined,
  options: KeyParseOptions = {},
): KeyParseResult | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return parseIdempotencyKey(value, options);
  if (value.length === 0) return undefined;
  if (value.length > 1) return fail('the request has more than one Idempotency-Key');
  return parseIdempotencyKey(value[0] as string, options);
}
