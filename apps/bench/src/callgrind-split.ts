/**
 * What one request of a server costs in instructions, split from `callgrind_annotate --inclusive=yes` of a window
 * of `requests` requests: the total, what V8's optimizing compiler took, what its garbage collector took, and the
 * rest, the mutator: the JavaScript, builtins and C++ that the request itself runs.
 *
 * Why split: under valgrind a server keeps tiering up long after a warm-up that settles it in a normal run (a
 * window of bare Fastify after 8,000 requests still spent 68k of its 217k instructions per request in TurboFan),
 * and V8 schedules its collector partly by time, which valgrind slows fifty-fold: the same servers run normally
 * did 3-5 mark-compacts per 20,000 requests, bare and with idempo alike, while under valgrind idempo's window
 * paid 224k instructions per request of incremental marking. The mutator is what a change to the request path
 * moves; the collector is measured in a normal run (`--trace-gc`).
 */

/** Instructions per request. */
export interface InstructionSplit {
  readonly total: number;
  /** `Runtime_CompileOptimized`, inclusive. */
  readonly compile: number;
  /** `Heap::CollectGarbage`, `IncrementalMarking::Step` and `MarkingBarrier::Write`, inclusive. */
  readonly gc: number;
  /** The total less compile and gc. */
  readonly mutator: number;
}

const GC_ENTRIES = [/Heap::CollectGarbage\(/, /IncrementalMarking::Step\(double/, /MarkingBarrier::Write\(/];
const COMPILE_ENTRY = /Runtime_CompileOptimized\(/;

function count(line: string): number {
  const match = /^\s*([\d,]+)\s/.exec(line);
  return match ? Number((match[1] as string).replaceAll(',', '')) : 0;
}

/** Splits the output of `callgrind_annotate --inclusive=yes` of a window of `requests` requests. */
export function splitInstructions(annotated: string, requests: number): InstructionSplit {
  if (!Number.isSafeInteger(requests) || requests < 1)
    throw new RangeError('requests must be a positive integer');
  let total: number | undefined;
  let compile = 0;
  let gc = 0;
  for (const line of annotated.split('\n')) {
    if (line.includes('PROGRAM TOTALS')) total = count(line);
    else if (COMPILE_ENTRY.test(line)) compile += count(line);
    else if (GC_ENTRIES.some((entry) => entry.test(line))) gc += count(line);
  }
  if (total === undefined) throw new Error('no PROGRAM TOTALS line: not the output of callgrind_annotate');
  return {
    total: total / requests,
    compile: compile / requests,
    gc: gc / requests,
    mutator: (total - compile - gc) / requests,
  };
}
