/**
 * The key a store sees. It is made from (scope, principal, client key) with every field length-prefixed, so
 * that no separator in one field can make two different triples meet (BEHAVIOUR G43), and hashed, so that it
 * has the same bounded length whatever the client sent. The same digest identifies the record in events,
 * which therefore never carry the client's key itself.
 */
import { framed, sha256 } from './hash.js';

/** The three parts that identify one idempotency record. */
export interface StorageKeyParts {
  /** Independent namespaces (e.g. per API or per route group). Default `''`. */
  readonly scope?: string | undefined;
  /** Tenant or user the key belongs to; `''` when keys are global. */
  readonly principal?: string | undefined;
  /** The client's `Idempotency-Key`, as parsed. */
  readonly key: string;
}

/**
 * Builds the storage key: a 43-character base64url SHA-256 digest. Operators use it to find a client's record
 * (`idempo inspect`); stores may add their own prefix.
 */
export function storageKey(parts: StorageKeyParts): string {
  return storageKeyOf(parts.scope ?? '', parts.principal ?? '', parts.key);
}

/** {@link storageKey} of the three parts as arguments: the engine's, without an object per request. */
export function storageKeyOf(scope: string, principal: string, key: string): string {
  return sha256(`idempo-key-v1${framed(scope)}${framed(principal)}${framed(key)}`);
}
