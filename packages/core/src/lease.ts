/**
 * The lease of one execution as its holder knows it: what keeps it (the heartbeat, a prompt retry after a failed
 * extend, one extend in flight at a time) and when it is no longer known to be held.
 *
 * `heldUntil` is the start of the last call that reserved or extended the key and answered `true`, plus
 * `leaseMs`. The store set its own lease end when it ran that call, which was after the call started: so
 * `heldUntil` never lies after the store's lease end, and while the clock is before it nobody else can be given
 * the key. Once it passes without a renewal, or an extend answers `false`, the lease is lost: reported once,
 * extending stops, `lost` turns true and `signal` aborts. A lost lease stays lost, even if the store later
 * turns out to have kept it (commit still tries, fenced by token).
 *
 * Timers: the beats are the heartbeat's (an interval per execution). A timer of the execution's own is armed
 * only when nothing else would look at the lease before `heldUntil` (after a failed extend, past
 * `maxExecutionMs`, a call in flight that may outlast the lease): a healthy execution arms none.
 */
import { LeaseLostError } from './errors.js';
import { type Beats, startBeats, stopBeats } from './heartbeat.js';

/** Why a lease was lost while its handler ran. */
export type LeaseLossReason =
  /** An extend answered `false`: the store gave the key to another holder (or it was deleted). */
  | 'extend'
  /** `heldUntil` passed while the heartbeat ran, every extend since having failed or timed out. */
  | 'expired'
  /** `heldUntil` passed after the heartbeat had stopped at `maxExecutionMs`. */
  | 'max-execution';

/** The times a lease is kept by (resolved options). */
export interface LeaseTimes {
  readonly leaseMs: number;
  /** `0`: no heartbeat; the lease is never extended. */
  readonly heartbeatMs: number;
  readonly maxExecutionMs: number;
  readonly storeTimeoutMs: number;
}

/** What the lease asks of its execution. None of these may throw. */
export interface LeaseHost {
  /** One extend of the key, bounded by `storeTimeoutMs`: `true` held, `false` lost, a rejection a failure. */
  extend(): Promise<boolean>;
  /** An extend failed or timed out after `storeMs`. */
  failed(error: unknown, storeMs: number): void;
  /** The lease is lost; called at most once. */
  lost(reason: LeaseLossReason): void;
}

type TimerHandle = ReturnType<typeof setTimeout> & { unref?: () => unknown };

const now = () => performance.now();

/**
 * How long after a failed extend the next one is tried: `leaseMs / 30` (1 s for the default 30 s lease), at
 * most one heartbeat period, at least 1 ms.
 */
export function extendRetryMs(leaseMs: number, heartbeatMs: number): number {
  return Math.max(1, Math.min(heartbeatMs, Math.floor(leaseMs / 30)));
}

/** The lease of one execution, from its reservation until `stop` (commit or abandon) or its loss. */
export class Lease {
  #heldUntil: number;
  readonly #startedAt: number;
  readonly #renews: boolean;
  readonly #retryMs: number;
  #heartbeat: Beats | undefined;
  /** The heartbeat stopped at `maxExecutionMs`. */
  #capped = false;
  #extending = false;
  #extendStartedAt = 0;
  #retryAt: number | undefined;
  #timer: TimerHandle | undefined;
  #timerAt = 0;
  /** Stopped or lost: nothing happens any more. */
  #over = false;
  #lost: LeaseLossReason | undefined;
  #controller: AbortController | undefined;

  /**
   * @param reservedFrom - when the reserve call that won the key started (`performance.now()`).
   * @param startedAt - when the execution started: the heartbeat's phase and `maxExecutionMs` count from it.
   */
  constructor(
    private readonly host: LeaseHost,
    private readonly times: LeaseTimes,
    reservedFrom: number,
    startedAt: number,
  ) {
    this.#heldUntil = reservedFrom + times.leaseMs;
    this.#startedAt = startedAt;
    this.#renews = times.heartbeatMs > 0;
    this.#retryMs = extendRetryMs(times.leaseMs, times.heartbeatMs);
    // Without a heartbeat, one look when the lease runs out (the first beat; it stops the interval).
    this.#heartbeat = startBeats(this.#renews ? times.heartbeatMs : times.leaseMs, Lease.#onBeat, this);
  }

  /** Whether the lease is lost (read now, on the clock); it no longer changes once the lease is stopped. */
  get lost(): boolean {
    if (!this.#over) this.#expired(now());
    return this.#lost !== undefined;
  }

  /** Aborts when the lease is lost, with a {@link LeaseLostError}; never once the lease is stopped. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      // Made on first use only: an AbortController (and its abort's DOMException) costs on every request.
      this.#controller = new AbortController();
      if (this.#lost !== undefined) this.#controller.abort(new LeaseLostError(this.#lost));
      else if (!this.#over) this.#expired(now());
    }
    return this.#controller.signal;
  }

  /** Ends the lease's upkeep (the execution settles): no extend, no event, no abort after this. */
  stop(): void {
    if (this.#over) return;
    this.#over = true;
    this.#end();
  }

  /** The heartbeat's and the timer's callbacks: one function for every lease, which passes itself. */
  static #onBeat(lease: Lease): void {
    lease.#beat();
  }

  static #onWake(lease: Lease): void {
    lease.#wake();
  }

  #beat(): void {
    if (this.#over) return;
    const t = now();
    if (this.#expired(t)) return;
    if (!this.#renews || t - this.#startedAt >= this.times.maxExecutionMs) {
      // No heartbeat, or a handler past its bound: no more extends; the lease runs out at heldUntil.
      this.#capped = this.#renews;
      this.#retryAt = undefined;
      this.#stopBeats();
      this.#watch(t);
      return;
    }
    this.#renew(t);
  }

  /** Sends one extend, unless one is in flight (its answer looks at the lease again). */
  #renew(t: number): void {
    if (this.#extending) return;
    this.#retryAt = undefined;
    this.#extending = true;
    this.#extendStartedAt = t;
    this.host.extend().then(
      (held) => this.#answered(t, held),
      (error: unknown) => this.#failed(t, error),
    );
    this.#watch(t);
  }

  #answered(started: number, held: boolean): void {
    this.#extending = false;
    if (this.#over) return;
    if (!held) {
      this.#lose('extend');
      return;
    }
    // `true` even after heldUntil: nobody took the key over meanwhile (an extend of a record taken over answers
    // `false`), and the store's lease now runs from after `started`.
    const until = started + this.times.leaseMs;
    if (until > this.#heldUntil) this.#heldUntil = until;
    this.#watch(now());
  }

  #failed(started: number, error: unknown): void {
    this.#extending = false;
    const t = now();
    this.host.failed(error, t - started);
    if (this.#over || this.#expired(t)) return;
    if (this.#heartbeat !== undefined) this.#retryAt = t + this.#retryMs;
    this.#watch(t);
  }

  /** Loses the lease when its time is up. */
  #expired(t: number): boolean {
    if (t < this.#heldUntil) return false;
    this.#lose(this.#capped ? 'max-execution' : 'expired');
    return true;
  }

  #lose(reason: LeaseLossReason): void {
    if (this.#over) return;
    this.#over = true;
    this.#lost = reason;
    this.#end();
    this.host.lost(reason);
    this.#controller?.abort(new LeaseLostError(reason));
  }

  #stopBeats(): void {
    if (this.#heartbeat === undefined) return;
    stopBeats(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #end(): void {
    this.#stopBeats();
    this.#retryAt = undefined;
    this.#disarm();
  }

  /**
   * Arms the execution's own timer for the retry, and for heldUntil when nothing else looks at the lease before
   * it: the call in flight settles by its start plus `storeTimeoutMs`, the next beat comes within a period.
   */
  #watch(t: number): void {
    if (this.#over) return;
    let wake = this.#retryAt ?? Number.POSITIVE_INFINITY;
    let look = wake;
    if (this.#extending) look = Math.min(look, this.#extendStartedAt + this.times.storeTimeoutMs);
    if (this.#heartbeat !== undefined && this.#renews) look = Math.min(look, t + this.times.heartbeatMs);
    if (look >= this.#heldUntil) wake = Math.min(wake, this.#heldUntil);
    if (wake === Number.POSITIVE_INFINITY) {
      this.#disarm();
      return;
    }
    // A timer armed sooner wakes, looks, and re-arms: it is kept.
    if (this.#timer !== undefined && this.#timerAt <= wake) return;
    this.#disarm();
    this.#timerAt = wake;
    const timer = setTimeout(Lease.#onWake, Math.max(1, Math.ceil(wake - t)), this) as TimerHandle;
    timer.unref?.();
    this.#timer = timer;
  }

  #wake(): void {
    this.#timer = undefined;
    if (this.#over) return;
    const t = now();
    if (this.#expired(t)) return;
    if (this.#retryAt !== undefined && t >= this.#retryAt) this.#renew(t);
    else this.#watch(t);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
