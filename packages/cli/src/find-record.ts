/** The first step of `inspect` and `delete`: read the record, to show it (or its absence). */
import type { Command } from './args.js';
import { formatNotFound, formatRecord } from './format-record.js';
import { lookUp } from './read-record.js';
import { type KeyView, type RecordView, recordView } from './record-view.js';
import type { OpenedStore } from './store-target.js';

/** The `inspect` and `delete` command lines. */
export type RecordCommand = Extract<Command, { name: 'inspect' | 'delete' }>;

/** The record of the command's key as read: its view judged now, or what was looked up when there is none. */
export type Found =
  | { readonly view: RecordView }
  | {
      readonly view: undefined;
      readonly key: KeyView;
      readonly store: string;
      readonly location: string;
    };

/** Reads the record of the command's key with the store's `get` (reads only), judged at `now()`. */
export async function findRecord(
  command: RecordCommand,
  opened: OpenedStore,
  now: () => Date,
): Promise<Found> {
  const { key, location, record } = await lookUp(opened, command.key);
  if (record === undefined) return { view: undefined, key, store: opened.description, location };
  return { view: recordView(record, key, { store: opened.description, location }, now(), command.body) };
}

/** What was read, as text: the record, or that there is none. */
export function formatFound(found: Found): string {
  return found.view === undefined
    ? formatNotFound(found.key, found.store, found.location)
    : formatRecord(found.view);
}

/** What was read, as the JSON object's fields: the view, or `{ found: false, store, location, …key }`. */
export function foundFields(found: Found): object {
  if (found.view !== undefined) return found.view;
  return { found: false, store: found.store, location: found.location, ...found.key };
}
