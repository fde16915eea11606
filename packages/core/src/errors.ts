/**
 * Typed errors. Every error idempo raises is an {@link IdempotencyError} with a stable machine-readable
 * `code` and the HTTP `status` it maps to. Errors that reach a client are rendered as RFC 9457
 * problem+json by {@link toProblemResponse}.
 *
 * @packageDocumentation
 */

/** The stable error codes, one per subclass. */
export type IdempotencyErrorCode =
  | 'invalid_key'
  | 'missing_key'
  | 'request_in_flight'
  | 'fingerprint_mismatch'
  | 'store_unavailable'
  | 'store_timeout'
  | 'store_capacity'
  | 'corrupt_record'
  | 'request_too_large'
  | 'invalid_principal'
  | 'invalid_fingerprint'
  | 'unreadable_body'
  | 'lease_lost'
  | 'invalid_options';

/** Base class of every error idempo raises. */
export abstract class IdempotencyError extends Error {
  /** Stable machine-readable code, also sent as the `code` member of the problem+json body. */
  abstract readonly code: IdempotencyErrorCode;
  /** The HTTP status this error answers with. */
  abstract readonly status: number;
  /** A short, human-readable summary of the problem type (the problem+json `title`). */
  abstract readonly title: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The `Idempotency-Key` header is present but not a valid key (BEHAVIOUR A2-A8). 400. */
export class InvalidKeyError extends IdempotencyError {
  readonly code = 'invalid_key';
  readonly status = 400;
  readonly title = 'Invalid Idempotency-Key';
}

/** The route requires an `Idempotency-Key` and the request has none (BEHAVIOUR B11). 400. */
export class MissingKeyError extends IdempotencyError {
  readonly code = 'missing_key';
  readonly status = 400;
  readonly title = 'Idempotency-Key required';
}

/** A request with the same key is still being processed (BEHAVIOUR E32). 409, with `Retry-After`. */
export class RequestInFlightError extends IdempotencyError {
  readonly code = 'request_in_flight';
  readonly status = 409;
  readonly title = 'Request in progress';
  /** Seconds the client should wait before retrying. */
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The key was already used with a different request payload (BEHAVIOUR D26-D30). 422. */
export class FingerprintMismatchError extends IdempotencyError {
  readonly code = 'fingerprint_mismatch';
  readonly status = 422;
  readonly title = 'Idempotency-Key reused with a different request';
}

/** The store failed or could not be reached (BEHAVIOUR H48). 503. */
export class StoreUnavailableError extends IdempotencyError {
  readonly code: IdempotencyErrorCode = 'store_unavailable';
  readonly status = 503;
  readonly title = 'Idempotency store unavailable';
}

/** A store operation did not answer within `storeTimeoutMs`. 503. */
export class StoreTimeoutError extends StoreUnavailableError {
  override readonly code = 'store_timeout';
}

/** A bounded store (e.g. {@link MemoryStore}) has no room left that it may free. 503. */
export class StoreCapacityError extends StoreUnavailableError {
  override readonly code = 'store_capacity';
}

/** A stored record could not be decoded (unknown version or damaged bytes). 503. */
export class CorruptRecordError extends StoreUnavailableError {
  override readonly code = 'corrupt_record';
}

/**
 * A keyed request's body is longer than `maxRequestBodyBytes`. 413, answered before anything is reserved: the
 * handler does not run and nothing is stored.
 */
export class RequestTooLargeError extends IdempotencyError {
  readonly code = 'request_too_large';
  readonly status = 413;
  readonly title = 'Request body too large';
  /** The limit that was exceeded, in bytes. */
  readonly limitBytes: number;

  constructor(message: string, limitBytes: number, options?: { cause?: unknown }) {
    super(message, options);
    this.limitBytes = limitBytes;
  }
}

/**
 * The `principal` function returned something other than a string, `null` or `undefined` (a user object, a
 * number). Keys would otherwise fall into one shared key space, so the request is refused. 500.
 */
export class InvalidPrincipalError extends IdempotencyError {
  readonly code = 'invalid_principal';
  readonly status = 500;
  readonly title = 'Invalid idempotency principal';
}

/**
 * A custom `fingerprint` function returned something other than a string (a forgotten `return`, bytes). Every
 * payload would otherwise share one fingerprint and a different request would replay, so the request is
 * refused. 500.
 */
export class InvalidFingerprintError extends IdempotencyError {
  readonly code = 'invalid_fingerprint';
  readonly status = 500;
  readonly title = 'Invalid idempotency fingerprint';
}

/**
 * The adapter cannot see the request body that the handler will consume (a parser that leaves the stream to
 * the handler, an upload interceptor), so the request cannot be fingerprinted safely. 500; the message names
 * the option that opts the route out.
 */
export class UnreadableBodyError extends IdempotencyError {
  readonly code = 'unreadable_body';
  readonly status = 500;
  readonly title = 'Request body not readable by idempo';
}

/**
 * The reason of an execution's `signal` when its lease is lost: the store refused to extend it (`'extend'`), or
 * it ran out without a renewal (`'expired'`, or `'max-execution'` once the heartbeat stopped at
 * `maxExecutionMs`). Another request may now be given the key. Never answered by idempo itself; 409 if a handler
 * rethrows it.
 */
export class LeaseLostError extends IdempotencyError {
  readonly code = 'lease_lost';
  readonly status = 409;
  readonly title = 'Idempotency lease lost';
  /** Why the lease was lost. */
  readonly reason: 'extend' | 'expired' | 'max-execution';

  constructor(reason: 'extend' | 'expired' | 'max-execution') {
    super(
      reason === 'extend'
        ? 'the store gave this idempotency key to another holder: another request may now run with it'
        : `this idempotency key's lease ran out without a renewal (${reason}): another request may now run with it`,
    );
    this.reason = reason;
  }
}

/** Options given to idempo are invalid. Thrown once, at registration, never per request. */
export class InvalidOptionsError extends IdempotencyError {
  readonly code = 'invalid_options';
  readonly status = 500;
  readonly title = 'Invalid idempotency options';
}
