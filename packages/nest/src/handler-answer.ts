/** The marker Nest 12 sets on a request whose pipes rejected it: the handler did not run. */
const REJECTED_BY_PIPES = Symbol.for('nestjs:rejected-by-pipes');

/**
 * Whether an error reached the interceptor without the handler having run: Nest 12 marks a request its pipes
 * rejected (a validation failure). Such a request always releases its key; an error the handler threw is core's
 * to decide (`onHandlerError`).
 */
export function rejectedBeforeHandler(request: unknown): boolean {
  return (
    typeof request === 'object' &&
    request !== null &&
    (request as Record<symbol, unknown>)[REJECTED_BY_PIPES] === true
  );
}
