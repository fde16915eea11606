/**
 * One record as the CLI reports it: the stored record, what it means now (is the lease running, what does a
 * retry get) and its response decoded. The same object is printed as text or, with `--json`, as JSON (its Dates
 * become ISO 8601 strings); its field names are part of the CLI's interface (README "JSON output").
 */
import { decodeResponse, type StoredRecord } from '@idempo/core/store';
import { describeError } from './describe-error.js';

/** What a retry with the same key gets now. */
export type RetryOutcome =
  /** In flight, lease running: 409 with Retry-After (422 with another fingerprint). */
  | 'conflict'
  /** In flight, lease ended: the next retry (any fingerprint) takes the key over and runs the handler. */
  | 'take-over'
  /** Completed: the stored response (422 with another fingerprint). */
  | 'replay';

/** The stored response, decoded. */
export interface ResponseView {
  readonly status: number;
  /** Header field lines as stored, names in lower case. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body's length in bytes. */
  readonly bodyBytes: number;
  /** The body (only with `--body`): UTF-8 text when it is valid UTF-8, else base64. `null` without `--body`. */
  readonly body: string | null;
  /** `'utf-8'` or `'base64'`; `null` without `--body`. */
  readonly bodyEncoding: 'utf-8' | 'base64' | null;
}

/** The client key a record was looked up by; `null` fields when it was looked up by its storage key. */
export interface KeyView {
  readonly key: string | null;
  readonly principal: string | null;
  readonly scope: string | null;
  readonly storageKey: string;
}

/** One record, found. */
export interface RecordView extends KeyView {
  readonly found: true;
  /** The store, password masked: `redis redis://127.0.0.1:6379, prefix idempo:`. */
  readonly store: string;
  /** Where the record is in the store's own terms: `Redis key idempo:<storage key>`. */
  readonly location: string;
  readonly state: 'in-flight' | 'completed';
  /**
   * In flight: whether the lease still runs by the CLI's clock (the store decides by its own, e.g. `delete`).
   * `null` when completed.
   */
  readonly leaseRunning: boolean | null;
  readonly retry: RetryOutcome;
  readonly fingerprint: string;
  /** `null` for a record written by a store version that did not keep it. */
  readonly createdAt: Date | null;
  readonly leaseExpiresAt: Date | null;
  readonly expiresAt: Date;
  /** Completed and decodable: the response; else `null`. */
  readonly response: ResponseView | null;
  /** Completed but not decodable (a damaged or foreign record): why; else `null`. */
  readonly responseError: string | null;
  /** The instant, on the CLI's clock, the lease and the relative times were judged at. */
  readonly checkedAt: Date;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bodyOf(body: Uint8Array): { body: string; bodyEncoding: 'utf-8' | 'base64' } {
  try {
    return { body: utf8.decode(body), bodyEncoding: 'utf-8' };
  } catch {
    return {
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
      bodyEncoding: 'base64',
    };
  }
}

function responseOf(
  bytes: Uint8Array,
  withBody: boolean,
): { response: ResponseView | null; responseError: string | null } {
  try {
    const decoded = decodeResponse(bytes);
    return {
      response: {
        status: decoded.status,
        headers: decoded.headers.map(([name, value]) => [name, value] as const),
        bodyBytes: decoded.body.byteLength,
        ...(withBody ? bodyOf(decoded.body) : { body: null, bodyEncoding: null }),
      },
      responseError: null,
    };
  } catch (error) {
    return { response: null, responseError: describeError(error) };
  }
}

/** Builds the view of `record`, found under `key` in `store` (described) at `location`, judged at `now`. */
export function recordView(
  record: StoredRecord,
  key: KeyView,
  where: { readonly store: string; readonly location: string },
  now: Date,
  withBody: boolean,
): RecordView {
  const completed = record.state === 'completed';
  const leaseRunning = completed
    ? null
    : record.leaseExpiresAt !== undefined && record.leaseExpiresAt.getTime() > now.getTime();
  const stored =
    completed && record.response !== undefined
      ? responseOf(record.response, withBody)
      : { response: null, responseError: completed ? 'the completed record has no response' : null };
  return {
    found: true,
    store: where.store,
    location: where.location,
    ...key,
    state: record.state,
    leaseRunning,
    retry: completed ? 'replay' : leaseRunning ? 'conflict' : 'take-over',
    fingerprint: record.fingerprint,
    createdAt: record.createdAt ?? null,
    leaseExpiresAt: record.leaseExpiresAt ?? null,
    expiresAt: record.expiresAt,
    ...stored,
    checkedAt: now,
  };
}
