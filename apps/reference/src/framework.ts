/** What every framework variant of the reference app provides: `frameworks/<name>.ts` exports `start`. */
import type { IdempotencyStore } from '@idempo/core';
import type { ReferenceService } from '@idempo/testing/reference';

/** The core options every variant passes to its adapter, beside a `principal` read from the Bearer token. */
export interface ReferenceIdempotencyOptions {
  readonly store: IdempotencyStore;
  readonly leaseMs?: number | undefined;
  readonly ttlMs?: number | undefined;
}

/** What `start` gets. */
export interface FrameworkStartOptions {
  /**
   * The adapter's options (the variant adds `principal` from `Authorization: Bearer <name>`); `undefined` for
   * `--store none`: the variant registers no idempo at all and serves the bare routes.
   */
  readonly idempotency: ReferenceIdempotencyOptions | undefined;
  /** The routes and their handlers, from `@idempo/testing/reference`. */
  readonly service: ReferenceService;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** A listening variant. */
export interface RunningApp {
  /** The port it listens on. */
  readonly port: number;
  /** Stops accepting connections and closes the server. */
  close(): Promise<void>;
}

/** The export of each `frameworks/<name>.ts`. */
export type StartFramework = (options: FrameworkStartOptions) => Promise<RunningApp>;
