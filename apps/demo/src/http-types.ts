/** The demo's request and response shapes, as they cross the wire. */
import type { HeaderEntry } from '@idempo/core/adapter';

/** One request. Header names are lower-case. */
export interface DemoRequest {
  readonly method: string;
  /** The path with its query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body bytes. */
  readonly body?: Uint8Array | undefined;
}

/** One response as it came off the wire. Header names are lower-case. */
export interface DemoResponse {
  readonly status: number;
  readonly headers: readonly HeaderEntry[];
  readonly body: Uint8Array;
}

/** Sends one request to the running app. */
export type Client = (request: DemoRequest) => Promise<DemoResponse>;
