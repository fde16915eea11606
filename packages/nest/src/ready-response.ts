/** Writes a ready response (a replay or a rejection) exactly: its status, its header field lines, its bytes. */
import type { ReadyResponse } from '@idempo/core/adapter';
import { patchResponse, type RawResponse, writeHeadHeaders } from './raw-response.js';

/** Headers the platform sets for the body it was given, which the ready response's own replace. */
const BODY_HEADERS = ['content-length', 'transfer-encoding', 'content-type'];

function setReadyHeaders(raw: RawResponse, ready: ReadyResponse, replaced: ReadonlySet<string>): void {
  for (const name of raw.getHeaderNames()) if (replaced.has(name)) raw.removeHeader(name);
  const grouped = new Map<string, string[]>();
  for (const [name, value] of ready.headers) {
    const values = grouped.get(name);
    if (values) values.push(value);
    else grouped.set(name, [value]);
  }
  for (const [name, values] of grouped)
    raw.setHeader(name, values.length === 1 ? (values[0] as string) : values);
  raw.statusCode = ready.status;
}

function callbackOf(args: readonly unknown[]): (() => void) | undefined {
  return args.find((arg): arg is () => void => typeof arg === 'function');
}

/** Writes `ready` to `raw` now. For a handler that writes its response itself (`@Res()`). */
export function writeReady(raw: RawResponse, ready: ReadyResponse): void {
  setReadyHeaders(raw, ready, new Set([...BODY_HEADERS, ...ready.headers.map(([name]) => name)]));
  if (ready.body.length > 0) raw.end(ready.body);
  else raw.end();
}

/**
 * Makes whatever the platform writes next to `raw` be `ready` instead: its status and header field lines
 * (headers set earlier for this exchange, by middleware or hooks, stay unless `ready` has them) and its bytes.
 * The interceptor hands the platform an empty result; what the platform (or an interceptor or filter around
 * idempo) makes of it never reaches the client.
 */
export function answerWithReady(raw: RawResponse, ready: ReadyResponse): void {
  const replaced = new Set([...BODY_HEADERS, ...ready.headers.map(([name]) => name)]);
  let headWritten = false;
  const patch = patchResponse(raw, {
    writeHead(...args) {
      headWritten = true;
      setReadyHeaders(raw, ready, replaced);
      const extra = writeHeadHeaders(args) ?? {};
      for (const name of Object.keys(extra)) if (replaced.has(name)) delete extra[name];
      return patch.call('writeHead', [ready.status, extra]);
    },
    write(...args) {
      const callback = callbackOf(args);
      if (callback) process.nextTick(callback);
      return true;
    },
    end(...args) {
      if (!headWritten) setReadyHeaders(raw, ready, replaced);
      patch.restore();
      const callback = callbackOf(args);
      const endArgs: unknown[] = ready.body.length > 0 ? [ready.body] : [];
      if (callback) endArgs.push(callback);
      return patch.call('end', endArgs);
    },
  });
}
