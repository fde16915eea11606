/**
 * What the middleware tells the rest of the app about a request: `c.get('idempotency')`, typed for every Hono
 * app that imports `@idempo/hono` (module augmentation of Hono's `ContextVariableMap`).
 */
import type { BypassReason, Decision } from '@idempo/core/adapter';

/** What idempo did with a request, as `c.get('idempotency')` returns it. */
export interface IdempotencyVariable {
  /**
   * `'execute'`: this request holds the key, its response will be stored; `'bypass'`: not covered (see
   * `reason`), the handler runs unprotected; `'replay'` and `'reject'`: idempo answered and the handler did not
   * run (seen by middleware registered before idempo, after `await next()`).
   */
  readonly kind: Decision['kind'];
  /** `true` when the response is a stored one, replayed. */
  readonly replayed: boolean;
  /** Why the request passed through, when `kind` is `'bypass'`. */
  readonly reason?: BypassReason | undefined;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `@idempo/hono` on every request it sees; `undefined` where the middleware does not run. */
    idempotency: IdempotencyVariable;
  }
}

const variable = (kind: Decision['kind'], reason?: BypassReason): IdempotencyVariable =>
  Object.freeze({ kind, replayed: kind === 'replay', reason });

const BYPASS: Readonly<Record<BypassReason, IdempotencyVariable>> = {
  disabled: variable('bypass', 'disabled'),
  method: variable('bypass', 'method'),
  'no-key': variable('bypass', 'no-key'),
  'store-error': variable('bypass', 'store-error'),
  nested: variable('bypass', 'nested'),
};
const OTHERS = { execute: variable('execute'), replay: variable('replay'), reject: variable('reject') };

/** The (shared, frozen) variable of a decision. */
export function variableOf(decision: Decision): IdempotencyVariable {
  return decision.kind === 'bypass' ? BYPASS[decision.reason] : OTHERS[decision.kind];
}
