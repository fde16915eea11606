import { HttpException } from '@nestjs/common';

/** The marker Nest 12 sets on a request whose pipes rejected it: the handler did not run. */
const REJECTED_BY_PIPES = Symbol.for('nestjs:rejected-by-pipes');

/**
 * Whether an error thrown inside the interceptor is the handler's answer, to be stored like a returned one: an
 * `HttpException` (from any copy of `@nestjs/common`) thrown by the handler. Anything else, and an exception of
 * the pipes (a validation failure: the handler never ran; Nest 12 marks it), releases the key.
 */
export function isHandlerAnswer(error: unknown, request: unknown): boolean {
  if (typeof request === 'object' && request !== null && REJECTED_BY_PIPES in request) {
    if ((request as Record<symbol, unknown>)[REJECTED_BY_PIPES] === true) return false;
  }
  if (error instanceof HttpException) return true;
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Record<string, unknown>;
  return (
    error instanceof Error &&
    typeof candidate['getStatus'] === 'function' &&
    typeof candidate['getResponse'] === 'function' &&
    typeof candidate['initCause'] === 'function'
  );
}
