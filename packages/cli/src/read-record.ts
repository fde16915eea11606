/** Looking a record up: the storage key of the command's key, and the store's `get`. */
import type { IdempotencyStore } from '@idempo/core';
import { type StoredRecord, storageKey } from '@idempo/core/store';
import type { KeyRef } from './args.js';
import { StoreFailure } from './cli-errors.js';
import type { KeyView } from './record-view.js';
import type { OpenedStore } from './store-target.js';

/** The key fields of a report: the client's key hashed, or the storage key as given. */
export async function keyViewOf(ref: KeyRef): Promise<KeyView> {
  if (ref.kind === 'storage') return { key: null, principal: null, scope: null, storageKey: ref.storageKey };
  const { key, principal, scope } = ref;
  return { key, principal, scope, storageKey: await storageKey({ key, principal, scope }) };
}

/** The store's operation `name`, or a {@link StoreFailure} saying this store version has none. */
export function operation<K extends 'get' | 'delete' | 'stats'>(
  opened: OpenedStore,
  name: K,
): NonNullable<IdempotencyStore[K]> {
  const method = opened.store[name];
  if (typeof method !== 'function') {
    throw new StoreFailure(
      `${opened.description}: this version of the store has no ${name}(): update its @idempo/store-* package`,
    );
  }
  return method.bind(opened.store) as NonNullable<IdempotencyStore[K]>;
}

/** A record looked up: its key fields, where it is, and the record when there is a live one. */
export interface LookedUp {
  readonly key: KeyView;
  readonly location: string;
  readonly record: StoredRecord | undefined;
}

/** Reads the record of `ref` with the store's `get` (reads only). */
export async function lookUp(opened: OpenedStore, ref: KeyRef): Promise<LookedUp> {
  const key = await keyViewOf(ref);
  const record = await operation(opened, 'get')(key.storageKey);
  return { key, location: opened.locate(key.storageKey), record };
}
