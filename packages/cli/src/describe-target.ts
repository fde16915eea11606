/** A store target in one line, password masked, for reports and error messages. */
import { maskUrl } from './mask-url.js';
import type { StoreTarget } from './store-target.js';

/** `redis at redis://127.0.0.1:6379, prefix idempo:`, `postgres at …, table public.idempo_records`, … */
export function describeTarget(target: StoreTarget): string {
  const at = `${target.kind} at ${maskUrl(target.url)}`;
  switch (target.kind) {
    case 'redis':
      return `${at}, prefix ${target.prefix}`;
    case 'postgres':
      return `${at}, table ${target.schema}.${target.table}`;
    case 'mongo':
      return `${at}, collection ${target.database === undefined ? '' : `${target.database}.`}${target.collection}`;
  }
}
