/** The options of {@link withIdempotency}: core's, typed with the Web request and the handler's other arguments. */
import type { IdempotencyOptions } from '@idempo/core';

/**
 * What `principal` and `fingerprint` see as `request.context`: the `Request` the handler receives and the
 * arguments that came with it, untouched (Next.js: `[{ params }]`; Workers: `[env, ctx]`; Bun.serve:
 * `[server]`; Deno.serve: `[info]`). One object per request: a second `withIdempotency` that the handler calls
 * with the same `Request` sees the same context, so core passes it through (docs/behaviour.md J2).
 */
export interface WebContext<Rest extends readonly unknown[] = unknown[], Req extends Request = Request> {
  /** The request, as the handler receives it. Its body is not to be read here: idempo reads it for the fingerprint. */
  readonly request: Req;
  /** The handler's arguments after the request, as the runtime passed them. */
  readonly args: Rest;
}

/** How a handler's thrown error is answered, in place of the runtime's own 500. */
export type WebErrorHandler<Rest extends readonly unknown[] = unknown[], Req extends Request = Request> = (
  error: unknown,
  request: Req,
  ...rest: Rest
) => Response | Promise<Response>;

/**
 * Options of {@link withIdempotency}: every option of `@idempo/core` (`store` required; the others and their
 * defaults are in https://github.com/idempo/idempo/blob/main/docs/options.md), plus `onError`. `principal` and
 * `fingerprint` receive core's request info with `context` set to a {@link WebContext}: the `Request` and the
 * handler's other arguments, e.g. `principal: (req) => req.header('x-user-id')` or, on Workers,
 * `principal: ({ context }) => verify(context.request, context.args[0].JWT_SECRET)`.
 */
export interface WebIdempotencyOptions<
  Rest extends readonly unknown[] = unknown[],
  Req extends Request = Request,
> extends IdempotencyOptions<WebContext<Rest, Req>> {
  /**
   * Answers an error the handler throws (or that `principal` or `fingerprint` throws), as a framework's error
   * handler would: its `Response` is sent, and, with `onHandlerError: 'store'`, stored when its status is below
   * 500 (docs/behaviour.md J3). An error `onError` itself throws goes on to the runtime. Default: none, the error
   * goes on to the runtime (Bun, Deno, Workers and Next.js answer 500) and the key is released.
   */
  readonly onError?: WebErrorHandler<Rest, Req> | undefined;
}
