/**
 * Response headers: normalising what a framework hands over, and choosing which of them are stored for replay
 * (BEHAVIOUR C18-C23). End-to-end headers are kept; hop-by-hop ones, Date, Content-Length (recomputed on
 * replay), per-exchange ones (request ids, rate limits, tracing, CORS) and, unless opted in, Set-Cookie are not.
 */

/** One header field line: a lower-case name and its value. Set-Cookie keeps one entry per cookie (C22). */
export type HeaderEntry = readonly [name: string, value: string];

/** A header value as frameworks hold them. */
export type HeaderValue = string | number | readonly string[] | undefined | null;

/** Response headers in any of the shapes frameworks use: a record, a fetch `Headers`, or entry pairs. */
export type HeaderInput =
  | Readonly<Record<string, HeaderValue>>
  | Iterable<readonly [string, HeaderValue]>
  | { forEach(callback: (value: string, name: string) => void): void; getSetCookie?(): string[] };

/** Hop-by-hop fields (RFC 9110 §7.6.1) plus the obsolete Proxy-Connection. */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * Per-exchange headers that are never stored by default (C23): they describe one exchange, not the result.
 * A trailing `*` matches any suffix.
 */
export const DEFAULT_EXCLUDED_HEADERS: readonly string[] = [
  'x-request-id',
  'request-id',
  'x-correlation-id',
  'traceparent',
  'tracestate',
  'server-timing',
  'x-response-time',
  'ratelimit',
  'ratelimit-*',
  'x-ratelimit-*',
  'x-rate-limit-*',
  'access-control-*',
];

function isHeaderRecord(input: HeaderInput): input is Readonly<Record<string, HeaderValue>> {
  return !(Symbol.iterator in input) && typeof (input as { forEach?: unknown }).forEach !== 'function';
}

const hasOwn = Object.prototype.hasOwnProperty;

function pushValue(out: HeaderEntry[], name: string, value: HeaderValue): void {
  if (value === undefined || value === null) return;
  pushLower(out, name.toLowerCase(), value);
}

function pushLower(out: HeaderEntry[], lower: string, value: NonNullable<HeaderValue>): void {
  if (typeof value === 'string') out.push([lower, value]);
  else if (typeof value === 'number') out.push([lower, String(value)]);
  else for (const v of value) out.push([lower, v]);
}

/** Normalises any {@link HeaderInput} to entries with lower-case names. */
export function normalizeHeaders(input: HeaderInput | undefined | null): HeaderEntry[] {
  const out: HeaderEntry[] = [];
  if (!input) return out;
  if (isHeaderRecord(input)) {
    // Its own enumerable names, in Object.keys order, without the array Object.keys makes.
    for (const name in input) if (hasOwn.call(input, name)) pushValue(out, name, input[name]);
  } else if (Symbol.iterator in input) {
    for (const [name, value] of input as Iterable<readonly [string, HeaderValue]>)
      pushValue(out, name, value);
  } else {
    const fetchHeaders = input as {
      forEach(cb: (v: string, n: string) => void): void;
      getSetCookie?(): string[];
    };
    fetchHeaders.forEach((value, name) => {
      if (name.toLowerCase() !== 'set-cookie' || !fetchHeaders.getSetCookie) pushValue(out, name, value);
    });
    if (fetchHeaders.getSetCookie) for (const c of fetchHeaders.getSetCookie()) out.push(['set-cookie', c]);
  }
  return out;
}

/** Decides, once per options, which response headers are stored. */
export interface HeaderFilter {
  (headers: readonly HeaderEntry[]): HeaderEntry[];
  /** Whether a header of this lower-case name is stored, unless a Connection header names it. */
  readonly stores: (name: string) => boolean;
}

/** Options of {@link createHeaderFilter}. */
export interface HeaderFilterOptions {
  /** Store and replay Set-Cookie. Default `false` (C22). */
  readonly replaySetCookie?: boolean;
  /** Names never stored (case-insensitive, trailing `*` for a prefix). Default {@link DEFAULT_EXCLUDED_HEADERS}. */
  readonly excludeHeaders?: readonly string[];
  /** The replay marker's name; a handler's own value of it is not stored. */
  readonly replayHeader?: string | false;
}

/** Builds the header filter used when a response is stored. */
export function createHeaderFilter(options: HeaderFilterOptions = {}): HeaderFilter {
  const exact = new Set<string>([...HOP_BY_HOP_HEADERS, 'date', 'content-length']);
  if (!options.replaySetCookie) exact.add('set-cookie');
  if (options.replayHeader) exact.add(options.replayHeader.toLowerCase());
  const prefixes: string[] = [];
  for (const raw of options.excludeHeaders ?? DEFAULT_EXCLUDED_HEADERS) {
    const name = raw.toLowerCase();
    if (name.endsWith('*')) prefixes.push(name.slice(0, -1));
    else exact.add(name);
  }
  const stores = (name: string): boolean => {
    if (exact.has(name)) return false;
    for (let p = 0; p < prefixes.length; p++) if (name.startsWith(prefixes[p] as string)) return false;
    return true;
  };
  // Indexed loops: no iterator or destructuring per entry, no closure per header.
  const filter = (headers: readonly HeaderEntry[]): HeaderEntry[] => {
    let dropped: Set<string> | undefined;
    for (let i = 0; i < headers.length; i++) {
      const entry = headers[i] as HeaderEntry;
      if (entry[0] !== 'connection') continue;
      dropped ??= new Set();
      for (const token of entry[1].split(',')) dropped.add(token.trim().toLowerCase());
    }
    const kept: HeaderEntry[] = [];
    for (let i = 0; i < headers.length; i++) {
      const entry = headers[i] as HeaderEntry;
      const name = entry[0];
      if (!dropped?.has(name) && stores(name)) kept.push(entry);
    }
    return kept;
  };
  return Object.assign(filter, { stores });
}

/**
 * The headers of `input` that `filter` stores: `filter(normalizeHeaders(input))`, but a record (what Node
 * frameworks hand over) is read without an entry, or a copy of the list, for a header that is not stored. A record
 * with a Connection header (whose tokens drop more), or with a value that is not text, a number or a list of text
 * (which normalizeHeaders reads, or fails on, for every header), takes the whole path.
 */
export function storedHeaders(input: HeaderInput | undefined | null, filter: HeaderFilter): HeaderEntry[] {
  if (!input || !isHeaderRecord(input)) return filter(normalizeHeaders(input));
  const out: HeaderEntry[] = [];
  for (const name in input) {
    if (!hasOwn.call(input, name)) continue;
    const value = input[name];
    if (value === undefined || value === null) continue;
    const lower = name.toLowerCase();
    if (lower === 'connection' || !isFieldValue(value)) return filter(normalizeHeaders(input));
    if (filter.stores(lower)) pushLower(out, lower, value);
  }
  return out;
}

/** Text, a number, or a list of text. */
function isFieldValue(value: unknown): boolean {
  if (typeof value === 'string' || typeof value === 'number') return true;
  if (!Array.isArray(value)) return false;
  for (const v of value as readonly unknown[]) if (typeof v !== 'string') return false;
  return true;
}
