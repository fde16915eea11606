/** Writing a ready response (a replay or a rejection) on a Node `ServerResponse` exactly: status, field lines, bytes. */
import type { ServerResponse } from 'node:http';
import type { ReadyResponse } from '../request.js';
import { patchResponse } from './patch-response.js';
import { writeHeadHeaders } from './write-head-headers.js';

/** Headers a framework sets for the body it was given, which the ready response's own replace. */
const BODY_HEADERS = ['content-length', 'transfer-encoding', 'content-type'];

function setReadyHeaders(res: ServerResponse, ready: ReadyResponse, replaced: ReadonlySet<string>): void {
  for (const name of res.getHeaderNames()) if (replaced.has(name)) res.removeHeader(name);
  const grouped = new Map<string, string[]>();
  for (const [name, value] of ready.headers) {
    const values = grouped.get(name);
    if (values) values.push(value);
    else grouped.set(name, [value]);
  }
  for (const [name, values] of grouped)
    res.setHeader(name, values.length === 1 ? (values[0] as string) : values);
  res.statusCode = ready.status;
}

function callbackOf(args: readonly unknown[]): (() => void) | undefined {
  return args.find((arg): arg is () => void => typeof arg === 'function');
}

/**
 * Writes `ready` to `res` now; headers set earlier on `res` stay unless `ready` has them (or they describe a body:
 * Content-Length, Transfer-Encoding, Content-Type). For a handler that writes its response itself.
 */
export function writeReady(res: ServerResponse, ready: ReadyResponse): void {
  setReadyHeaders(res, ready, new Set([...BODY_HEADERS, ...ready.headers.map(([name]) => name)]));
  if (ready.body.length > 0) res.end(ready.body);
  else res.end();
}

/**
 * Makes whatever is written next to `res` be `ready` instead: its status and header field lines (headers set
 * earlier for this exchange, by middleware or hooks, stay unless `ready` has them) and its bytes. The adapter
 * hands the framework an empty result; what the framework (or an interceptor or filter around the adapter)
 * makes of it never reaches the client.
 */
export function answerWithReady(res: ServerResponse, ready: ReadyResponse): void {
  const replaced = new Set([...BODY_HEADERS, ...ready.headers.map(([name]) => name)]);
  let headWritten = false;
  const patch = patchResponse(res, {
    writeHead(...args) {
      headWritten = true;
      setReadyHeaders(res, ready, replaced);
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
      if (!headWritten) setReadyHeaders(res, ready, replaced);
      patch.restore();
      const callback = callbackOf(args);
      const endArgs: unknown[] = ready.body.length > 0 ? [ready.body] : [];
      if (callback) endArgs.push(callback);
      return patch.call('end', endArgs);
    },
  });
}
