/** A record, or its absence, as text for a person (the `--json` form is the view itself). */
import { STATUS_CODES } from 'node:http';
import { formatDuration, instant } from './durations.js';
import type { KeyView, RecordView } from './record-view.js';

/** Label column width: the longest label and two spaces. */
const WIDTH = 13;

/** `label value` lines, the value's own lines indented under it. */
export function table(rows: readonly (readonly [string, string])[]): string {
  return rows
    .map(([label, value]) => `${label.padEnd(WIDTH)}${value.replaceAll('\n', `\n${' '.repeat(WIDTH)}`)}\n`)
    .join('');
}

function keyRows(view: KeyView): [string, string][] {
  if (view.key === null) {
    return [
      ['client key', '(not known: looked up by its storage key)'],
      ['storage key', view.storageKey],
    ];
  }
  return [
    ['client key', view.key],
    [
      'principal',
      view.principal === '' || view.principal === null ? "'' (none: keys are global)" : view.principal,
    ],
    ['scope', view.scope === '' || view.scope === null ? "'' (the default)" : view.scope],
    ['storage key', view.storageKey],
  ];
}

function stateOf(view: RecordView): string {
  if (view.state === 'completed') return 'completed';
  const now = view.checkedAt.getTime();
  if (view.leaseExpiresAt === null) return 'in flight (no lease instant stored)';
  const ms = view.leaseExpiresAt.getTime() - now;
  return view.leaseRunning
    ? `in flight, lease ends in ${formatDuration(ms)}`
    : `in flight, lease ENDED ${formatDuration(ms)} ago: the handler is presumed dead; the next retry takes over`;
}

const statusLine = (status: number): string =>
  `${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;

function retryOf(view: RecordView): string {
  const otherBody = 'with another request body (another fingerprint): 422';
  switch (view.retry) {
    case 'conflict':
      return `409 (in progress, with Retry-After) until the handler finishes, then its stored response;\n${otherBody}`;
    case 'take-over':
      return 'a fresh run: the next retry, whatever its body, takes the key over and runs the handler';
    case 'replay':
      return view.response === null
        ? "503: the stored response does not decode, so it cannot be replayed\n(with onStoreError 'fail-open' the handler runs instead)"
        : `the stored ${statusLine(view.response.status)} again (a replay);\n${otherBody}`;
  }
}

function responseRows(view: RecordView): [string, string][] {
  if (view.responseError !== null) return [['response', `cannot decode: ${view.responseError}`]];
  const response = view.response;
  if (response === null) return [];
  const headers = response.headers.map(([name, value]) => `\n  ${name}: ${value}`).join('');
  const count = response.headers.length;
  return [
    [
      'response',
      `${statusLine(response.status)}, ${count} header${count === 1 ? '' : 's'}, body ${response.bodyBytes} bytes${headers}`,
    ],
  ];
}

/** A found record as text; the body last (only with `--body`), as it is. */
export function formatRecord(view: RecordView): string {
  const now = view.checkedAt;
  const rows: [string, string][] = [
    ['store', view.store],
    ...keyRows(view),
    ['location', view.location],
    ['state', stateOf(view)],
    ['fingerprint', view.fingerprint],
    [
      'created',
      view.createdAt === null ? 'unknown (record older than this version)' : instant(view.createdAt, now),
    ],
  ];
  if (view.leaseExpiresAt !== null) rows.push(['lease ends', instant(view.leaseExpiresAt, now)]);
  rows.push(['retained', `until ${instant(view.expiresAt, now)}`], ...responseRows(view), [
    'a retry gets',
    retryOf(view),
  ]);
  let out = table(rows);
  const response = view.response;
  if (response !== null && response.body !== null) {
    out += `body (${response.bodyEncoding}, ${response.bodyBytes} bytes):\n${response.body}\n`;
  }
  return out;
}

/** No live record under the key, as text. */
export function formatNotFound(view: KeyView, store: string, location: string): string {
  return `${table([['store', store], ...keyRows(view), ['location', location]])}no record: none was stored, or it expired, was released or deleted; a request with this key runs the handler\n`;
}
