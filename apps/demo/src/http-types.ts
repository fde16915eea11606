/**
 * The demo's own request and response shapes: what an HTTP framework would hand to a handler and what it would
 * write back. The scenarios only speak in these terms, so they can later run against a real HTTP server.
 */
import type { HeaderEntry } from '@idempo/core';

/** One request as a framework would see it. Header names are lower-case. */
export interface DemoRequest {
  readonly method: string;
  /** The concrete path, without the query string. */
  readonly path: string;
  /** The raw query string without the leading `?`. */
  readonly query?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body bytes. */
  readonly body?: Uint8Array | undefined;
}

/** One response as it would be written to the wire. Header names are lower-case. */
export interface DemoResponse {
  readonly status: number;
  readonly headers: readonly HeaderEntry[];
  readonly body: Uint8Array;
}

/** An application route handler. It may throw, as real handlers do. */
export type Handler = (request: DemoRequest) => Promise<DemoResponse>;

/** Sends one request and resolves with the response: in process today, over HTTP later. */
export type Client = (request: DemoRequest) => Promise<DemoResponse>;
