import type { Idempotency } from '@idempo/core/adapter';
import { answerWithReady, captureResponse, writeReady } from '@idempo/core/node';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import { isHandlerAnswer } from './handler-answer.js';
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
 * is stored before it is sent. An `HttpException` thrown by the handler is an answer and is stored like a
 * returned one; any other error, a pipe's rejection (Nest 12) and a streamed body (`StreamableFile`, a stream,
 * an async iterable) release the key. A client that disconnects while the handler runs does not: the handler's
 * answer is stored when it ends, and the client's retry gets 409 until then, the replay after.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  readonly #logger = new Logger('IdempotencyInterceptor');
  #warnedParsedBody = false;
  readonly #onParsedBody = (): void => {
    if (this.#warnedParsedBody) return;
    this.#warnedParsedBody = true;
    this.#logger.warn(
      'req.rawBody is missing, so idempo fingerprints the parsed body serialised as JSON; create the application ' +
        'with NestFactory.create(AppModule, { rawBody: true }) to fingerprint the bytes received',
    );
  };

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
    const decision = await this.engine.begin(
      toIdempotencyRequest(request, route.setting, this.#onParsedBody),
    );
    if (decision.kind === 'bypass') return next.handle();

    const raw = rawResponseOf(http.getResponse<unknown>());
    if (decision.kind !== 'execute') {
      if (route.respondsItself) writeReady(raw, decision.response);
      else answerWithReady(raw, decision.response);
      return of(undefined);
    }

    const capture = captureResponse(raw, decision, decision.maxBodyBytes);
    return next.handle().pipe(
      mergeMap((value) =>
        isStreamingResult(value) ? from(capture.release('stream').then(() => value)) : [value],
      ),
      catchError((error: unknown) =>
        isHandlerAnswer(error, request)
          ? throwError(() => error)
          : from(capture.release(error)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }
}
