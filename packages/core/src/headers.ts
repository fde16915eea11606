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

function pushValue(out: HeaderEntry[], name: string, value: HeaderValue): void {
  if (value === undefined || value === null) return;
  const lower = name.toLowerCase();
  if (typeof value === 'string') out.push([lower, value]);
  else if (typeof value === 'number') out.push([lower, String(value)]);
  else for (const v of value) out.push([lower, v]);
}

/** Normalises any {@link HeaderInput} to entries with lower-case names. */
export function normalizeHeaders(input: HeaderInput | undefined | null): HeaderEntry[] {
  const out: HeaderEntry[] = [];
  if (!input) return out;
  if (isHeaderRecord(input)) {
    for (const name of Object.keys(input)) pushValue(out, name, input[name]);
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
export type HeaderFilter = (headers: readonly HeaderEntry[]) => HeaderEntry[];

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
  return (headers) => {
    let dropped: Set<string> | undefined;
    for (const [name, value] of headers) {
      if (name !== 'connection') continue;
      dropped ??= new Set();
      for (const token of value.split(',')) dropped.add(token.trim().toLowerCase());
    }
    return headers.filter(
      ([name]) =>
        !exact.has(name) && !dropped?.has(name) && !prefixes.some((prefix) => name.startsWith(prefix)),
    );
  };
}
