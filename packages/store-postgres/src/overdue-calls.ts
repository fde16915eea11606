/**
 * The calls core bounded that are still unanswered, so that the store can give up on those well past their
 * deadline without a timer of its own: it looks when another call starts, and when it is closed.
 *
 * Core times such a call out at its deadline and answers its caller. What it cannot do is give back what the call
 * still holds: a connection whose statement is on a silent network (or a checkout still waiting for one). Left
 * alone, the connection waits for the kernel to give up on its socket (many minutes), holding a pool slot; a few of
 * those and every call waits for a slot. So once a call is {@link OVERDUE_GRACE_MS} past its deadline, the next
 * call to start abandons it: its connection is closed (the pool opens a new one), its outcome unknown.
 */

/** How long past its deadline a call may stay unanswered before it is abandoned: a late answer still lands. */
export const OVERDUE_GRACE_MS = 1_000;

/** One call in flight with a deadline. */
export interface OverdueCall {
  /** Its deadline, epoch ms. */
  readonly deadline: number;
  /** Gives up on it: settles it with `StoreTimeoutError` and closes the connection it holds, if any. */
  abandon(): void;
}

/** The calls with a deadline in flight on one store. */
export class OverdueCalls {
  readonly #calls = new Set<OverdueCall>();
  /** No call falls due before this instant (a lower bound: a call that settled may have set it). */
  #earliest = Number.POSITIVE_INFINITY;

  add(call: OverdueCall): void {
    this.#calls.add(call);
    this.#earliest = Math.min(this.#earliest, call.deadline + OVERDUE_GRACE_MS);
  }

  delete(call: OverdueCall): void {
    this.#calls.delete(call);
  }

  /** When the next call falls due; `undefined` when none is in flight. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const call of this.#calls) next = Math.min(next ?? Number.POSITIVE_INFINITY, call.deadline);
    return next === undefined ? undefined : next + OVERDUE_GRACE_MS;
  }

  /** Abandons every call {@link OVERDUE_GRACE_MS} past its deadline. O(1) until one may be due. */
  reap(now: number = Date.now()): void {
    if (now < this.#earliest) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const call of this.#calls) {
      const due = call.deadline + OVERDUE_GRACE_MS;
      if (due > now) earliest = Math.min(earliest, due);
      else {
        this.#calls.delete(call);
        call.abandon();
      }
    }
    this.#earliest = earliest;
  }
}
