/**
 * The engine's keyed path run a fixed number of times, for instruction counts: under
 * `valgrind --tool=callgrind`, (Ir of a run of 2N operations - Ir of a run of N) / N is what one operation costs,
 * start-up, bundling and the warm-up cancelling out. Counts are repeatable on a loaded machine, where wall-clock
 * is not.
 *
 * ```sh
 * node dist/engine-count.js --variant work=src:packages/core/src --save /tmp/work.js   # bundle once, outside valgrind
 * valgrind --tool=callgrind node dist/engine-count.js --variant work=module:/tmp/work.js --mode new --ops 30000
 * ```
 *
 * On a machine whose load moves (another process on the other core), the totals of the two runs can differ by more
 * than the operations cost: one bundle measured 68k to 113k instructions per operation that way. Count windows
 * instead. With `--heap`, `process.memoryUsage()` is called just before and just after the measured operations,
 * so `--dump-before='node::MemoryUsage*'` makes callgrind write the window between them as its own file
 * (`callgrind.out.<pid>.2`). A window still holds a fixed part (tier-up and the forced GC of `--heap`: about
 * 525M instructions here), so take two windows, of N and 2N operations, and divide their difference by N. Use
 * `--flat` for `new`, so that the forced GC does not grow with the window. Measured on 2026-12-03 with
 * `--warmup 5000 --flat`: 5,000 / 10,000 / 20,000 operations gave 931.8M / 1,338.0M / 2,154.0M, so 81.2k and 81.6k
 * per new key, where one window divided by its operations would have said 186k to 108k.
 *
 * ```sh
 * valgrind --tool=callgrind --dump-before='node::MemoryUsage*' node --expose-gc dist/engine-count.js \
 *   --variant work=module:/tmp/work.js --mode new --ops 10000 --warmup 5000 --heap --flat
 * grep -m1 '^summary:' callgrind.out.*.2   # then the same with --ops 20000
 * ```
 *
 * Modes: `new` (begin + commit on new keys, over MemoryStore: what every first request costs), `replay` (begin on
 * a key whose response is stored: what every retry costs). Operations run one at a time, as in one request after
 * another. `--flat` keeps the heap flat (below). `--heap` prints the heap growth per operation after a forced GC (run with --expose-gc): what each
 * stored record keeps.
 */
import { parseArgs } from 'node:util';
import { loadVariant } from './core-variant.js';
import { CAPTURED, NO_EVICTION, orderRequest } from './engine-fixtures.js';
import { uniqueKeys } from './unique-keys.js';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'work=src:packages/core/src' },
    save: { type: 'string' },
    mode: { type: 'string', default: 'new' },
    ops: { type: 'string', default: '30000' },
    warmup: { type: 'string', default: '20000' },
    heap: { type: 'boolean', default: false },
    flat: { type: 'boolean', default: false },
  },
  strict: true,
});
const variant = await loadVariant(values.variant, values.save);
if (values.save !== undefined) {
  process.stdout.write(`${values.save}\n`);
  process.exit(0);
}
const ops = Number(values.ops);
const warmup = Number(values.warmup);
const mode = values.mode;
if (mode !== 'new' && mode !== 'replay') throw new Error(`--mode is new or replay, got ${mode}`);

/**
 * `--flat`: the store's clock moves 1,000 s per read and it holds at most 1,024 records, so that each new record
 * has expired about 43 operations later and is dropped when the store fills: the heap stays flat, and an
 * instruction count is not swayed by which major GCs of a growing heap fall in the window. What each retained
 * record costs the GC is measured without it.
 */
let clock = 0;
const FLAT = { maxEntries: 1024, now: () => (clock += 1_000_000) } as const;
const store = new variant.MemoryStore(values.flat ? FLAT : NO_EVICTION);
const engine = variant.createIdempotency<undefined>({ store });
const keyOf = uniqueKeys(36);
const replayed = orderRequest(keyOf(-1));
const first = await engine.begin(replayed);
if (first.kind !== 'execute' || (await first.commit(CAPTURED)) !== 'stored')
  throw new Error('no record to replay');

let next = 0;
async function run(count: number): Promise<void> {
  for (let end = next + count; next < end; next++) {
    if (mode === 'new') {
      const decision = await engine.begin(orderRequest(keyOf(next)));
      if (decision.kind !== 'execute') throw new Error(`a new key gave ${decision.kind}`);
      const outcome = await decision.commit(CAPTURED);
      if (outcome !== 'stored') throw new Error(`commit gave ${outcome}`);
    } else {
      const decision = await engine.begin(replayed);
      if (decision.kind !== 'replay') throw new Error(`a stored key gave ${decision.kind}`);
    }
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
await run(warmup);
gc?.();
const before = process.memoryUsage();
await run(ops);
if (values.heap) {
  gc?.();
  const after = process.memoryUsage();
  const per = (a: number, b: number) => ((a - b) / ops).toFixed(1);
  process.stdout.write(
    `${variant.label} ${mode}: ${ops} ops, heapUsed +${per(after.heapUsed, before.heapUsed)} B/op, ` +
      `external +${per(after.external, before.external)} B/op${gc ? '' : ' (no --expose-gc: not collected)'}\n`,
  );
}
await store.close();
