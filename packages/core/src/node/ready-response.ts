/** Writing a ready response (a replay or a rejection) on a Node `ServerResponse` exactly: status, field lines, bytes. */
import type { ServerResponse } from 'node:http';
import type { HeaderEntry } from '../headers.js';
import type { ReadyResponse } from '../request.js';
import { patchResponse } from './patch-response.js';
import { writeHeadHeaders } from './write-head-headers.js';

/** Headers a framework sets for the body it was given, which the ready response's own replace. */
const BODY_HEADERS: readonly string[] = ['content-length', 'transfer-encoding', 'content-type'];

/** Whether `ready` replaces the header `name` that is already set on the response. */
function replaces(ready: ReadyResponse, name: string): boolean {
  if (BODY_HEADERS.includes(name)) return true;
  for (const entry of ready.headers) if (entry[0] === name) return true;
  return false;
}

/**
 * Sets `ready`'s status and header field lines on `res`, replacing what `res` already has under those names (and
 * the body headers). A name that repeats (Set-Cookie) is set once with all its values, in order. No Set or Map per
 * call: a replay has a handful of headers, and this runs on every one.
 */
function setReadyHeaders(res: ServerResponse, ready: ReadyResponse): void {
  for (const name of res.getHeaderNames()) if (replaces(ready, name)) res.removeHeader(name);
  const { headers } = ready;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i] as HeaderEntry;
    let values: string[] | undefined;
    let seen = false;
    for (let j = 0; j < headers.length; j++) {
      if (j === i || (headers[j] as HeaderEntry)[0] !== name) continue;
      if (j < i) {
        seen = true;
        break;
      }
      values ??= [value];
      values.push((headers[j] as HeaderEntry)[1]);
    }
    if (!seen) res.setHeader(name, values ?? value);
  }
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
  setReadyHeaders(res, ready);
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
  let headWritten = false;
  const patch = patchResponse(res, {
    writeHead(...args) {
      headWritten = true;
      setReadyHeaders(res, ready);
      const extra = writeHeadHeaders(args) ?? {};
      for (const name of Object.keys(extra)) if (replaces(ready, name)) delete extra[name];
      return patch.call('writeHead', [ready.status, extra]);
    },
    write(...args) {
      const callback = callbackOf(args);
      if (callback) process.nextTick(callback);
      return true;
    },
    end(...args) {
      if (!headWritten) setReadyHeaders(res, ready);
      patch.restore();
      const callback = callbackOf(args);
      const endArgs: unknown[] = ready.body.length > 0 ? [ready.body] : [];
      if (callback) endArgs.push(callback);
      return patch.call('end', endArgs);
    },
  });
}
