/**
 * The steady stream of keyed `POST /orders` that the fault tests send while they break the store, and the
 * accounting of what came back: every request's status, latency and body, per key.
 */

/** What one request got. `status` 0: no answer (a refused connection or the hang timeout), see `error`. */
export interface Outcome {
  readonly key: string;
  readonly worker: number;
  /** performance.now() when sent and when the whole body was read. */
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly status: number;
  /** `Idempotent-Replayed: true`: a stored answer, not an execution. */
  readonly replayed: boolean;
  readonly contentType: string;
  /** The body's bytes, base64. */
  readonly body: string;
  readonly error?: string;
}

/** Latency of one outcome in ms. */
export function latency(outcome: Outcome): number {
  return outcome.answeredAt - outcome.sentAt;
}

/** A request that answered is a fresh execution when it is a 201 without the replay marker. */
export function isExecution(outcome: Outcome): boolean {
  return outcome.status === 201 && !outcome.replayed;
}

/** Sends one keyed `POST /orders` (body `{item: key, qty: 1}`) and records the outcome; never throws. */
export async function sendOrder(
  urls: readonly string[],
  worker: number,
  key: string,
  hangMs: number,
): Promise<Outcome> {
  const sentAt = performance.now();
  const url = urls[worker % urls.length] as string;
  try {
    const response = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        authorization: 'Bearer faults',
      },
      body: JSON.stringify({ item: key, qty: 1 }),
      signal: AbortSignal.timeout(hangMs),
    });
    const body = Buffer.from(await response.arrayBuffer()).toString('base64');
    return {
      key,
      worker: worker % urls.length,
      sentAt,
      answeredAt: performance.now(),
      status: response.status,
      replayed: response.headers.get('idempotent-replayed') === 'true',
      contentType: response.headers.get('content-type') ?? '',
      body,
    };
  } catch (error) {
    return {
      key,
      worker: worker % urls.length,
      sentAt,
      answeredAt: performance.now(),
      status: 0,
      replayed: false,
      contentType: '',
      body: '',
      error: String(error),
    };
  }
}

/** A running stream of requests. */
export interface Traffic {
  /** Everything answered so far (the array grows while the stream runs). */
  readonly outcomes: Outcome[];
  /** Stops sending, waits for the requests under way, resolves with every outcome. */
  stop(): Promise<Outcome[]>;
}

export interface TrafficOptions {
  readonly urls: readonly string[];
  /** Key prefix, unique per test. */
  readonly prefix: string;
  /** Requests under way at once (one loop each). */
  readonly loops: number;
  /** Pause of each loop between two requests, in ms. */
  readonly pauseMs: number;
  /** A request not answered within this is recorded as a hang (status 0). */
  readonly hangMs: number;
}

/**
 * The key of request number `seq`: every third request opens a new key, the two others repeat the key opened six
 * requests earlier (usually answered by then, so mostly replays, sometimes a 409 while it is in flight). Every
 * key is sent three times: as request 3k, 3k+7 and 3k+8.
 */
export function keyOf(prefix: string, seq: number): string {
  const k = seq % 3 === 0 ? seq / 3 : Math.floor(seq / 3) - 2;
  return `${prefix}-${Math.max(k, 0)}`;
}

/** Starts `loops` loops that send keyed `POST /orders` round-robin over the workers until `stop()`. */
export function startTraffic(options: TrafficOptions): Traffic {
  const outcomes: Outcome[] = [];
  let seq = 0;
  let running = true;
  const loop = async () => {
    while (running) {
      const n = seq++;
      outcomes.push(await sendOrder(options.urls, n, keyOf(options.prefix, n), options.hangMs));
      if (options.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const loops = Array.from({ length: options.loops }, () => loop());
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

/** The outcomes of one key. */
export interface KeyTally {
  readonly key: string;
  readonly outcomes: Outcome[];
  /** Fresh 201s: executions of the handler seen by a client. */
  executions: number;
  /** Distinct bodies among all the key's 201s (fresh and replayed). */
  readonly bodies: Set<string>;
}

/** Groups outcomes by key. */
export function tallyByKey(outcomes: readonly Outcome[]): Map<string, KeyTally> {
  const keys = new Map<string, KeyTally>();
  for (const outcome of outcomes) {
    let tally = keys.get(outcome.key);
    if (!tally) {
      tally = { key: outcome.key, outcomes: [], executions: 0, bodies: new Set() };
      keys.set(outcome.key, tally);
    }
    tally.outcomes.push(outcome);
    if (isExecution(outcome)) tally.executions++;
    if (outcome.status === 201) tally.bodies.add(outcome.body);
  }
  return keys;
}

/** Counts per status, as `{"201": n, "409": n, ...}`. */
export function statusCounts(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
  return counts;
}

/** The largest latency among `outcomes`, in whole ms (0 for none). */
export function worstLatency(outcomes: readonly Outcome[]): number {
  let worst = 0;
  for (const outcome of outcomes) worst = Math.max(worst, latency(outcome));
  return Math.round(worst);
}
