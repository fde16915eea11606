import type { ExecuteDecision, Idempotency } from '@idempo/core/adapter';
import { answerWithReady, captureResponse, type ResponseCapture, writeReady } from '@idempo/core/node';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable, of } from 'rxjs';
import { rejectedBeforeHandler } from './handler-answer.js';
import { IDEMPOTENCY_ENGINE } from './idempotency.constants.js';
import { IdempotencyRoutes } from './idempotency.routes.js';
import { type PlatformRequest, toIdempotencyRequest } from './platform-request.js';
import { rawResponseOf } from './raw-response.js';
import { isStreamingResult } from './streaming-result.js';

/**
 * Makes the requests of a route idempotent (`Idempotency-Key`). `IdempotencyModule` registers it for every
 * route unless its `global` option is `false`; then apply it with `@UseInterceptors(IdempotencyInterceptor)`.
 *
 * Per request: a request core lets through (a GET, no key, an opted-out route) runs untouched. A rejection
 * (400, 409, 422, 503 problem+json) or a replay is answered without running the handler. Otherwise the handler
 * runs, and what the platform writes (status, headers, body bytes, after every interceptor and exception filter)
 * is stored before it is sent. An error the handler throws releases the key, unless `onHandlerError: 'store'`
 * makes the exception filter's answer to it (below 500) the handler's answer, stored like a returned one; a
 * pipe's rejection (Nest 12) and a streamed body (`StreamableFile`, a stream, an async iterable) release the key. A client that disconnects while the handler runs does not: the handler's
 * answer is stored when it ends, and the client's retry gets 409 until then, the replay after.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(IDEMPOTENCY_ENGINE) private readonly engine: Idempotency<PlatformRequest>,
    @Inject(IdempotencyRoutes) private readonly routes: IdempotencyRoutes,
  ) {}

  /** Runs the five steps of an adapter for one request (see the class description); non-HTTP contexts pass through. */
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const route = this.routes.of(context);
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    const decision = await this.engine.begin(toIdempotencyRequest(request, route.setting));
    if (decision.kind === 'bypass') return next.handle();

    const raw = rawResponseOf(http.getResponse<unknown>());
    if (decision.kind !== 'execute') {
      if (route.respondsItself) writeReady(raw, decision.response);
      else answerWithReady(raw, decision.response);
      return of(undefined);
    }

    const capture = captureResponse(raw, decision, decision.maxBodyBytes);
    return captured(next.handle(), capture, decision, request);
  }
}

/**
 * The handler's observable, passed on as it is, but for a streamed result (the capture is released before it is
 * sent) and an error (released, or kept by core's `threw`, before it is rethrown). One subscriber in place of
 * `pipe(mergeMap(...), catchError(...))`: what Nest does per request with an interceptor is already several.
 */
function captured(
  handled: Observable<unknown>,
  capture: ResponseCapture,
  decision: ExecuteDecision,
  request: PlatformRequest,
): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    // Values still waiting for the release of a stream; completion waits for them, as mergeMap's does.
    let waiting = 0;
    let complete = false;
    return handled.subscribe({
      next(value) {
        if (!isStreamingResult(value)) {
          subscriber.next(value);
          return;
        }
        waiting++;
        void capture.release('stream').then(() => {
          subscriber.next(value);
          if (--waiting === 0 && complete) subscriber.complete();
        });
      },
      error(error: unknown) {
        // Core decides what a thrown error does (onHandlerError): released, or the exception filter's answer is
        // captured and committed as the handler's. A request the pipes refused never ran its handler: released.
        const settled = rejectedBeforeHandler(request)
          ? capture.release(error)
          : decision.threw(error).then((kept) => (kept ? undefined : capture.release(error)));
        const rethrow = (): void => subscriber.error(error);
        void settled.then(rethrow, rethrow);
      },
      complete() {
        complete = true;
        if (waiting === 0) subscriber.complete();
      },
    });
  });
}
