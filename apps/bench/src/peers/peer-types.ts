/** What every peer server module provides. */
import type { ReferenceService } from '@idempo/testing/reference';

/** What a peer's `start` gets. */
export interface PeerStartOptions {
  /** The reference handlers (`POST /orders`, `GET /stats`, `POST /stats/reset` are served). */
  readonly service: ReferenceService;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** A listening peer server. */
export interface RunningPeer {
  /** The port it listens on. */
  readonly port: number;
  /** What it runs, for the start-up line on stderr. */
  readonly description: string;
  /** Closes the server, then the store's client, and removes what it stored in a shared store. */
  close(): Promise<void>;
}
