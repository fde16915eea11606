/** The shape of one demo scenario. */
import type { DemoEnvironment } from './environment.js';
import type { Outcome } from './outcome.js';

/** One scripted scenario: what it shows, what should happen, and the script itself. */
export interface Scenario {
  readonly name: string;
  /** What should happen, in a few words. */
  readonly expected: string;
  /** Runs against a fresh environment. Throwing counts as a failure. */
  run(environment: DemoEnvironment): Promise<Outcome>;
}
