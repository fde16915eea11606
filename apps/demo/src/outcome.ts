/** What a scenario observed, and whether it matched what was expected. */

/** A scenario's result: a short description of what happened and every expectation that failed. */
export interface Outcome {
  readonly observed: string;
  readonly problems: readonly string[];
}

/** Collects observations and failed expectations while a scenario runs. */
export class OutcomeRecorder {
  readonly #notes: string[] = [];
  readonly #problems: string[] = [];

  /** Adds to the observed description. */
  note(text: string): void {
    this.#notes.push(text);
  }

  /** Records `problem` unless `ok`. */
  expect(ok: boolean, problem: string): void {
    if (!ok) this.#problems.push(problem);
  }

  /** Records a problem when `actual` is not `wanted`. */
  equal<T>(label: string, actual: T, wanted: T): void {
    this.expect(actual === wanted, `${label}: expected ${String(wanted)}, got ${String(actual)}`);
  }

  /** The outcome so far. */
  outcome(): Outcome {
    return { observed: this.#notes.join(', '), problems: [...this.#problems] };
  }
}
