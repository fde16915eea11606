/** Types of scripts/options-table.mjs, for the test that runs its check (packages/core/test/options-table.test.ts). */

/** One generated part of docs/options.md: the options of `types`, declared in `file`. */
export interface OptionsPart {
  readonly name: string;
  readonly file: string;
  readonly types: readonly string[];
  /** The type whose members are "per route" (core's part only). */
  readonly routeType?: string;
  /** Whether the part has a section per option under its table. */
  readonly details?: boolean;
}

/** One option as its TSDoc documents it. */
export interface DocumentedOption {
  readonly name: string;
  /** Its type, without `| undefined`. */
  readonly type: string;
  readonly optional: boolean;
  /** The interface or type alias that declares it. */
  readonly declaredIn: string;
  readonly blocks: readonly { readonly item: boolean; readonly text: string }[];
  /** The TSDoc's first sentence. */
  readonly summary: string;
  /** What its `Default ...` sentence states (`required` for a required option), or `undefined` when none does. */
  readonly default: string | undefined;
}

export const ROOT: string;
export const DOC: string;
export const PARTS: readonly OptionsPart[];
export function defaultOf(text: string): string | undefined;
export function readOptions(part: OptionsPart, sourceText: string): DocumentedOption[];
export function readSources(sources?: Readonly<Record<string, string>>): Record<string, string>;
export function renderPart(part: OptionsPart, options: readonly DocumentedOption[]): string;
export function render(doc: string, sources?: Readonly<Record<string, string>>): string;
export function check(doc: string, sources?: Readonly<Record<string, string>>): string[];
