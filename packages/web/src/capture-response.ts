/**
 * Steps 4 and 5 for a fetch `Response`: capture it for the record, `commit` or `abandon`, and return what to
 * send (docs/design.md "One request"). Shared by every adapter whose handlers answer a `Response`.
 */
import type { ExecuteDecision } from '@idempo/core/adapter';
import { storedBody } from './content-encoding.js';
import { type BodySink, captureBody } from './response-body.js';

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
export async function captureResponse(res: Response, decision: ExecuteDecision): Promise<Response> {
  const body = res.body;
  if (body === null) {
    await decision.commit({ status: res.status, headers: res.headers });
    return res;
  }
  const sink: BodySink = {
    async complete(bytes) {
      const stored = await storedBody(bytes, res.headers, decision.maxBodyBytes);
      if (stored === undefined) await decision.abandon('too-large');
      else await decision.commit({ status: res.status, headers: stored.headers, body: stored.body });
    },
    incomplete: (reason, error) => decision.abandon(reason === 'failed' ? error : reason),
  };
  const send = await captureBody(body, res.headers, decision.maxBodyBytes, sink);
  return send === body ? res : withBody(res, send);
}
