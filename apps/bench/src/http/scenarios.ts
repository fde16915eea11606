/**
 * The three workloads of the HTTP benchmark, as autocannon requests: every request is `POST /orders` with the
 * same small JSON body and an `Idempotency-Key`; only the choice of key differs. The bare framework gets the same
 * requests (it ignores the header), so each variant is measured on identical bytes.
 */

/** `new-keys`: a fresh key per request (every request runs the handler and stores its response). `replays`: keys
 * stored beforehand (every request is answered from the store). `duplicates`: runs of {@link DUPLICATES} requests
 * share a key and arrive together (one runs, the others get 409 or the replay). */
export const SCENARIOS = ['new-keys', 'replays', 'duplicates'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Requests per key in the `duplicates` scenario. */
export const DUPLICATES = 8;
/** Keys stored before the `replays` scenario, and cycled through by it. */
export const REPLAY_KEYS = 64;

/** The body every request sends. */
export const ORDER_BODY = JSON.stringify({ item: 'book', qty: 1 });
export const ORDER_PATH = '/orders';

/** One autocannon request template, with the per-request key set by `setupRequest`. */
export interface KeyedRequest {
  readonly method: 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  setupRequest(request: { headers?: Record<string, string> }): { headers: Record<string, string> };
}

/** What one run of a scenario sends, and how many distinct keys it handed out (read after the run). */
export interface ScenarioRun {
  readonly request: KeyedRequest;
  /** Distinct keys handed out so far. */
  keysIssued(): number;
}

/** The keys `replays` cycles through for one server; send each once before measuring. */
export function replayKeys(serverId: string): string[] {
  return Array.from({ length: REPLAY_KEYS }, (_, i) => `"replay-${serverId}-${i}"`);
}

/** A run of `scenario` with keys unique to `runId` (new and duplicate keys are never reused across runs). */
export function scenarioRun(scenario: ScenarioName, runId: string, serverId: string): ScenarioRun {
  let sent = 0;
  const replays = replayKeys(serverId);
  const keyFor = (n: number): string => {
    switch (scenario) {
      case 'new-keys':
        return `"new-${runId}-${n}"`;
      case 'replays':
        return replays[n % REPLAY_KEYS] as string;
      case 'duplicates':
        return `"dup-${runId}-${Math.floor(n / DUPLICATES)}"`;
    }
  };
  const headers = { 'content-type': 'application/json', authorization: 'Bearer bench' };
  return {
    request: {
      method: 'POST',
      path: ORDER_PATH,
      headers,
      body: ORDER_BODY,
      setupRequest: (request) => ({
        ...request,
        headers: { ...headers, 'idempotency-key': keyFor(sent++) },
      }),
    },
    keysIssued: () =>
      scenario === 'new-keys' ? sent : scenario === 'replays' ? 0 : Math.ceil(sent / DUPLICATES),
  };
}
