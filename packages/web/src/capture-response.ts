/**
 * Steps 4 and 5 for a fetch `Response`: capture it for the record, `commit` or `abandon`, and return what to
 * send (docs/design.md "One request"). Shared by every adapter whose handlers answer a `Response`.
 */
import { type ExecuteDecision as Decision, declaredLength } from '@idempo/core/adapter';
import { atHandBody } from './at-hand-response.js';
import { storedBody } from './content-encoding.js';
import { type BodySink, captureBody, declaresStream } from './response-body.js';

const encoder = new TextEncoder();
/** The Content-Type @hono/node-server sends with a body whose headers have none. */
const DEFAULT_TYPE = 'text/plain; charset=UTF-8';

/** The response to send in place of `res`: its status and headers, another body. */
function withBody(res: Response, body: Uint8Array | ReadableStream<Uint8Array>): Response {
  // A plain init, not `res`: @hono/node-server writes a Response made from bytes and a plain init directly, but
  // one made from another Response through the slow stream path.
  return new Response(body as BodyInit, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

/**
 * Captures a @hono/node-server response whose body is at hand (text, bytes or none) without making a real
 * `Response` of it: the same decisions as for a stream of those bytes, and `res` is sent as it is (its body is
 * written exactly as read here). The Content-Type @hono/node-server adds to a body without one is set on `res`
 * itself, so that the record holds the header the client gets. `false` when `res` declares a stream or a longer
 * `Content-Length`: it goes the general way, untouched.
 */
async function captureAtHand(
  res: Response,
  body: string | Uint8Array | null,
  decision: Decision,
): Promise<boolean> {
  const headers = res.headers;
  if (body === null) {
    await decision.commit({ status: res.status, headers });
    return true;
  }
  if (declaresStream(headers)) return false;
  const declared = declaredLength(headers.get('content-length'));
  if (declared !== undefined && declared > decision.maxBodyBytes) return false;
  const bytes = typeof body === 'string' ? encoder.encode(body) : body.slice();
  if (bytes.length > decision.maxBodyBytes) {
    await decision.abandon('too-large');
    return true;
  }
  if (!headers.has('content-type')) headers.set('content-type', DEFAULT_TYPE);
  await commitBody(res, bytes, decision);
  return true;
}

/** Commits `res` with the whole of its body, `bytes`, stored decoded (I13); abandons when that is too large. */
async function commitBody(res: Response, bytes: Uint8Array, decision: Decision): Promise<void> {
  const stored = await storedBody(bytes, res.headers, decision.maxBodyBytes);
  if (stored === undefined) await decision.abandon('too-large');
  else await decision.commit({ status: res.status, headers: stored.headers, body: stored.body });
}

/**
 * Captures the handler's `res` for the request that holds the key and resolves with the `Response` to send:
 * `res` itself when its body was not read (none, or passed through), or a new one with its status and headers
 * and the bytes read (or a stream of them, then the rest). A body whose chunks are all at hand is stored before
 * this resolves; one that comes over time is forwarded as it comes and its end is sent once it is stored. At most
 * `decision.maxBodyBytes` of it is held: a longer one, one declared a stream (`Transfer-Encoding`,
 * `text/event-stream`) or one declaring a longer `Content-Length` goes through untouched and the key is released
 * (docs/behaviour.md C25, I11). A gzip or deflate body is stored decoded (I13). It settles the decision exactly
 * once, except when it throws (a body that cannot be read): the caller then abandons.
 *
 * For adapter authors: `withIdempotency` and `@idempo/hono` use it after the handler answered.
 *
 * @param res - The handler's response.
 * @param decision - The `execute` decision of core's `begin` for this request.
 * @returns The response to send.
 */
export async function captureResponse(res: Response, decision: Decision): Promise<Response> {
  const atHand = atHandBody(res);
  if (atHand !== undefined) {
    const sent = await captureAtHand(res, atHand, decision);
    if (sent) return res;
  }
  const body = res.body;
  if (body === null) {
    await decision.commit({ status: res.status, headers: res.headers });
    return res;
  }
  const sink: BodySink = {
    complete: (bytes) => commitBody(res, bytes, decision),
    incomplete: (reason, error) => decision.abandon(reason === 'failed' ? error : reason),
  };
  const send = await captureBody(body, res.headers, decision.maxBodyBytes, sink);
  return send === body ? res : withBody(res, send);
}
